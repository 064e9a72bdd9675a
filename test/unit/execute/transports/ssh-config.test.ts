// ~/.ssh/config resolution (src/execute/transports/ssh-config.ts). Where OpenSSH's own answer is
// available (`ssh -G -F <file> <alias>` prints the resolved configuration) it is the oracle.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseJumpHop,
  resolveSshTarget,
  type SshTargetOverrides,
} from '../../../../src/execute/transports/ssh-config.js';

const NO: SshTargetOverrides = { port: null, user: null, identityFile: null };
const ENV = { home: '/home/op', user: 'op' };

const CONFIG = `
# lrroll test config
Host web1
  HostName 10.0.0.11
  Port 2222
  User deploy
  IdentityFile ~/.ssh/web1_key
  IdentityFile %d/.ssh/id_%u_%h_%r
  UserKnownHostsFile ~/.ssh/kh1 /etc/ssh/kh2
  HostKeyAlias web1-key

Host web2
  HostName %h.internal
  ProxyJump bastion

Host web3
  ProxyJump jump@bastion:2200,second:2201

Host web4
  ProxyJump none

Host bastion
  HostName 192.0.2.1
  User jumper

Host web*
  User fallback
  Port 2000
  ProxyJump bastion9

Host *
  User everyone
  Port 2022
  IdentityFile ~/.ssh/id_default
`;

describe('resolveSshTarget', () => {
  it('without a config: the name, port 22, the local user, nothing else', () => {
    expect(resolveSshTarget('', '10.0.0.5', NO, ENV)).toEqual({
      alias: '10.0.0.5',
      hostName: '10.0.0.5',
      port: 22,
      user: 'op',
      identityFiles: [],
      proxyJump: [],
      knownHostsFiles: [],
      hostKeyAlias: null,
    });
    expect(resolveSshTarget('   \n', 'h', NO, ENV).hostName).toBe('h');
  });

  it(
    'a Host alias gives HostName, Port, User, IdentityFile (~ and %d/%u/%h/%r expanded, then Host * ' +
      'defaults), UserKnownHostsFile, HostKeyAlias',
    () => {
      expect(resolveSshTarget(CONFIG, 'web1', NO, ENV)).toEqual({
        alias: 'web1',
        hostName: '10.0.0.11',
        port: 2222,
        user: 'deploy',
        identityFiles: ['/home/op/.ssh/web1_key', '/home/op/.ssh/id_op_10.0.0.11_deploy', '/home/op/.ssh/id_default'],
        // web1 has no ProxyJump of its own: `Host web*` gives one (first value wins, across blocks)
        proxyJump: ['bastion9'],
        knownHostsFiles: ['/home/op/.ssh/kh1', '/etc/ssh/kh2'],
        hostKeyAlias: 'web1-key',
      });
    },
  );

  it('first value wins: the specific block before `Host web*` before `Host *`', () => {
    const web2 = resolveSshTarget(CONFIG, 'web2', NO, ENV);
    expect(web2).toMatchObject({
      hostName: 'web2.internal',
      port: 2000,
      user: 'fallback',
      proxyJump: ['bastion'],
      identityFiles: ['/home/op/.ssh/id_default'],
    });
    const other = resolveSshTarget(CONFIG, 'db1', NO, ENV);
    expect(other).toMatchObject({
      hostName: 'db1',
      port: 2022,
      user: 'everyone',
      proxyJump: [],
      identityFiles: ['/home/op/.ssh/id_default'],
      hostKeyAlias: null,
    });
  });

  it('ProxyJump: single, chained (outermost first), and `none` (which also stops later blocks)', () => {
    expect(resolveSshTarget(CONFIG, 'web2', NO, ENV).proxyJump).toEqual(['bastion']);
    expect(resolveSshTarget(CONFIG, 'web3', NO, ENV).proxyJump).toEqual(['jump@bastion:2200', 'second:2201']);
    expect(resolveSshTarget(CONFIG, 'web4', NO, ENV).proxyJump).toEqual([]);
    expect(resolveSshTarget('Host x\n  ProxyJump NONE\n', 'x', NO, ENV).proxyJump).toEqual([]);
    expect(resolveSshTarget('Host x\n  ProxyJump a , b\n', 'x', NO, ENV).proxyJump).toEqual(['a', 'b']);
  });

  it(
    "a node's proxyJump (from the playbook or ansible_ssh_common_args) wins over the config; `none` " +
      'connects directly',
    () => {
      expect(resolveSshTarget(CONFIG, 'web2', { ...NO, proxyJump: 'ops@gw:2200,inner' }, ENV).proxyJump).toEqual([
        'ops@gw:2200',
        'inner',
      ]);
      expect(resolveSshTarget(CONFIG, 'web2', { ...NO, proxyJump: 'none' }, ENV).proxyJump).toEqual([]);
      expect(resolveSshTarget(CONFIG, 'web2', { ...NO, proxyJump: null }, ENV).proxyJump).toEqual(['bastion']);
    },
  );

  it('%h in HostName is the name given; %h in IdentityFile is the resolved HostName', () => {
    const t = resolveSshTarget(
      'Host *.short\n  HostName %h.example.com\n  IdentityFile ~/keys/%h\n',
      'a.short',
      NO,
      ENV,
    );
    expect(t.hostName).toBe('a.short.example.com');
    expect(t.identityFiles).toEqual(['/home/op/keys/a.short.example.com']);
  });

  it('~ is only expanded at the start of a path', () => {
    const t = resolveSshTarget(
      'Host x\n  IdentityFile /keys/~/id\n  IdentityFile ~\n  UserKnownHostsFile ~/kh ~other/kh\n',
      'x',
      NO,
      ENV,
    );
    expect(t.identityFiles).toEqual(['/keys/~/id', '/home/op']);
    expect(t.knownHostsFiles).toEqual(['/home/op/kh', '~other/kh']);
  });

  it(
    'playbook overrides win over the config: port, user (also for %r), identityFile (replaces all of ' +
      'them, expanded)',
    () => {
      const t = resolveSshTarget(
        CONFIG,
        'web1',
        { port: 22, user: 'liferay', identityFile: '~/.ssh/playbook_%r_%h' },
        ENV,
      );
      expect(t).toMatchObject({
        hostName: '10.0.0.11',
        port: 22,
        user: 'liferay',
        identityFiles: ['/home/op/.ssh/playbook_liferay_10.0.0.11'],
      });
      const r = resolveSshTarget(CONFIG, 'web1', { port: null, user: 'liferay', identityFile: null }, ENV);
      expect(r.identityFiles).toContain('/home/op/.ssh/id_op_10.0.0.11_liferay');
      expect(r.port).toBe(2222);
    },
  );

  it('keywords are case-insensitive and `Keyword=value` works', () => {
    const t = resolveSshTarget('Host x\n  hostname 10.9.9.9\n  PORT=2200\n  user = admin\n', 'x', NO, ENV);
    expect(t).toMatchObject({ hostName: '10.9.9.9', port: 2200, user: 'admin' });
  });

  it('Host patterns: negation and several patterns on one line', () => {
    const text = 'Host *.prod !bad.prod\n  User produser\nHost a b c\n  Port 2345\n';
    expect(resolveSshTarget(text, 'x.prod', NO, ENV).user).toBe('produser');
    expect(resolveSshTarget(text, 'bad.prod', NO, ENV).user).toBe('op');
    expect(resolveSshTarget(text, 'b', NO, ENV).port).toBe(2345);
    expect(resolveSshTarget(text, 'd', NO, ENV).port).toBe(22);
  });
});

describe('parseJumpHop', () => {
  it.each([
    ['bastion', { user: null, host: 'bastion', port: null }],
    ['jump@bastion', { user: 'jump', host: 'bastion', port: null }],
    ['bastion:2200', { user: null, host: 'bastion', port: 2200 }],
    ['jump@bastion:2200', { user: 'jump', host: 'bastion', port: 2200 }],
    ['10.0.0.1:22', { user: null, host: '10.0.0.1', port: 22 }],
    ['[::1]:2222', { user: null, host: '::1', port: 2222 }],
    ['me@[fe80::1]', { user: 'me', host: 'fe80::1', port: null }],
    ['::1', { user: null, host: '::1', port: null }],
  ])('%s', (hop, want) => {
    expect(parseJumpHop(hop)).toEqual(want);
  });

  // OpenSSH also accepts `ssh://[user@]host[:port]` URIs in ProxyJump (ssh_config(5)).
  // Regression: parseJumpHop used to take `ssh://jump` as the user.
  it('ssh://user@host:port URIs: the scheme is not part of the user name', () => {
    expect(parseJumpHop('ssh://jump@bastion:2200')).toEqual({ user: 'jump', host: 'bastion', port: 2200 });
  });
});

// OpenSSH as the oracle: `ssh -G` prints the configuration it would use.
const sshG = spawnSync('ssh', ['-G', '-F', '/dev/null', 'probe'], { encoding: 'utf8' });
const haveSsh = !sshG.error && sshG.status === 0;
if (!haveSsh)
  process.stderr.write(
    '\n[ssh-config] `ssh -G` unavailable: the OpenSSH comparison is SKIPPED (install openssh-client)\n\n',
  );

describe.skipIf(!haveSsh)('agrees with `ssh -G`', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lrroll-ssh-config-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('on HostName, Port, User, ProxyJump and HostKeyAlias for every alias', () => {
    const file = join(dir, 'config');
    writeFileSync(file, CONFIG);
    const localUser =
      /^user (.*)$/m.exec(spawnSync('ssh', ['-G', '-F', '/dev/null', 'probe'], { encoding: 'utf8' }).stdout)?.[1] ?? '';
    for (const alias of ['web1', 'web2', 'web3', 'web4', 'bastion', 'db1', 'web77']) {
      const out = spawnSync('ssh', ['-G', '-F', file, alias], { encoding: 'utf8' }).stdout;
      const get = (k: string): string | undefined => new RegExp(`^${k} (.*)$`, 'm').exec(out)?.[1];
      const ours = resolveSshTarget(CONFIG, alias, NO, { home: '/root', user: localUser });
      expect({
        alias,
        hostName: ours.hostName,
        port: ours.port,
        user: ours.user,
        proxyJump: ours.proxyJump.join(','),
        hostKeyAlias: ours.hostKeyAlias,
      }).toEqual({
        alias,
        hostName: get('hostname'),
        port: Number(get('port')),
        user: get('user'),
        proxyJump: get('proxyjump') ?? '',
        hostKeyAlias: get('hostkeyalias') ?? null,
      });
    }
  });
});
