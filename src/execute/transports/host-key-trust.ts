/**
 * Whether to trust the key a host presents, as OpenSSH decides: against the known_hosts files, never replacing a
 * changed key, adding a new one only when the run allows it.
 */
import { appendFile, chmod, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConnectionError } from '../../errors/errors.js';
import { checkHostKey, fingerprint, keyTypeOf, parseKnownHosts, type KnownHostEntry } from './known-hosts.js';

/** What to do with the key of a host that has none yet. */
interface HostKeyPolicy {
  /** Add it (never replaces a changed key). */
  acceptNew: boolean;
  /** The known_hosts file it is added to. */
  addTo: string | undefined;
}

/** Every entry of the known_hosts files (a file that cannot be read has none). */
export async function readKnownHosts(files: string[]): Promise<KnownHostEntry[]> {
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => '')));
  return texts.flatMap(parseKnownHosts);
}

/** Returns an error for a key that must not be trusted, or undefined to go on. */
export function verifyHostKey(
  entries: KnownHostEntry[],
  name: string,
  key: Buffer,
  policy: HostKeyPolicy,
): ConnectionError | undefined {
  const type = keyTypeOf(key);
  const verdict = checkHostKey(entries, name, type, key.toString('base64'));
  const fp = fingerprint(key);
  switch (verdict.result) {
    case 'match':
      return undefined;
    case 'revoked':
      return new ConnectionError(
        'E_HOST_KEY_CHANGED',
        `the host key of ${name} (${type} ${fp}) is marked @revoked in known_hosts`,
        'do not connect: the key has been revoked',
      );
    case 'changed':
      return new ConnectionError(
        'E_HOST_KEY_CHANGED',
        `the host key of ${name} has CHANGED: it presented ${type} ${fp}` +
          `, known_hosts has a different ${verdict.knownTypes.join('/')} key`,
        'someone may be intercepting the connection, or the host was reinstalled: check with its ' +
          'admin, then remove the old line with `ssh-keygen -R <host>`; lrroll never replaces a ' +
          'changed key',
      );
    case 'unknown':
      if (policy.acceptNew) {
        remember(policy.addTo, name, type, key).catch(() => undefined);
        return undefined;
      }
      return new ConnectionError(
        'E_HOST_KEY_UNKNOWN',
        `the host key of ${name} is not in known_hosts: ${type} ${fp}`,
        `verify the fingerprint with the host's admin, then accept it with \`ssh-keyscan -p <port> ` +
          `<host> >> ~/.ssh/known_hosts\` (or run with --accept-new-host-keys)`,
      );
  }
}

async function remember(file: string | undefined, name: string, type: string, key: Buffer): Promise<void> {
  if (!file) return;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await appendFile(file, `${name} ${type} ${key.toString('base64')}\n`, { mode: 0o600 });
  await chmod(file, 0o600).catch(() => undefined);
}
