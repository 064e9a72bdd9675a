/**
 * lrroll reads Ansible inventories as Ansible does: for every inventory in
 * test/fixtures/ansible-inventories/ (INI and YAML, group_vars/host_vars files and folders, vault),
 * the hosts, each host's groups and every variable lrroll resolves (precedence included) equal what
 * `ansible-inventory --list` printed, kept as <fixture>/ansible-expected.json (regenerate with
 * `node test/ansible/inventory-ansible.mjs`). Where ansible-inventory is installed (CI installs it),
 * it is run again and must still print the kept result.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadVarsFiles } from '../../../../src/app/inventory-files.js';
import { readAnsibleInventory } from '../../../../src/playbook/inventory/ansible.js';
import { resolveAnsibleModel } from '../../../../src/playbook/inventory/resolve.js';
import {
  ansibleOrders,
  ansibleView,
  hasAnsibleInventory,
  inventoryFixtures,
  type AnsibleInventoryView,
  type InventoryFixture,
} from '../../../ansible/inventory-ansible.mjs';

const FIXTURES = inventoryFixtures();
/** What is compared: the hosts (groups, vars) and each group's direct hosts; the rolling order covers the children. */
type HostsAndGroups = Pick<AnsibleInventoryView, 'hosts' | 'groupHosts'>;

/** The rolling order lrroll gives the hosts of `group` (Ansible's `hosts: <group>` order). */
async function lrrollOrder(f: InventoryFixture, group: string): Promise<string[]> {
  const model = readAnsibleInventory(readFileSync(f.file, 'utf8'), f.file);
  const env = {
    PATH: process.env['PATH'],
    ...(f.vaultPassword ? { ANSIBLE_VAULT_PASSWORD_FILE: f.vaultPassword } : {}),
  };
  const files = await loadVarsFiles(model, f.file, env, new Map());
  return resolveAnsibleModel(model, { group }, files.files).hosts.map((h) => h.name);
}

/**
 * lrroll's view of a fixture in the shape of ansible-inventory's (inline vault values still encrypted, as Ansible
 * prints them).
 */
async function lrrollView(f: InventoryFixture): Promise<HostsAndGroups & { errors: string[] }> {
  const model = readAnsibleInventory(readFileSync(f.file, 'utf8'), f.file);
  const env = {
    PATH: process.env['PATH'],
    ...(f.vaultPassword ? { ANSIBLE_VAULT_PASSWORD_FILE: f.vaultPassword } : {}),
  };
  const files = await loadVarsFiles(model, f.file, env, new Map());
  const resolved = resolveAnsibleModel(model, {}, files.files);
  const hosts: AnsibleInventoryView['hosts'] = {};
  for (const h of resolved.hosts) {
    hosts[h.name] = {
      groups: h.groups,
      vars: Object.fromEntries([...h.vars].map(([k, v]) => [k, v.vault ? { __ansible_vault: v.value } : v.value])),
    };
  }
  const groupHosts: Record<string, string[]> = {};
  for (const [g, group] of model.groups)
    if (group.hosts.length > 0 && g !== 'all' && g !== 'ungrouped') groupHosts[g] = group.hosts;
  const errors = [...files.diagnostics, ...resolved.diagnostics]
    .filter((d) => d.severity === 'error')
    .map((d) => d.summary);
  return { hosts, groupHosts, errors };
}

function kept(f: InventoryFixture): HostsAndGroups {
  const data = JSON.parse(readFileSync(`${f.dir}/ansible-expected.json`, 'utf8')) as AnsibleInventoryView;
  const groupHosts = Object.fromEntries(
    Object.entries(data.groupHosts).filter(([g]) => g !== 'all' && g !== 'ungrouped'),
  );
  return { hosts: data.hosts, groupHosts };
}

describe('Ansible inventories: lrroll resolves what ansible-inventory --list resolved', () => {
  it('has the fixtures (INI, YAML, vars files, vault, a Liferay cluster)', () => {
    expect(FIXTURES.map((f) => f.name)).toEqual(['ini-basic', 'ini-vars-files', 'liferay', 'vault', 'yaml-basic']);
  });

  it.each(FIXTURES.map((f) => [f.name, f] as const))('%s: hosts, groups and variables', async (_name, f) => {
    const mine = await lrrollView(f);
    const theirs = kept(f);
    expect(mine.errors).toEqual([]);
    expect(Object.keys(mine.hosts).sort()).toEqual(Object.keys(theirs.hosts).sort());
    for (const [name, h] of Object.entries(theirs.hosts)) {
      expect(mine.hosts[name]?.groups, `groups of ${name}`).toEqual(h.groups);
      expect(mine.hosts[name]?.vars, `vars of ${name}`).toEqual(h.vars);
    }
    expect(mine.groupHosts).toEqual(theirs.groupHosts);
  });

  it.each(FIXTURES.map((f) => [f.name, f] as const))(
    '%s: the rolling order of each group is the order Ansible runs them in',
    async (_name, f) => {
      const orders = (
        JSON.parse(readFileSync(`${f.dir}/ansible-expected.json`, 'utf8')) as { orders: Record<string, string[]> }
      ).orders;
      expect(Object.keys(orders).length).toBeGreaterThan(0);
      for (const [group, hosts] of Object.entries(orders))
        expect(await lrrollOrder(f, group), `hosts: ${group}`).toEqual(hosts);
    },
  );
});

describe.skipIf(!hasAnsibleInventory() && process.env['CI'] !== 'true')(
  'Ansible inventories: ansible-inventory run now',
  () => {
    it.each(FIXTURES.map((f) => [f.name, f] as const))(
      '%s: still prints the kept result',
      (_name, f) => {
        expect(hasAnsibleInventory(), 'ansible-inventory must be installed (apt-get install ansible)').toBe(true);
        const fresh = ansibleView(f);
        const k = JSON.parse(readFileSync(`${f.dir}/ansible-expected.json`, 'utf8')) as AnsibleInventoryView;
        expect(fresh.hosts).toEqual(k.hosts);
        expect(fresh.groupHosts).toEqual(k.groupHosts);
        const [group, hosts] = Object.entries(
          (k as AnsibleInventoryView & { orders: Record<string, string[]> }).orders,
        )[0] as [string, string[]];
        expect(ansibleOrders(f, fresh, [group])).toEqual({ [group]: hosts });
      },
      120_000,
    );
  },
);
