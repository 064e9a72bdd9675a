// sudo with a password, on a real node: a user `lrsudo` whose sudo asks for a password and a user
// `lrnopw` with passwordless sudo exist only inside the test node's mount namespace (bind-mounted
// passwd, shadow, group and sudoers.d), reached over the node's real sshd. The password goes to sudo
// on stdin, never on a command line or in an environment; a node that asks for a password none was
// configured for fails preflight with that reason.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshTransport, type SshSettings } from '../../src/execute/transports/ssh.js';
import type { SudoSettings } from '../../src/execute/transport.js';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { lrroll } from './helpers/lrroll-run.js';

const PASSWORD = 'Pw-for-tests-7Q2';
const support = clusterSupport();
const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const missing = ['sudo', 'openssl'].filter((c) => !have(c));
const reason = !support.ok ? support.reason : missing.length ? `${missing.join(', ')} not installed` : '';
if (reason) process.stderr.write(`\n[sudo-password] SKIPPED: ${reason}\n\n`);

describe.skipIf(reason !== '')(`sudo with a password on a real node${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let cluster: TestCluster | undefined;
  let tmp = '';
  let knownHosts = '';
  const open: SshTransport[] = [];
  const c = (): TestCluster => {
    if (!cluster) throw new Error('cluster did not start');
    return cluster;
  };

  /** passwd/shadow/group/sudoers.d for the node: the host's, plus the two test users. */
  function prepareEtc(): Array<{ source: string; target: string }> {
    const etc = join(tmp, 'etc');
    mkdirSync(join(etc, 'sudoers.d'), { recursive: true });
    const hash = execFileSync('openssl', ['passwd', '-6', '-salt', 'lrrolltest', PASSWORD], {
      encoding: 'utf8',
    }).trim();
    const users: Array<[string, number]> = [
      ['lrsudo', 4242],
      ['lrnopw', 4243],
    ];
    for (const [name, uid] of users) {
      const home = join(tmp, `home-${name}`);
      mkdirSync(home);
      chownSync(home, uid, uid);
    }
    writeFileSync(
      join(etc, 'passwd'),
      `${readFileSync('/etc/passwd', 'utf8')}` +
        `${users.map(([n, u]) => `${n}:x:${u}:${u}::${join(tmp, `home-${n}`)}:/bin/sh\n`).join('')}`,
    );
    writeFileSync(
      join(etc, 'group'),
      `${readFileSync('/etc/group', 'utf8')}${users.map(([n, u]) => `${n}:x:${u}:\n`).join('')}`,
    );
    writeFileSync(
      join(etc, 'shadow'),
      `${readFileSync('/etc/shadow', 'utf8')}${users.map(([n]) => `${n}:${hash}:19000:0:99999:7:::\n`).join('')}`,
      { mode: 0o640 },
    );
    for (const f of readdirSync('/etc/sudoers.d')) copyFileSync(join('/etc/sudoers.d', f), join(etc, 'sudoers.d', f));
    writeFileSync(
      join(etc, 'sudoers.d', 'lrroll-test'),
      'Defaults:lrsudo !lecture\nlrsudo ALL=(ALL:ALL) ALL\nlrnopw ALL=(ALL:ALL) NOPASSWD: ALL\n',
      { mode: 0o440 },
    );
    chmodSync(join(etc, 'sudoers.d'), 0o755);
    return ['passwd', 'group', 'shadow', 'sudoers.d'].map((f) => ({ source: join(etc, f), target: `/etc/${f}` }));
  }

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'lrroll-sudo-'));
    chmodSync(tmp, 0o755);
    cluster = await startTestCluster({ nodes: 1, mounts: prepareEtc() });
    // sshd reads authorized_keys as the user logging in: the test users must be able to reach it.
    chmodSync(c().dir, 0o711);
    chmodSync(join(c().dir, 'authorized_keys'), 0o644);
    // The node's Liferay home belongs to the login user, as on a host where Liferay runs as its own user.
    execFileSync('chown', ['-R', '4242:4242', c().nodes[0]?.home as string]);
    knownHosts = join(tmp, 'known_hosts');
    writeFileSync(knownHosts, readFileSync(c().knownHostsFile, 'utf8'));
    if (c().nodes[0]?.sshPort !== 22) execFileSync('ssh-keygen', ['-H', '-f', knownHosts], { stdio: 'ignore' });
  }, 180_000);

  afterAll(async () => {
    for (const t of open) await t.close().catch(() => undefined);
    await cluster?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const settings = (): SshSettings => ({
    sshConfigText: '',
    knownHostsFiles: [knownHosts],
    acceptNewHostKeys: false,
    agentSocket: undefined,
    passphrase: undefined,
    home: tmp,
    localUser: 'root',
    connectTimeoutMs: 10_000,
    keepaliveMs: 15_000,
    killGraceMs: 2_000,
    killCommandMs: 5_000,
    shellsPerConnection: 4,
  });
  const as = (user: string, sudo: SudoSettings): SshTransport => {
    const n = c().nodes[0];
    if (!n) throw new Error('no node');
    const t = new SshTransport(n.address, { port: n.sshPort, user, identityFile: c().identityFile }, settings(), sudo);
    open.push(t);
    return t;
  };

  it('runs as root with the password, secrets still arriving on stdin', async () => {
    const r = await as('lrsudo', { user: null, password: PASSWORD }).exec('id -u; printf "%s" "$S"', {
      timeoutMs: 20_000,
      become: true,
      env: { S: 'a secret' },
    });
    expect(r).toMatchObject({ exitCode: 0, stdout: '0\na secret' });
    expect(r.stderr).toBe('');
  });

  /**
   * Every process on this machine (the node's included) whose command line or environment holds `text`, and those whose
   * command line contains `args`.
   */
  function processes(text: string, args: string): { holding: string[]; matching: number } {
    const holding: string[] = [];
    let matching = 0;
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
      for (const what of ['cmdline', 'environ']) {
        let data = '';
        try {
          data = readFileSync(`/proc/${pid}/${what}`, 'latin1');
        } catch {
          continue; // gone, or not readable
        }
        if (data.includes(text)) holding.push(`${pid}/${what}: ${data.replace(/\0/g, ' ').slice(0, 120)}`);
        if (what === 'cmdline' && data.replace(/\0/g, ' ').includes(args)) matching++;
      }
    }
    return { holding, matching };
  }

  it('the password is on no command line and in no environment while the command runs', async () => {
    const t = as('lrsudo', { user: null, password: PASSWORD });
    const running = t.exec('sleep 3; echo done', { timeoutMs: 20_000, become: true });
    await new Promise((r) => setTimeout(r, 1200));
    const seen = processes(PASSWORD, 'sudo -S -k');
    expect(seen.matching, 'the command runs under sudo -S -k now').toBeGreaterThan(0);
    expect(seen.holding).toEqual([]);
    expect((await running).stdout).toBe('done\n');
  });

  it('without a password, sudo -n says a password is required', async () => {
    const r = await as('lrsudo', { user: null, password: null }).exec('id -u', { timeoutMs: 20_000, become: true });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/a password is required/);
  });

  it('a wrong password is refused by sudo; the secrets after it are never tried as passwords', async () => {
    const r = await as('lrsudo', { user: null, password: 'wrong-password' }).exec('printf "%s" "$S"', {
      timeoutMs: 60_000,
      become: true,
      env: { S: 'never-a-password' },
    });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/incorrect password|Sorry, try again/);
    const log = await c().ssh(1, 'grep -rs never-a-password /var/log/auth.log /var/log/secure 2>/dev/null | wc -l');
    expect(log.stdout.trim()).toBe('0');
  });

  it('a password given for a node whose sudo needs none is skipped over, and -u picks the user', async () => {
    const r = await as('lrnopw', { user: 'lrsudo', password: PASSWORD }).exec('id -un; printf "%s" "$S"', {
      timeoutMs: 20_000,
      become: true,
      env: { S: 'x' },
    });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'lrsudo\nx' });
  });

  it('a command under sudo with a password that times out is killed on the node', async () => {
    const t = as('lrsudo', { user: null, password: PASSWORD });
    const marker = `sleep 77.${Date.now() % 1000}`;
    const r = await t.exec(marker, { timeoutMs: 1500, become: true });
    expect(r.timedOut).toBe(true);
    await new Promise((res) => setTimeout(res, 1500));
    expect(processes('\u0000', marker).matching).toBe(0);
  });

  /** A restart playbook for the node as lrsudo, sudo for file changes and the app server. */
  function playbook(become: string): string {
    const n = c().nodes[0];
    if (!n) throw new Error('no node');
    const file = join(c().dir, `sudo-${Math.random().toString(36).slice(2, 8)}.yml`);
    writeFileSync(
      file,
      `lrroll: 1
name: sudo with a password
inventory:
  defaults:
    user: lrsudo
    identityFile: ${c().identityFile}
    liferayHome: /opt/liferay
    tomcatHome: /opt/liferay/tomcat
    become: ${become}
    service:
      become: true
      stopTimeout: 20s
      startTimeout: 30s
  nodes:
    - name: ${n.name}
      host: ${n.address}
      port: ${n.sshPort}
      httpPort: ${n.httpPort}
loadBalancer:
  type: none
change:
  type: restart
rollout:
  minHealthy: 0
health:
  http:
    url: http://{{host}}:{{httpPort}}/c/portal/layout
    interval: 300ms
    timeout: 60s
  startupMarker:
    timeout: 60s
  settle: 500ms
`,
    );
    return file;
  }
  const run = (file: string, env: Record<string, string> = {}) =>
    lrroll(['run', file, '--yes', '--output', 'plain'], c(), { LRROLL_KNOWN_HOSTS: knownHosts, ...env });

  it(
    'preflight: a node that asks for a password when none is configured is refused with that reason ' + '(exit 3)',
    async () => {
      const r = await run(playbook('true'));
      expect(r.code, r.stderr + r.stdout).toBe(3);
      expect(r.stdout + r.stderr).toContain('sudo asks for a password on this node and none is configured');
    },
    240_000,
  );

  it('preflight: a wrong password is refused with that reason (exit 3), and is never printed', async () => {
    const r = await run(playbook('{ password: "${SUDO_PASSWORD}" }'), { SUDO_PASSWORD: 'not-the-password' });
    expect(r.code, r.stderr + r.stdout).toBe(3);
    expect(r.stdout + r.stderr).toContain('sudo rejected the password from SUDO_PASSWORD');
    expect(r.stdout + r.stderr).not.toContain('not-the-password');
  }, 240_000);

  it('with the password the restart runs through sudo, and the password appears in no output or record', async () => {
    await c().startAll();
    const r = await run(playbook('{ password: "${SUDO_PASSWORD}" }'), { SUDO_PASSWORD: PASSWORD });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/sudo works as root, with the password from SUDO_PASSWORD/);
    const record = spawnSync('sh', ['-c', `cat -- ${join(c().dir, 'lrroll-home')}/runs/*/* 2>/dev/null || true`], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    }).stdout;
    expect(record.length).toBeGreaterThan(0);
    for (const text of [r.stdout, r.stderr, record]) expect(text).not.toContain(PASSWORD);
  }, 240_000);
});
