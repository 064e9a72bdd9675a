/** What lrroll makes of an Ansible host's variables: node fields, template vars, and a warning for everything else. */
import { describe, expect, it } from 'vitest';
import { nodeFromAnsibleHost, type InventorySecrets } from '../../../../src/playbook/inventory/ansible-node.js';
import { readSshArgs } from '../../../../src/playbook/inventory/ssh-args.js';
import { parseAnsibleInventory } from './helpers.js';

function node(
  ini: string,
  secrets: InventorySecrets = { values: new Map(), names: new Map() },
): { node: unknown; problems: string[] } {
  const r = parseAnsibleInventory(`[x]\n${ini}\n`, 'hosts.ini');
  const host = r.hosts[0];
  if (!host) throw new Error(`no host: ${JSON.stringify(r.diagnostics)}`);
  const mapped = nodeFromAnsibleHost(host, secrets);
  return {
    node: mapped.node,
    problems: mapped.diagnostics.map((d) => `${d.severity} ${d.code} ${d.source?.line}:${d.source?.col} ${d.summary}`),
  };
}

describe('ansible_* variables lrroll understands', () => {
  it('connection: host, port, user, key, local', () => {
    expect(
      node(
        'h ansible_host=10.0.0.5 ansible_port=2222 ansible_user=lr ' +
          'ansible_ssh_private_key_file=~/.ssh/k ansible_connection=local',
      ).node,
    ).toEqual({ name: 'h', host: '10.0.0.5', port: 2222, user: 'lr', identityFile: '~/.ssh/k', transport: 'local' });
    expect(node('h ansible_connection=smart').node).toEqual({ name: 'h', transport: 'ssh' });
  });

  it('become: true, a user, sudo as the method, Ansible booleans', () => {
    expect(node('h ansible_become=yes').node).toEqual({ name: 'h', become: true });
    expect(node('h ansible_become=True ansible_become_user=liferay ansible_become_method=sudo').node).toEqual({
      name: 'h',
      become: { user: 'liferay' },
    });
    expect(node('h ansible_become=0').node).toEqual({ name: 'h', become: false });
  });

  it('become password: an env lookup becomes a secret reference, never a value', () => {
    const r = node(`h ansible_become=true "ansible_become_password={{ lookup('env', 'SUDO_PASSWORD') }}"`);
    expect(r.node).toEqual({ name: 'h', become: { password: '${SUDO_PASSWORD}' } });
    expect(r.problems).toEqual([]);
  });

  it('a clear-text become password is kept as a secret, outside the node, with a warning', () => {
    const secrets: InventorySecrets = { values: new Map(), names: new Map() };
    const r = node('h ansible_become=true ansible_become_pass=hunter2', secrets);
    expect(r.node).toEqual({ name: 'h', become: { password: '${LRROLL_INVENTORY_ANSIBLE_BECOME_PASS_1}' } });
    expect([...secrets.values]).toEqual([['LRROLL_INVENTORY_ANSIBLE_BECOME_PASS_1', 'hunter2']]);
    expect(JSON.stringify(r.node)).not.toContain('hunter2');
    expect(r.problems).toEqual(['warning W_INVENTORY 2:23 `ansible_become_pass` holds a password in clear text']);
  });

  it('refuses a become method other than sudo and a connection other than ssh/local', () => {
    expect(node('h ansible_become_method=su ansible_connection=winrm').problems).toEqual([
      'error E_INVENTORY 2:3 `ansible_become_method` is `su`: lrroll becomes another user with sudo only',
      'error E_INVENTORY 2:28 `ansible_connection` is `winrm`: lrroll connects with `ssh` or `local` only',
    ]);
  });

  it('ssh args: ProxyJump from -o ProxyJump=, -J and an ssh -W ProxyCommand; other options are warned about', () => {
    const r = node(`h "ansible_ssh_common_args=-o ProxyJump=ops@bastion:2200 -o StrictHostKeyChecking=no"`);
    expect(r.node).toEqual({ name: 'h', proxyJump: 'ops@bastion:2200' });
    expect(r.problems).toEqual([
      'warning W_INVENTORY 2:3 `-o StrictHostKeyChecking=no` in `ansible_ssh_common_args` (host `h`) ' +
        'is not used by lrroll',
    ]);
    expect(readSshArgs('-J a@b,c')).toEqual({ proxyJump: 'a@b,c', ignored: [] });
    expect(readSshArgs('-o ProxyJump bastion')).toEqual({ proxyJump: 'bastion', ignored: [] });
    expect(readSshArgs('-o ProxyCommand="ssh -W %h:%p -q -p 2200 ops@bastion"')).toEqual({
      proxyJump: 'ops@bastion:2200',
      ignored: [],
    });
    expect(readSshArgs("-o 'ProxyCommand=ssh -W %h:%p -l ops bastion'")).toEqual({
      proxyJump: 'ops@bastion',
      ignored: [],
    });
    expect(readSshArgs('-o ProxyCommand="nc -X 5 %h %p" -C')).toEqual({
      ignored: ['-o ProxyCommand=nc -X 5 %h %p', '-C'],
    });
  });
});

describe('everything else is a template variable, or a located warning', () => {
  it('ansible_python_interpreter and pipelining are ignored knowingly, without a warning', () => {
    expect(node('h ansible_python_interpreter=/usr/bin/python3 ansible_pipelining=True').problems).toEqual([]);
  });

  it('other ansible_* variables are warned about at their place', () => {
    expect(node('h ansible_timeout=30 ansible_password=x').problems).toEqual([
      'warning W_INVENTORY 2:3 `ansible_timeout` (host `h`) is not used by lrroll',
      'warning W_INVENTORY 2:22 `ansible_password` (host `h`) is not used by lrroll',
    ]);
  });

  it('plain scalars become template vars; lists, mappings, nulls, bad names and Jinja are warned about', () => {
    const r = node(`h role=app n=3 ok=True l=[1] d={} z=None my-var=1 "j={{ x }}"`);
    expect(r.node).toEqual({ name: 'h', vars: { role: 'app', n: 3, ok: true, j: '{{ x }}' } });
    expect(r.problems.map((p) => p.replace(/^\S+ \S+ \S+ /, ''))).toEqual([
      'variable `l` (host `h`) is left out: it is a list, and lrroll variables are scalars',
      'variable `d` (host `h`) is left out: it is a mapping, and lrroll variables are scalars',
      'variable `z` (host `h`) is left out: it is null, and lrroll variables are scalars',
      'variable `my-var` (host `h`) is left out: template variable names are letters, digits and `_`',
      'variable `j` (host `h`) holds a Jinja expression, which lrroll does not evaluate: the text is used as it is',
    ]);
  });

  it('liferay_home, tomcat_home, lb_member and http_port are node settings', () => {
    expect(node('h liferay_home=/srv/lr tomcat_home=/srv/lr/tomcat lb_member=web1 http_port=9080').node).toEqual({
      name: 'h',
      liferayHome: '/srv/lr',
      tomcatHome: '/srv/lr/tomcat',
      member: 'web1',
      httpPort: 9080,
    });
  });

  it('a vault value that was not decrypted is an error naming the variable', () => {
    const r = parseAnsibleInventory(
      'all:\n  hosts:\n    h:\n      db_password: !vault |\n        $ANSIBLE_VAULT;1.1;AES256\n        6162\n',
      'hosts.yml',
    );
    const mapped = nodeFromAnsibleHost(r.hosts[0] as NonNullable<(typeof r.hosts)[0]>, {
      values: new Map(),
      names: new Map(),
    });
    expect(mapped.diagnostics.map((d) => `${d.code} ${d.source?.line}:${d.source?.col} ${d.summary}`)).toEqual([
      'E_VAULT 4:7 `db_password` is encrypted with Ansible Vault: it was not decrypted',
    ]);
  });
});
