import { createHash, createHmac } from 'node:crypto';

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  /** Host patterns (plain `host`, `[host]:port`) or one hashed `|1|salt|hash` entry. */
  hosts: string[];
  keyType: string;
  /** Base64 of the public key blob. */
  key: string;
  /** `@revoked` marks a key that must never be accepted. */
  revoked: boolean;
}

/** Parses known_hosts text (comments, blank lines, `@cert-authority` lines are skipped). */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    let revoked = false;
    if (parts[0]?.startsWith('@')) {
      if (parts[0] !== '@revoked') continue;
      revoked = true;
      parts.shift();
    }
    const [hosts, keyType, key] = parts;
    if (!hosts || !keyType || !key) continue;
    out.push({ hosts: hosts.split(','), keyType, key, revoked });
  }
  return out;
}

/** The name a host has in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function matchesPattern(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  if (pattern.startsWith('!')) return false;
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(name);
}

/** True when the entry names this host (negated patterns exclude it, as in OpenSSH). */
function entryMatches(entry: KnownHostEntry, name: string): boolean {
  if (entry.hosts.some((p) => p.startsWith('!') && matchesPattern(p.slice(1), name))) return false;
  return entry.hosts.some((p) => matchesPattern(p, name));
}

/** The verdict on a presented host key. */
type HostKeyVerdict =
  { result: 'match' } | { result: 'unknown' } | { result: 'changed'; knownTypes: string[] } | { result: 'revoked' };

/** Checks a host key (type + base64 blob) against known_hosts entries for `name`. */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  name: string,
  keyType: string,
  key: string,
): HostKeyVerdict {
  const mine = entries.filter((e) => entryMatches(e, name));
  if (mine.some((e) => e.revoked && e.key === key)) return { result: 'revoked' };
  const live = mine.filter((e) => !e.revoked);
  if (live.some((e) => e.keyType === keyType && e.key === key)) return { result: 'match' };
  if (live.length === 0) return { result: 'unknown' };
  return { result: 'changed', knownTypes: [...new Set(live.map((e) => e.keyType))] };
}

/** The key types known for a host, to offer only those in the handshake (as OpenSSH does). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  return [...new Set(entries.filter((e) => !e.revoked && entryMatches(e, name)).map((e) => e.keyType))];
}

/** OpenSSH's fingerprint of a key blob: `SHA256:<base64 without padding>`. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type stored at the start of an SSH public key blob (e.g. `ssh-ed25519`). */
export function keyTypeOf(keyBlob: Buffer): string {
  const len = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + len).toString('ascii');
}
