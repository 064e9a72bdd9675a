import { describe, it, expect } from 'vitest';
import { detectAnsibleFormat } from '../../../../src/playbook/inventory/ansible.js';
import { parseInventory, type TestHost, type TestInventory } from './helpers.js';

type AnsibleInventoryResult = TestInventory;

const FILE = 'hosts.yml';

/** Joins lines so every test shows its inventory line by line (line numbers are 1-based). */
function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

function parse(text: string, group?: string): AnsibleInventoryResult {
  return parseInventory(text, FILE, group);
}

function names(result: AnsibleInventoryResult): string[] {
  return result.hosts.map((h) => h.name);
}

function host(result: AnsibleInventoryResult, name: string): TestHost {
  const found = result.hosts.find((h) => h.name === name);
  if (!found) throw new Error(`no host ${name} in ${names(result).join(', ')}`);
  return found;
}

/** The diagnostics reduced to what a user reads: severity, code, position and summary. */
function problems(result: AnsibleInventoryResult): string[] {
  return result.diagnostics.map(
    (d) => `${d.severity} ${d.code} ${d.source ? `${d.source.line}:${d.source.col}` : '-'} ${d.summary}`,
  );
}

describe('parseAnsibleYaml: structure and order', () => {
  it('reads hosts of all, nested children, null host entries, in order of first appearance', () => {
    const r = parse(
      yaml(
        'all:',
        '  hosts:',
        '    bastion:',
        '  children:',
        '    liferay:',
        '      hosts:',
        '        lr2:',
        '        lr1: ~',
        '    lb:',
        '      hosts:',
        '        lb1: {}',
        '        lr2:',
      ),
    );
    expect(r.diagnostics).toEqual([]);
    expect(names(r)).toEqual(['bastion', 'lr2', 'lr1', 'lb1']);
    expect(r.hosts.map((h) => [h.name, h.groups, h.source.line, h.source.col])).toEqual([
      ['bastion', ['ungrouped'], 3, 5],
      ['lr2', ['lb', 'liferay'], 7, 9],
      ['lr1', ['liferay'], 8, 9],
      ['lb1', ['lb'], 11, 9],
    ]);
  });

  it('merges a group declared in two places and adds parents transitively', () => {
    const r = parse(
      yaml(
        'all:',
        '  children:',
        '    eu:',
        '      children:',
        '        prod:',
        '          children:',
        '            liferay:',
        '    liferay:',
        '      hosts:',
        '        lr1:',
      ),
    );
    expect(r.diagnostics).toEqual([]);
    expect(host(r, 'lr1').groups).toEqual(['eu', 'liferay', 'prod']);
  });

  it('accepts top-level groups other than all', () => {
    const r = parse(yaml('liferay:', '  hosts:', '    lr1:', 'lb:', '  hosts:', '    lb1:'));
    expect(r.hosts.map((h) => [h.name, h.groups])).toEqual([
      ['lr1', ['liferay']],
      ['lb1', ['lb']],
    ]);
  });

  it('returns no hosts and no problems for an empty file or an empty all', () => {
    expect(parse('')).toEqual({ hosts: [], diagnostics: [] });
    expect(parse(yaml('all:'))).toEqual({ hosts: [], diagnostics: [] });
  });

  it('expands host ranges and name:port in host keys', () => {
    const r = parse(yaml('all:', '  hosts:', '    web[01:03]:', '    db-[a:b]:2222:'));
    expect(r.hosts.map((h) => [h.name, h.port])).toEqual([
      ['web01', undefined],
      ['web02', undefined],
      ['web03', undefined],
      ['db-a', 2222],
      ['db-b', 2222],
    ]);
  });
});

describe('parseAnsibleYaml: values', () => {
  it("resolves plain scalars by PyYAML's YAML 1.1 rules, as Ansible's loader does", () => {
    const r = parse(
      yaml(
        'all:',
        '  hosts:',
        '    h:',
        '      n: 8080',
        '      f: 7.4',
        '      s: "8080"',
        '      b1: true',
        '      b2: yes',
        '      b3: off',
        '      q: "yes"',
        '      y: y',
        '      d: 2024-01-01',
        '      t: hello world',
        '      e: 1e3',
        '      o: 0777',
        '      x: 0x1F',
        '      u: 1_000',
        '      m: 1:30',
        '      z: ~',
        '      l: [1, {k: on}]',
      ),
    );
    // lists and nulls: warned, left out of template vars
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(host(r, 'h').vars).toEqual({
      n: 8080,
      f: 7.4,
      s: '8080',
      b1: true,
      b2: true,
      b3: false,
      q: 'yes',
      y: 'y',
      d: '2024-01-01',
      t: 'hello world',
      e: '1e3',
      o: 511,
      x: 31,
      u: 1000,
      m: 90,
      z: null,
      l: [1, { k: true }],
    });
  });

  it(
    'keeps list, mapping and null values as Ansible does (lrroll leaves them out of template vars, with ' +
      'a warning)',
    () => {
      const r = parse(
        yaml(
          'all:',
          '  vars:',
          '    ok: 1',
          '    ports: [8080, 8443]',
          '    jvm:',
          '      heap: 4g',
          '    none:',
          '  hosts:',
          '    h:',
        ),
      );
      expect(host(r, 'h').vars).toEqual({ ok: 1, ports: [8080, 8443], jvm: { heap: '4g' }, none: null });
      const warned = parseInventoryWarnings(r);
      expect(warned).toEqual([
        'warning W_INVENTORY 4:5 variable `ports` (host `h`) is left out: it is a list, and lrroll ' +
          'variables are scalars',
        'warning W_INVENTORY 5:5 variable `jvm` (host `h`) is left out: it is a mapping, and lrroll ' +
          'variables are scalars',
        'warning W_INVENTORY 7:5 variable `none` (host `h`) is left out: it is null, and lrroll variables are scalars',
      ]);
    },
  );

  it('follows anchors, aliases and << merge keys, explicit keys winning', () => {
    const r = parse(
      yaml(
        'all:',
        '  hosts:',
        '    lr1: &defaults',
        '      ansible_user: liferay',
        '      http_port: 8080',
        '    lr2:',
        '      <<: *defaults',
        '      http_port: 9080',
        '    lr3: *defaults',
      ),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.hosts.map((h) => [h.name, h.user, h.vars])).toEqual([
      ['lr1', 'liferay', { http_port: 8080 }],
      ['lr2', 'liferay', { http_port: 9080 }],
      ['lr3', 'liferay', { http_port: 8080 }],
    ]);
    // PyYAML puts merged keys first: the merged order is the order of the hosts too.
    const merged = parse(yaml('x: &base', '  b1:', '  b2:', 'all:', '  hosts:', '    <<: *base', '    a0:', '    b1:'));
    expect(names(merged)).toEqual(['b1', 'b2', 'a0']);
  });
});

describe('parseAnsibleYaml: precedence and connection keys', () => {
  it('applies all vars < parent group < child group < host vars', () => {
    const r = parse(
      yaml(
        'all:',
        '  vars: {a: all, b: all, c: all, d: all}',
        '  children:',
        '    prod:',
        '      vars: {b: prod, c: prod, d: prod}',
        '      children:',
        '        liferay:',
        '          vars: {c: liferay, d: liferay}',
        '          hosts:',
        '            lr1: {d: host}',
      ),
    );
    expect(host(r, 'lr1').vars).toEqual({ a: 'all', b: 'prod', c: 'liferay', d: 'host' });
  });

  it('lets the later name win between sibling groups, whatever the file order', () => {
    const r = parse(
      yaml(
        'all:',
        '  children:',
        '    b_grp:',
        '      vars: {x: b}',
        '      hosts: {h:}',
        '    a_grp:',
        '      vars: {x: a}',
        '      hosts: {h:}',
      ),
    );
    expect(host(r, 'h').vars).toEqual({ x: 'b' });
  });

  it('lets a deeper group win over its parent whatever the names', () => {
    const r = parse(
      yaml('zeta:', '  vars: {x: zeta}', '  children:', '    alpha:', '      vars: {x: alpha}', '      hosts: {h:}'),
    );
    expect(host(r, 'h').vars).toEqual({ x: 'alpha' });
  });

  // Ansible's ssh connection plugin lists ansible_user then ansible_ssh_user and takes the last one set,
  // whatever their precedence: here `ansible -vvv` connects h1 as deploy, not liferay.
  it(
    'maps the connection keys, old names included (ansible_ssh_* winning, as in Ansible), and removes ' +
      'them from vars',
    () => {
      const r = parse(
        yaml(
          'all:',
          '  vars:',
          '    ansible_ssh_user: deploy',
          '    ansible_private_key_file: /keys/all',
          '  hosts:',
          '    h1:',
          '      ansible_host: 10.0.0.5',
          '      ansible_port: 2222',
          '      ansible_user: liferay',
          '      ansible_ssh_private_key_file: ~/.ssh/lr',
          '      role: app',
          '    h2:',
          '      ansible_ssh_port: "2200"',
        ),
      );
      expect(r.diagnostics).toEqual([]);
      expect(r.hosts).toEqual([
        {
          name: 'h1',
          host: '10.0.0.5',
          port: 2222,
          user: 'deploy',
          identityFile: '~/.ssh/lr',
          vars: { role: 'app' },
          groups: ['ungrouped'],
          source: { file: FILE, line: 6, col: 5 },
        },
        {
          name: 'h2',
          port: 2200,
          user: 'deploy',
          identityFile: '/keys/all',
          vars: {},
          groups: ['ungrouped'],
          source: { file: FILE, line: 12, col: 5 },
        },
      ]);
    },
  );

  it('reports a connection key of the wrong type at the variable', () => {
    const r = parse(yaml('all:', '  hosts:', '    h:', '      ansible_port: 70000', '      ansible_host: false'));
    expect(problems(r)).toEqual([
      'error E_INVENTORY 4:7 `ansible_port` must be a port number from 1 to 65535, got `70000`',
      'error E_INVENTORY 5:7 `ansible_host` must be a string, got `false`',
    ]);
  });
});

describe('parseAnsibleYaml: group filter', () => {
  const text = yaml(
    'all:',
    '  hosts: {bastion:}',
    '  children:',
    '    prod:',
    '      children:',
    '        liferay: {hosts: {lr1:, lr2:}}',
    '        lb: {hosts: {lb1:}}',
  );

  it('returns the hosts of a group directly or through children', () => {
    expect(names(parse(text))).toEqual(['bastion', 'lr1', 'lr2', 'lb1']);
    expect(names(parse(text, 'prod'))).toEqual(['lr1', 'lr2', 'lb1']);
    expect(names(parse(text, 'lb'))).toEqual(['lb1']);
  });

  it('reports an unknown group with a did-you-mean hint listing the groups', () => {
    expect(parse(text, 'prd')).toEqual({
      hosts: [],
      diagnostics: [
        {
          severity: 'error',
          code: 'E_INVENTORY',
          summary: 'group `prd` is not defined in hosts.yml',
          hint: 'did you mean `prod`? groups in hosts.yml: all, lb, liferay, prod, ungrouped',
        },
      ],
    });
  });
});

describe('parseAnsibleYaml: errors and warnings with positions', () => {
  it('turns YAML syntax errors into E_INVENTORY at their position and returns no hosts', () => {
    const r = parse(yaml('all:', '  hosts:', '    h0:', '    h1: "a" b'));
    expect(r).toEqual({
      hosts: [],
      diagnostics: [
        {
          severity: 'error',
          code: 'E_INVENTORY',
          summary: 'YAML syntax error: Unexpected scalar at node end',
          source: { file: FILE, line: 4, col: 13 },
        },
      ],
    });
    expect(problems(parse('all:\n\thosts:\n'))).toEqual([
      'error E_INVENTORY 2:1 YAML syntax error: Tabs are not allowed as indentation',
    ]);
  });

  it(
    'warns about a duplicate key at the second occurrence and, as Ansible, uses the last value in the ' + 'first place',
    () => {
      const r = parse(yaml('all:', '  hosts:', '    h1: {a: 1}', '    h2:', '    h1: {a: 2}'));
      expect(problems(r)).toEqual([
        'warning W_INVENTORY 5:5 duplicate key `h1` (first at line 3): the last value is used, as in Ansible',
      ]);
      expect(r.hosts.map((h) => [h.name, h.vars])).toEqual([
        ['h1', { a: 2 }],
        ['h2', {}],
      ]);
    },
  );

  it.each([
    [
      'a root that is not a mapping',
      ['- h1'],
      'error E_INVENTORY 1:1 an Ansible YAML inventory must be a mapping of groups',
    ],
    [
      'a group that is not a mapping',
      ['all:', '  children:', '    web: [h1]'],
      'warning W_INVENTORY 3:5 `web` is skipped: a group must be a mapping with `hosts`, `vars` or `children`',
    ],
    [
      'hosts written as a list',
      ['all:', '  hosts: [h1, h2]'],
      'error E_INVENTORY 2:10 `hosts` of group `all` must be a mapping',
    ],
    [
      'a host with a scalar value',
      ['all:', '  hosts:', '    h1: 10.0.0.1'],
      'error E_INVENTORY 3:9 host `h1` must have a mapping of variables or nothing',
    ],
    [
      'vars that are not a mapping',
      ['all:', '  vars: [a]'],
      'error E_INVENTORY 2:9 vars of group `all` must be a mapping of variables',
    ],
    [
      'children written as a list',
      ['all:', '  children: [web]'],
      'error E_INVENTORY 2:13 `children` of group `all` must be a mapping',
    ],
    [
      'a bad range',
      ['all:', '  hosts:', '    web[3:1]:'],
      'error E_INVENTORY 3:8 bad range `[3:1]` in host `web[3:1]`: the begin is greater than the end',
    ],
  ])('reports %s', (_what, lines, expected) => {
    expect(problems(parse(yaml(...lines)))).toEqual([expected]);
  });

  it('takes a single name under hosts or children, as Ansible does', () => {
    const r = parse(yaml('all:', '  children:', '    web:', '      hosts: w1', '    prod:', '      children: web'));
    expect(r.diagnostics).toEqual([]);
    expect(host(r, 'w1').groups).toEqual(['prod', 'web']);
  });

  it('warns about an unexpected key in a group, such as a host written without hosts:', () => {
    const r = parse(yaml('all:', '  children:', '    liferay:', '      lr1:', '      hosts: {lr2:}'));
    expect(names(r)).toEqual(['lr2']);
    expect(r.diagnostics).toEqual([
      {
        severity: 'warning',
        code: 'W_INVENTORY',
        summary: 'unexpected key `lr1` in group `liferay` is ignored',
        source: { file: FILE, line: 4, col: 7 },
        hint: 'a group has only `hosts`, `vars` and `children`, as in Ansible; a host goes under `hosts:`',
      },
    ]);
  });

  it('reports a cycle between groups at the entry that closes it', () => {
    const r = parse(
      yaml(
        'all:',
        '  children:',
        '    a:',
        '      children:',
        '        b:',
        '          hosts: {h:}',
        '    b:',
        '      children:',
        '        a:',
      ),
    );
    expect(problems(r)).toEqual(['error E_INVENTORY 9:9 groups form a cycle: a -> b -> a']);
    expect(host(r, 'h').groups).toEqual(['a', 'b']);
  });
});

describe('parseAnsibleYaml: a realistic Liferay inventory', () => {
  const text = yaml(
    '# Liferay DXP production cluster',
    'all:',
    '  vars:',
    '    ansible_user: admin',
    '    env: dev',
    '  children:',
    '    prod:',
    '      vars:',
    '        ansible_ssh_private_key_file: ~/.ssh/prod_ed25519',
    '        env: production',
    '      children:',
    '        liferay:',
    '          vars:',
    '            ansible_user: liferay',
    '            liferay_home: /opt/liferay',
    '            http_port: 8080',
    '          hosts:',
    '            lr-node[1:2].prod.example.com:',
    '            lr-node3.prod.example.com:',
    '              ansible_host: 10.0.1.13',
    '              liferay_home: /opt/liferay-dxp',
    '        lb:',
    '          hosts:',
    '            lb01.prod.example.com:',
    '              ansible_host: 10.0.0.10',
    '              ansible_port: 2222',
  );

  const liferayVars = { env: 'production', liferay_home: '/opt/liferay', http_port: 8080 };
  const common = { user: 'liferay', identityFile: '~/.ssh/prod_ed25519', groups: ['liferay', 'prod'] };

  it('resolves every host with groups, connection keys and variables, in file order', () => {
    const r = parse(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.hosts).toEqual([
      { name: 'lr-node1.prod.example.com', ...common, vars: liferayVars, source: { file: FILE, line: 18, col: 13 } },
      { name: 'lr-node2.prod.example.com', ...common, vars: liferayVars, source: { file: FILE, line: 18, col: 13 } },
      {
        name: 'lr-node3.prod.example.com',
        host: '10.0.1.13',
        ...common,
        vars: { ...liferayVars, liferay_home: '/opt/liferay-dxp' },
        source: { file: FILE, line: 19, col: 13 },
      },
      {
        name: 'lb01.prod.example.com',
        host: '10.0.0.10',
        port: 2222,
        user: 'admin',
        identityFile: '~/.ssh/prod_ed25519',
        vars: { env: 'production' },
        groups: ['lb', 'prod'],
        source: { file: FILE, line: 24, col: 13 },
      },
    ]);
  });

  it('filters the Liferay nodes for a rolling restart', () => {
    expect(names(parse(text, 'liferay'))).toEqual([
      'lr-node1.prod.example.com',
      'lr-node2.prod.example.com',
      'lr-node3.prod.example.com',
    ]);
  });
});

describe('detectAnsibleFormat', () => {
  it.each([
    ['hosts.yml', 'anything', 'yaml'],
    ['inv/HOSTS.YAML', '[web]', 'yaml'],
    ['hosts.json', '{"all": {}}', 'yaml'],
    ['hosts', '# c\n\nall:\n  hosts:', 'yaml'],
    ['hosts', '---\nall:', 'yaml'],
    ['hosts', 'liferay:\n  hosts:', 'yaml'],
    ['hosts', '{"all": {}}', 'yaml'],
    ['hosts', '; c\n[all]\nh1', 'ini'],
    ['hosts.ini', 'h1:2222', 'ini'],
    ['hosts', 'web1 ansible_host=10.0.0.1', 'ini'],
    ['hosts', '', 'ini'],
  ])('detects %s with %j as %s', (file, text, format) => {
    expect(detectAnsibleFormat(text, file)).toBe(format);
  });

  it('dispatches to the INI parser', () => {
    const r = parseInventory('[liferay]\nlr1 ansible_port=2222\n', 'inventory', 'liferay');
    expect(r).toEqual({
      hosts: [
        { name: 'lr1', port: 2222, vars: {}, groups: ['liferay'], source: { file: 'inventory', line: 2, col: 1 } },
      ],
      diagnostics: [],
    });
  });

  it('dispatches to the YAML parser, JSON included', () => {
    const r = parseInventory('{"all": {"hosts": {"lr1": {"ansible_port": 2222}}}}', 'inventory.json');
    expect(r).toEqual({
      hosts: [
        {
          name: 'lr1',
          port: 2222,
          vars: {},
          groups: ['ungrouped'],
          source: { file: 'inventory.json', line: 1, col: 20 },
        },
      ],
      diagnostics: [],
    });
  });
});

/** The warnings lrroll gives when it maps hosts to nodes (left-out variables). */
function parseInventoryWarnings(r: AnsibleInventoryResult): string[] {
  return problems(r);
}
