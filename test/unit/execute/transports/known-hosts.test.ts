// known_hosts parsing and host-key checking (src/execute/transports/known-hosts.ts), checked
// against the real OpenSSH tools: `ssh-keygen -H` hashes entries, `ssh-keygen -F` is the oracle
// for which names a line matches, `ssh-keygen -lf` for fingerprints.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkHostKey,
  fingerprint,
  keyTypeOf,
  knownHostName,
  knownKeyTypes,
  parseKnownHosts,
} from '../../../../src/execute/transports/known-hosts.js';

const keygen = spawnSync('ssh-keygen', ['-?'], { encoding: 'utf8' });
const haveKeygen = !keygen.error;
if (!haveKeygen)
  process.stderr.write(
    '\n[known-hosts] ssh-keygen not found: tests that use the real OpenSSH tools are SKIPPED (install ' +
      'openssh-client)\n\n',
  );

// Two fixed, syntactically valid ed25519 public key blobs (32 bytes of key material each).
const blob = (fill: number, type = 'ssh-ed25519'): Buffer => {
  const t = Buffer.from(type);
  const len = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  return Buffer.concat([len(t.length), t, len(32), Buffer.alloc(32, fill)]);
};
const KEY_A = blob(1).toString('base64');
const KEY_B = blob(2).toString('base64');
const KEY_RSA = blob(3, 'ssh-rsa').toString('base64');
const KEY_ECDSA = blob(4, 'ecdsa-sha2-nistp256').toString('base64');

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-known-hosts-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function sh(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

describe('parseKnownHosts', () => {
  it('parses plain, comma-separated, [host]:port, wildcard and negated host lists', () => {
    const text = [
      `web1.example.com ssh-ed25519 ${KEY_A}`,
      `web2,10.0.0.12 ssh-ed25519 ${KEY_A} a comment after the key`,
      `[10.0.0.13]:2222 ecdsa-sha2-nistp256 ${KEY_B}`,
      `*.lan,!bad.lan ssh-rsa ${KEY_RSA}`,
    ].join('\n');
    expect(parseKnownHosts(text)).toEqual([
      { hosts: ['web1.example.com'], keyType: 'ssh-ed25519', key: KEY_A, revoked: false },
      { hosts: ['web2', '10.0.0.12'], keyType: 'ssh-ed25519', key: KEY_A, revoked: false },
      { hosts: ['[10.0.0.13]:2222'], keyType: 'ecdsa-sha2-nistp256', key: KEY_B, revoked: false },
      { hosts: ['*.lan', '!bad.lan'], keyType: 'ssh-rsa', key: KEY_RSA, revoked: false },
    ]);
  });

  it('skips comments, blank lines, @cert-authority lines and truncated lines; keeps @revoked', () => {
    const text = [
      '# a comment',
      '   # an indented comment',
      '',
      '   ',
      `@cert-authority *.example.com ssh-ed25519 ${KEY_B}`,
      `@revoked * ssh-ed25519 ${KEY_B}`,
      'lonely-host ssh-ed25519',
      'just-a-host',
      `\tweb1 ssh-ed25519 ${KEY_A}\r`,
    ].join('\n');
    expect(parseKnownHosts(text)).toEqual([
      { hosts: ['*'], keyType: 'ssh-ed25519', key: KEY_B, revoked: true },
      { hosts: ['web1'], keyType: 'ssh-ed25519', key: KEY_A, revoked: false },
    ]);
  });

  it('parses CRLF files and tab separators', () => {
    expect(parseKnownHosts(`a\tssh-ed25519\t${KEY_A}\r\nb ssh-ed25519 ${KEY_B}\r\n`)).toEqual([
      { hosts: ['a'], keyType: 'ssh-ed25519', key: KEY_A, revoked: false },
      { hosts: ['b'], keyType: 'ssh-ed25519', key: KEY_B, revoked: false },
    ]);
  });
});

describe('knownHostName', () => {
  it('is the bare host on port 22 and [host]:port otherwise', () => {
    expect(knownHostName('10.0.0.1', 22)).toBe('10.0.0.1');
    expect(knownHostName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
    expect(knownHostName('web1', 2200)).toBe('[web1]:2200');
  });
});

describe('checkHostKey', () => {
  const entries = parseKnownHosts(
    [
      `web1 ssh-ed25519 ${KEY_A}`,
      `web2,10.0.0.12 ssh-ed25519 ${KEY_A}`,
      `*.lan,!bad.lan ssh-ed25519 ${KEY_A}`,
      `host?.dc ssh-ed25519 ${KEY_A}`,
      `multi ssh-ed25519 ${KEY_A}`,
      `multi ssh-rsa ${KEY_RSA}`,
      `@revoked * ssh-ed25519 ${KEY_B}`,
      `@cert-authority * ssh-ed25519 ${KEY_A}`,
    ].join('\n'),
  );

  it('matches the same key for a plain name, any name of a comma list, wildcards', () => {
    expect(checkHostKey(entries, 'web1', 'ssh-ed25519', KEY_A)).toEqual({ result: 'match' });
    expect(checkHostKey(entries, 'web2', 'ssh-ed25519', KEY_A)).toEqual({ result: 'match' });
    expect(checkHostKey(entries, '10.0.0.12', 'ssh-ed25519', KEY_A)).toEqual({ result: 'match' });
    expect(checkHostKey(entries, 'app.lan', 'ssh-ed25519', KEY_A)).toEqual({ result: 'match' });
    expect(checkHostKey(entries, 'host7.dc', 'ssh-ed25519', KEY_A)).toEqual({ result: 'match' });
    expect(checkHostKey(entries, 'multi', 'ssh-rsa', KEY_RSA)).toEqual({ result: 'match' });
  });

  it('host names match case-insensitively, as in OpenSSH', () => {
    expect(checkHostKey(entries, 'WEB1', 'ssh-ed25519', KEY_A)).toEqual({ result: 'match' });
  });

  it(
    'is unknown for a host without entries (a negated pattern excludes the host; ? is one character; . ' +
      'is literal)',
    () => {
      expect(checkHostKey(entries, 'web3', 'ssh-ed25519', KEY_A)).toEqual({ result: 'unknown' });
      expect(checkHostKey(entries, 'bad.lan', 'ssh-ed25519', KEY_A)).toEqual({ result: 'unknown' });
      expect(checkHostKey(entries, 'host77.dc', 'ssh-ed25519', KEY_A)).toEqual({ result: 'unknown' });
      expect(checkHostKey(entries, 'web1x', 'ssh-ed25519', KEY_A)).toEqual({ result: 'unknown' });
      expect(checkHostKey(entries, '10.0.0x12', 'ssh-ed25519', KEY_A)).toEqual({ result: 'unknown' });
      // the name on a non-standard port is a different name
      expect(checkHostKey(entries, '[web1]:2222', 'ssh-ed25519', KEY_A)).toEqual({ result: 'unknown' });
    },
  );

  it('is changed when the host is known with a different key, and lists the known types', () => {
    expect(checkHostKey(entries, 'web1', 'ssh-ed25519', KEY_RSA.slice(0, 10) + KEY_A.slice(10))).toEqual({
      result: 'changed',
      knownTypes: ['ssh-ed25519'],
    });
    expect(checkHostKey(entries, 'web1', 'ssh-rsa', KEY_RSA)).toEqual({
      result: 'changed',
      knownTypes: ['ssh-ed25519'],
    });
    const v = checkHostKey(entries, 'multi', 'ecdsa-sha2-nistp256', KEY_ECDSA);
    expect(v.result).toBe('changed');
    expect(v.result === 'changed' && [...v.knownTypes].sort()).toEqual(['ssh-ed25519', 'ssh-rsa']);
  });

  it('is revoked for a key marked @revoked, even for a host that also lists it as valid', () => {
    expect(checkHostKey(entries, 'anything', 'ssh-ed25519', KEY_B)).toEqual({ result: 'revoked' });
    const both = parseKnownHosts(`web1 ssh-ed25519 ${KEY_B}\n@revoked web1 ssh-ed25519 ${KEY_B}\n`);
    expect(checkHostKey(both, 'web1', 'ssh-ed25519', KEY_B)).toEqual({ result: 'revoked' });
  });

  it('ignores @cert-authority lines (a host only named there is unknown)', () => {
    expect(checkHostKey(entries, 'somewhere.example', 'ssh-ed25519', KEY_A)).toEqual({ result: 'unknown' });
  });

  it('knownKeyTypes lists the live key types of a host', () => {
    expect(knownKeyTypes(entries, 'multi').sort()).toEqual(['ssh-ed25519', 'ssh-rsa']);
    expect(knownKeyTypes(entries, 'web1')).toEqual(['ssh-ed25519']);
    expect(knownKeyTypes(entries, 'nobody')).toEqual([]);
  });

  // Regression: matchesPattern() used not to escape `[` and `]` when turning a pattern into a
  // RegExp, so `[10.0.0.13]:2222` became the character class `[10.0.0.13]` followed by `:2222`: a
  // plain (unhashed) entry for a host on a non-22 port never matched, and every such host was
  // reported unknown (or E_HOST_KEY_UNKNOWN over SSH).
  it('matches a plain [host]:port entry (non-standard port)', () => {
    const e = parseKnownHosts(`[10.0.0.13]:2222 ssh-ed25519 ${KEY_A}\n`);
    expect(checkHostKey(e, knownHostName('10.0.0.13', 2222), 'ssh-ed25519', KEY_A)).toEqual({ result: 'match' });
  });

  it('does not let a [host]:port entry match another host name lrroll builds (the bug above fails closed)', () => {
    const e = parseKnownHosts(`[10.0.0.13]:2222 ssh-ed25519 ${KEY_A}\n`);
    expect(checkHostKey(e, '10.0.0.13', 'ssh-ed25519', KEY_A).result).not.toBe('match');
    expect(checkHostKey(e, '[10.0.0.14]:2222', 'ssh-ed25519', KEY_A).result).not.toBe('match');
  });
});

describe.skipIf(!haveKeygen)('against the real OpenSSH tools', () => {
  const genKey = (name: string, type: string, bits?: number): { pub: string; type: string; blob: Buffer } => {
    const file = join(dir, name);
    const r = sh('ssh-keygen', [
      '-q',
      '-t',
      type,
      ...(bits ? ['-b', String(bits)] : []),
      '-N',
      '',
      '-C',
      name,
      '-f',
      file,
    ]);
    expect(r.status, r.stderr).toBe(0);
    const [t, b64] = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/) as [string, string];
    return { pub: `${file}.pub`, type: t, blob: Buffer.from(b64, 'base64') };
  };

  it('fingerprint() equals `ssh-keygen -lf` and keyTypeOf() reads the blob type (ed25519, ecdsa, rsa)', () => {
    for (const [type, bits] of [['ed25519'], ['ecdsa', 256], ['rsa', 2048]] as Array<[string, number?]>) {
      const k = genKey(`fp-${type}`, type, bits);
      const r = sh('ssh-keygen', ['-l', '-E', 'sha256', '-f', k.pub]);
      expect(r.status, r.stderr).toBe(0);
      const want = /(SHA256:\S+)/.exec(r.stdout)?.[1];
      expect(want).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(fingerprint(k.blob)).toBe(want);
      expect(keyTypeOf(k.blob)).toBe(k.type);
    }
    expect(keyTypeOf(blob(9))).toBe('ssh-ed25519');
  });

  it('hashed entries written by `ssh-keygen -H` match the same names as the plain ones', () => {
    const k1 = genKey('hash-1', 'ed25519');
    const k2 = genKey('hash-2', 'ed25519');
    const a = k1.blob.toString('base64');
    const b = k2.blob.toString('base64');
    const file = join(dir, 'known_hosts_hashed');
    writeFileSync(
      file,
      [
        `web1.example.com ssh-ed25519 ${a}`,
        `web2,10.1.2.3 ssh-ed25519 ${a}`,
        `[10.1.2.4]:2222 ssh-ed25519 ${b}`,
        `# comment kept`,
        '',
      ].join('\n'),
    );
    const r = sh('ssh-keygen', ['-H', '-f', file]);
    expect(r.status, r.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/web1|web2|10\.1\.2/);
    const entries = parseKnownHosts(text);
    // one hashed line per name (the comma list is split)
    expect(entries).toHaveLength(4);
    for (const e of entries) {
      expect(e.hosts).toHaveLength(1);
      expect(e.hosts[0]).toMatch(/^\|1\|[^|]+\|[^|]+$/);
    }
    expect(checkHostKey(entries, 'web1.example.com', 'ssh-ed25519', a)).toEqual({ result: 'match' });
    expect(checkHostKey(entries, 'web2', 'ssh-ed25519', a)).toEqual({ result: 'match' });
    expect(checkHostKey(entries, '10.1.2.3', 'ssh-ed25519', a)).toEqual({ result: 'match' });
    expect(checkHostKey(entries, knownHostName('10.1.2.4', 2222), 'ssh-ed25519', b)).toEqual({ result: 'match' });
    expect(checkHostKey(entries, '10.1.2.4', 'ssh-ed25519', b)).toEqual({ result: 'unknown' });
    expect(checkHostKey(entries, 'web3.example.com', 'ssh-ed25519', a)).toEqual({ result: 'unknown' });
    expect(checkHostKey(entries, 'web1.example.com', 'ssh-ed25519', b)).toEqual({
      result: 'changed',
      knownTypes: ['ssh-ed25519'],
    });
    expect(knownKeyTypes(entries, 'web2')).toEqual(['ssh-ed25519']);
  });

  it(
    'after `ssh-keygen -H` (which leaves marker lines as they are) @revoked still wins and ' +
      '@cert-authority is still skipped',
    () => {
      const k = genKey('hash-revoked', 'ed25519');
      const key = k.blob.toString('base64');
      const other = genKey('hash-ca', 'ed25519').blob.toString('base64');
      const file = join(dir, 'known_hosts_revoked');
      writeFileSync(
        file,
        `web9 ssh-ed25519 ${key}\n@revoked web9 ssh-ed25519 ${key}\n@cert-authority web8 ssh-ed25519 ${other}\n`,
      );
      expect(sh('ssh-keygen', ['-H', '-f', file]).status).toBe(0);
      const entries = parseKnownHosts(readFileSync(file, 'utf8'));
      expect(entries.map((e) => [e.hosts[0]?.startsWith('|1|') ? 'hashed' : e.hosts[0], e.revoked])).toEqual([
        ['hashed', false],
        ['web9', true],
      ]);
      expect(checkHostKey(entries, 'web9', 'ssh-ed25519', key)).toEqual({ result: 'revoked' });
      expect(checkHostKey(entries, 'web8', 'ssh-ed25519', other)).toEqual({ result: 'unknown' });
    },
  );

  it('agrees with `ssh-keygen -F` on which names plain patterns match', () => {
    const k = genKey('oracle', 'ed25519');
    const key = k.blob.toString('base64');
    const lines = [
      `web1.example.com ssh-ed25519 ${key}`,
      `*.lan,!bad.lan ssh-ed25519 ${key}`,
      `host?.dc ssh-ed25519 ${key}`,
      `10.0.0.12,alias12 ssh-ed25519 ${key}`,
    ];
    const file = join(dir, 'known_hosts_oracle');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const entries = parseKnownHosts(readFileSync(file, 'utf8'));
    const names = [
      'web1.example.com',
      'WEB1.example.com',
      'web1xexample.com',
      'app.lan',
      'a.b.lan',
      'bad.lan',
      'lan',
      'host1.dc',
      'host12.dc',
      'host.dc',
      '10.0.0.12',
      '10.0.0.1',
      'alias12',
      'nothing',
    ];
    for (const name of names) {
      const oracle = sh('ssh-keygen', ['-F', name, '-f', file]).status === 0;
      const ours = checkHostKey(entries, name, 'ssh-ed25519', key).result === 'match';
      expect({ name, matches: ours }).toEqual({ name, matches: oracle });
    }
  });

  // Regression: `[` and `]` used to be left unescaped in the pattern.
  it('agrees with `ssh-keygen -F` for plain [host]:port patterns', () => {
    const k = genKey('oracle-port', 'ed25519');
    const key = k.blob.toString('base64');
    const file = join(dir, 'known_hosts_oracle_port');
    writeFileSync(file, `[10.0.0.13]:2222 ssh-ed25519 ${key}\n[*.lan]:2200 ssh-ed25519 ${key}\n`);
    const entries = parseKnownHosts(readFileSync(file, 'utf8'));
    for (const name of ['[10.0.0.13]:2222', '[app.lan]:2200', '[app.lan]:22', '10.0.0.13', '1:2222']) {
      const oracle = sh('ssh-keygen', ['-F', name, '-f', file]).status === 0;
      const ours = checkHostKey(entries, name, 'ssh-ed25519', key).result === 'match';
      expect({ name, matches: ours }).toEqual({ name, matches: oracle });
    }
  });
});
