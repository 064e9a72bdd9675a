// Runs real `ansible-inventory --list` over the inventories in test/fixtures/ansible-inventories/
// and keeps what Ansible resolved (each host's groups and variables, each group's direct hosts) as
// <fixture>/ansible-expected.json. `node test/ansible/inventory-ansible.mjs` regenerates them; the
// unit test compares lrroll with the kept files, and with a fresh run where Ansible is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../fixtures/ansible-inventories/', import.meta.url));

/** The fixtures: each folder with its inventory file (hosts.ini or hosts.yml) and optional vault password. */
export function inventoryFixtures() {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const dir = join(FIXTURES, d.name);
      const file = ['hosts.ini', 'hosts.yml'].map((f) => join(dir, f)).find((f) => existsSync(f));
      const vaultPassword = join(dir, 'vault-password');
      return { name: d.name, dir, file, vaultPassword: existsSync(vaultPassword) ? vaultPassword : null };
    })
    .filter((f) => f.file)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** True when ansible-inventory can be run here. */
export function hasAnsibleInventory() {
  return spawnSync('ansible-inventory', ['--version'], { encoding: 'utf8' }).status === 0;
}

function ansibleEnv(fixture) {
  const env = { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: join(fixture.dir, 'no-ansible.cfg') };
  if (fixture.vaultPassword) env.ANSIBLE_VAULT_PASSWORD_FILE = fixture.vaultPassword;
  else delete env.ANSIBLE_VAULT_PASSWORD_FILE;
  return env;
}

/**
 * The order in which Ansible runs the hosts of each group (`ansible <group> --list-hosts`), for the
 * groups where that order is defined: Ansible walks grandchildren through a Python set, so a group
 * with grandchildren (and `all` when a top group has children) is left out. `only`: just these groups.
 */
export function ansibleOrders(fixture, view, only) {
  const children = view.children;
  const orders = {};
  for (const group of only ?? Object.keys(children)) {
    if ((children[group] ?? []).some((c) => (children[c] ?? []).length > 0)) continue;
    const r = spawnSync('ansible', [group, '-i', fixture.file, '--list-hosts'], {
      encoding: 'utf8',
      env: ansibleEnv(fixture),
    });
    if (r.status !== 0) throw new Error(`ansible --list-hosts failed on ${fixture.name}/${group}: ${r.stderr}`);
    orders[group] = r.stdout
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter(Boolean);
  }
  return orders;
}

/** `ansible-inventory --list` of one fixture, reduced to hosts (groups, vars) and groups (direct hosts, children). */
export function ansibleView(fixture) {
  const env = ansibleEnv(fixture);
  const r = spawnSync('ansible-inventory', ['-i', fixture.file, '--list'], {
    encoding: 'utf8',
    env,
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`ansible-inventory failed on ${fixture.name}: ${r.stderr}`);
  const data = JSON.parse(r.stdout);
  const parents = new Map();
  const groupHosts = {};
  const children = {};
  for (const [group, body] of Object.entries(data)) {
    if (group === '_meta') continue;
    for (const child of body.children ?? []) parents.set(child, [...(parents.get(child) ?? []), group]);
    if (body.hosts) groupHosts[group] = body.hosts;
    children[group] = body.children ?? [];
  }
  const hosts = {};
  for (const [name, vars] of Object.entries(data._meta.hostvars)) hosts[name] = { groups: [], vars };
  for (const name of Object.keys(data._meta?.hostvars ?? {})) hosts[name] ??= { groups: [], vars: {} };
  for (const [group, members] of Object.entries(groupHosts)) {
    for (const h of members) {
      hosts[h] ??= { groups: [], vars: {} };
      const seen = new Set();
      const queue = [group];
      while (queue.length) {
        const g = queue.shift();
        if (seen.has(g)) continue;
        seen.add(g);
        queue.push(...(parents.get(g) ?? []));
      }
      hosts[h].groups = [...new Set([...hosts[h].groups, ...seen])].filter((g) => g !== 'all').sort();
    }
  }
  return { hosts, groupHosts, children };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const version = spawnSync('ansible-inventory', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  for (const f of inventoryFixtures()) {
    const out = join(f.dir, 'ansible-expected.json');
    const view = ansibleView(f);
    writeFileSync(
      out,
      `${JSON.stringify({ generatedBy: version, ...view, orders: ansibleOrders(f, view) }, null, 1)}\n`,
    );
    console.log(`${f.name}: ${out}`);
  }
}
