/**
 * Which SSH config and known_hosts files a run uses: the command line's, else the playbook's
 * `inventory.ssh` (relative to the playbook, `~` for the home), else the environment's; and a
 * playbook naming a config file that does not exist is invalid, with the place.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sshSettings } from '../../../src/app/execute.js';
import { resolveSshFiles, sshFilesProblem } from '../../../src/app/ssh-files.js';
import { planPlaybook } from '../../../src/app/use-cases.js';
import { SSH_TIMINGS } from '../../../src/plan/defaults.js';

const dir = mkdtempSync(join(tmpdir(), 'lrroll-ssh-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = {
  HOME: '/home/ops',
  LRROLL_SSH_CONFIG: '/etc/lrroll/ssh_config',
  LRROLL_KNOWN_HOSTS: '/etc/lrroll/known_hosts',
};
const fromPlaybook = {
  source: { file: 'ops/playbooks/fix.yml', sha256: '', gitCommit: null, gitDirty: false },
  ssh: { configFile: '../ssh/config', knownHostsFiles: ['~/.ssh/prod_known_hosts', 'kh'] },
};

describe('resolveSshFiles and sshSettings', () => {
  it('the transport gets its deadlines from the defaults table: connect, keepalive, and the kill grace times', () => {
    const settings = sshSettings(env, false, { configFile: null, knownHostsFiles: null });
    expect(settings).toMatchObject(SSH_TIMINGS);
    expect(Object.keys(SSH_TIMINGS)).toEqual([
      'connectTimeoutMs',
      'keepaliveMs',
      'killGraceMs',
      'killCommandMs',
      'shellsPerConnection',
    ]);
  });

  it('the command line wins, relative to the working directory', () => {
    const files = resolveSshFiles(fromPlaybook, { sshConfig: 'cli_config', knownHosts: ['a', '/abs/b'] }, env, '/work');
    expect(files).toEqual({ configFile: '/work/cli_config', knownHostsFiles: ['/work/a', '/abs/b'] });
    expect(sshSettings(env, false, files).knownHostsFiles).toEqual(['/work/a', '/abs/b']);
  });

  it('then the playbook, relative to the playbook, `~` for the home', () => {
    expect(resolveSshFiles(fromPlaybook, {}, env, '/work')).toEqual({
      configFile: '/work/ops/ssh/config',
      knownHostsFiles: ['/home/ops/.ssh/prod_known_hosts', '/work/ops/playbooks/kh'],
    });
  });

  it('then the environment (LRROLL_*), then ~/.ssh', () => {
    const none = resolveSshFiles(
      { ...fromPlaybook, ssh: { configFile: null, knownHostsFiles: null } },
      {},
      env,
      '/work',
    );
    expect(none).toEqual({ configFile: null, knownHostsFiles: null });
    expect(sshSettings(env, false, none).knownHostsFiles).toEqual(['/etc/lrroll/known_hosts']);
    expect(sshSettings({ HOME: '/home/ops' }, false, none).knownHostsFiles).toEqual(['/home/ops/.ssh/known_hosts']);
  });

  it('a chosen config file must exist', () => {
    expect(sshFilesProblem({ configFile: join(dir, 'missing'), knownHostsFiles: null })).toBe(
      `the SSH config file ${join(dir, 'missing')} does not exist`,
    );
    expect(sshFilesProblem({ configFile: dir, knownHostsFiles: null })).toBe(
      `the SSH config file ${dir} is not a file`,
    );
  });
});

describe('inventory.ssh in the playbook', () => {
  const playbook = (ssh: string): string =>
    [
      'lrroll: 1',
      'name: SSH files',
      'inventory:',
      ssh,
      '  nodes:',
      '    - name: node1',
      '    - name: node2',
      'change:',
      '  type: restart',
      '',
    ].join('\n');

  it('is recorded in the plan as written', async () => {
    writeFileSync(join(dir, 'cfg'), 'Host x\n');
    writeFileSync(join(dir, 'ok.yml'), playbook('  ssh:\n    configFile: cfg\n    knownHostsFiles: [kh1, kh2]'));
    const { plan } = await planPlaybook(join(dir, 'ok.yml'), { vars: {}, limit: null });
    expect(plan?.ssh).toEqual({ configFile: 'cfg', knownHostsFiles: ['kh1', 'kh2'] });
  });

  it('a config file that does not exist is an error at its place', async () => {
    writeFileSync(join(dir, 'missing.yml'), playbook('  ssh:\n    configFile: no_such_config'));
    const { plan, diagnostics } = await planPlaybook(join(dir, 'missing.yml'), { vars: {}, limit: null });
    expect(plan).toBeUndefined();
    expect(diagnostics).toContainEqual(
      expect.objectContaining({
        code: 'E_FILE',
        summary: `the SSH config file \`no_such_config\` does not exist (looked for ${join(dir, 'no_such_config')})`,
        source: { file: join(dir, 'missing.yml'), line: 5, col: 17 },
      }),
    );
  });

  it('`ssh` in an lrroll inventory file is refused (it would be ignored)', async () => {
    mkdirSync(join(dir, 'inv'), { recursive: true });
    writeFileSync(join(dir, 'inv/nodes.yml'), 'ssh:\n  configFile: x\nnodes:\n  - name: node1\n  - name: node2\n');
    writeFileSync(
      join(dir, 'inv.yml'),
      [
        'lrroll: 1',
        'name: SSH in inventory file',
        'inventory:',
        '  file: inv/nodes.yml',
        'change:',
        '  type: restart',
        '',
      ].join('\n'),
    );
    const { diagnostics } = await planPlaybook(join(dir, 'inv.yml'), { vars: {}, limit: null });
    expect(diagnostics).toContainEqual(
      expect.objectContaining({
        code: 'E_INVENTORY',
        summary: '`ssh` is read from the playbook only, not from an inventory file',
      }),
    );
  });
});
