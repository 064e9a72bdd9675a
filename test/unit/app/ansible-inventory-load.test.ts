/**
 * An Ansible inventory used as-is by a playbook: group_vars/host_vars around it, vault values
 * decrypted with ansible-vault (password from ANSIBLE_VAULT_PASSWORD_FILE, as Ansible does), the
 * connection and sudo settings in the plan, and a located warning for everything lrroll leaves aside.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { withInventorySecrets } from '../../../src/app/resume.js';
import { planPlaybook } from '../../../src/app/use-cases.js';
import { findAnsibleVault } from '../../../src/app/vault.js';

process.env['GIT_OPTIONAL_LOCKS'] = '0';
const FIXTURES = fileURLToPath(new URL('../../fixtures/ansible-inventories/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lrroll-ansible-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A playbook in a temp folder using one of the fixture inventories. */
function playbook(fixture: string, file: string, group?: string): string {
  const path = join(dir, `${fixture}.yml`);
  writeFileSync(
    path,
    `lrroll: 1\nname: t\ninventory:\n  file: ${join(FIXTURES, fixture, file)}\n` +
      `${group ? `  group: ${group}\n` : ''}loadBalancer:\n  type: none\nchange:\n  type: restart\n`,
  );
  return path;
}

function show(
  ds: ReadonlyArray<{
    severity: string;
    code: string;
    summary: string;
    source?: { file: string; line: number; col: number };
  }>,
): string[] {
  return ds.map(
    (d) =>
      `${d.severity} ${d.code} ` +
      `${d.source ? `${d.source.file.replace(FIXTURES, '')}:${d.source.line}:${d.source.col}` : '-'} ` +
      `${d.summary}`,
  );
}

describe('a Liferay cluster kept for Ansible', () => {
  it(
    'gives each node its address, user, port, ProxyJump and sudo settings, and lists the secret it ' + 'needs',
    async () => {
      const out = await planPlaybook(playbook('liferay', 'hosts.ini', 'liferay'), {
        vars: {},
        limit: null,
        env: { PATH: process.env['PATH'] },
      });
      expect(show(out.diagnostics.filter((d) => d.severity === 'error'))).toEqual([]);
      expect(
        out.plan?.nodes.map((n) => [
          n.name,
          n.host,
          n.port,
          n.user,
          n.proxyJump,
          n.becomeUser,
          n.becomePassword,
          n.liferayHome,
        ]),
      ).toEqual([
        ['lr1', '10.0.0.11', null, 'liferay', 'ops@bastion.example.net:2200', 'root', 'SUDO_PASSWORD', '/opt/liferay'],
        ['lr2', '10.0.0.12', null, 'liferay', 'ops@bastion.example.net:2200', 'root', 'SUDO_PASSWORD', '/opt/liferay'],
        ['lr3', '10.0.0.13', 2222, 'liferay', 'ops@bastion.example.net:2200', 'root', 'SUDO_PASSWORD', '/opt/liferay'],
      ]);
      expect(out.plan?.secrets).toContain('SUDO_PASSWORD');
      expect(out.plan?.preflight.some((s) => s.become)).toBe(true);
    },
  );

  it(
    'warns once, where it is written, about each setting it does not use; ansible_python_interpreter is ' +
      'ignored knowingly',
    async () => {
      const out = await planPlaybook(playbook('liferay', 'hosts.ini'), { vars: {}, limit: null, env: {} });
      expect(show(out.diagnostics.filter((d) => d.severity === 'warning'))).toEqual([
        'warning W_INVENTORY liferay/hosts.ini:16:1 `-o StrictHostKeyChecking=yes` in ' +
          '`ansible_ssh_common_args` (host `lr1`) is not used by lrroll',
        'warning W_INVENTORY liferay/group_vars/lb.yml:3:1 variable `my-var` (host `lb1`) is left out: ' +
          'template variable names are letters, digits and `_`',
        'warning W_INVENTORY liferay/group_vars/lb.yml:4:1 `ansible_timeout` (host `lb1`) is not used by lrroll',
        'warning W_INVENTORY liferay/group_vars/lb.yml:5:1 variable `cluster_name` (host `lb1`) holds a ' +
          'Jinja expression, which lrroll does not evaluate: the text is used as it is',
      ]);
      expect(out.plan?.nodes.find((n) => n.name === 'lb1')?.transport).toBe('local');
    },
  );
});

describe('group_vars and host_vars', () => {
  it('warns about files Ansible does not read (an INI-style file, a host that does not exist)', async () => {
    const out = await planPlaybook(playbook('ini-vars-files', 'hosts.ini'), { vars: {}, limit: null, env: {} });
    expect(show(out.diagnostics.filter((d) => /_vars/.test(d.summary)))).toEqual([
      'warning W_INVENTORY ini-vars-files/group_vars/db.ini:1:1 group_vars/db.ini is not read: ' +
        'Ansible reads group_vars files as YAML or JSON only (no extension, .yml, .yaml, .json)',
      'warning W_INVENTORY ini-vars-files/host_vars/nobody.yml:1:1 host_vars entry `nobody.yml` ' +
        'matches no host of the inventory, so it is not read (Ansible ignores it too)',
    ]);
    expect(out.plan).toBeDefined();
  });
});

const hasVault = findAnsibleVault(process.env) !== undefined;

describe.skipIf(!hasVault && process.env['CI'] !== 'true')('vault values (ansible-vault installed)', () => {
  const password = join(FIXTURES, 'vault', 'vault-password');

  it('decrypts inline and whole-file vault values; they reach the run as secrets, never the plan', async () => {
    const out = await planPlaybook(playbook('vault', 'hosts.yml'), {
      vars: {},
      limit: null,
      env: { PATH: process.env['PATH'], ANSIBLE_VAULT_PASSWORD_FILE: password },
    });
    expect(show(out.diagnostics.filter((d) => d.severity === 'error'))).toEqual([]);
    const lr1 = out.plan?.nodes.find((n) => n.name === 'lr1');
    expect(lr1?.becomePassword).toBe('LRROLL_INVENTORY_ANSIBLE_BECOME_PASSWORD_1');
    expect(out.inventorySecrets).toEqual({
      LRROLL_INVENTORY_ANSIBLE_BECOME_PASSWORD_1: 's3cr3t-sudo',
      LRROLL_INVENTORY_DB_PASSWORD_1: 'db-pass',
      LRROLL_INVENTORY_API_TOKEN_1: 'tok-123',
      LRROLL_INVENTORY_REGION_1: 'eu',
    });
    const json = JSON.stringify(out.plan);
    for (const secret of ['s3cr3t-sudo', 'db-pass', 'tok-123']) expect(json).not.toContain(secret);
  });

  it('without a vault password: an error naming each encrypted variable and file', async () => {
    const out = await planPlaybook(playbook('vault', 'hosts.yml'), {
      vars: {},
      limit: null,
      env: { PATH: process.env['PATH'], HOME: dir },
    });
    expect(
      show(out.diagnostics.filter((d) => d.severity === 'error')).map((s) =>
        s.replace(/: ansible-vault could not decrypt it: .*/, ': …'),
      ),
    ).toEqual([
      'error E_VAULT vault/group_vars/all.yml:1:1 vault/group_vars/all.yml is encrypted with Ansible Vault: …'.replace(
        'vault/group_vars/all.yml is',
        `${join(FIXTURES, 'vault/group_vars/all.yml')} is`,
      ),
      'error E_VAULT vault/host_vars/lr1.yml:2:1 `ansible_become_password` is encrypted with Ansible Vault: …',
      'error E_VAULT vault/host_vars/lr1.yml:9:1 `db_password` is encrypted with Ansible Vault: …',
    ]);
    expect(out.diagnostics.find((d) => d.code === 'E_VAULT')?.hint).toContain('ANSIBLE_VAULT_PASSWORD_FILE');
  }, 60_000);
});

describe('vault values without ansible-vault', () => {
  it('is a clear error naming the variable', async () => {
    const out = await planPlaybook(playbook('vault', 'hosts.yml'), {
      vars: {},
      limit: null,
      env: { PATH: '/nonexistent' },
    });
    const errors = show(out.diagnostics.filter((d) => d.severity === 'error'));
    expect(errors).toContain(
      'error E_VAULT vault/host_vars/lr1.yml:2:1 `ansible_become_password` is encrypted with Ansible ' +
        'Vault: `ansible-vault` is not installed',
    );
    expect(out.plan).toBeUndefined();
  });
});

describe('resume', () => {
  it("reads the inventory's secret values again, since neither the record nor the environment holds them", async () => {
    const inv = join(dir, 'resume-hosts.ini');
    writeFileSync(inv, '[liferay]\nlr1 ansible_become=true ansible_become_password=s3cret-again\n');
    const pb = join(dir, 'resume.yml');
    writeFileSync(
      pb,
      `lrroll: 1\nname: t\ninventory:\n  file: ${inv}\nloadBalancer:\n  type: none\nchange:\n  type: ` +
        `restart\nrollout:\n  minHealthy: 0\n`,
    );
    const out = await planPlaybook(pb, { vars: {}, limit: null, env: {} });
    const run = join(dir, 'run-record');
    mkdirSync(run);
    writeFileSync(join(run, 'plan.json'), JSON.stringify(out.plan));
    expect(JSON.stringify(out.plan)).not.toContain('s3cret-again');
    const env = await withInventorySecrets(run, { HOME: dir });
    expect(env).toEqual({ HOME: dir, LRROLL_INVENTORY_ANSIBLE_BECOME_PASSWORD_1: 's3cret-again' });
    expect(await withInventorySecrets(run, { LRROLL_INVENTORY_ANSIBLE_BECOME_PASSWORD_1: 'given' })).toEqual({
      LRROLL_INVENTORY_ANSIBLE_BECOME_PASSWORD_1: 'given',
    });
  });
});
