import { describe, it, expect } from 'vitest';
import { parseInventory, type TestHost, type TestInventory } from './helpers.js';

const FILE = 'hosts.ini';

type AnsibleInventoryResult = TestInventory;

/** Joins lines so every test shows its inventory line by line (line numbers are 1-based). */
function ini(...lines: string[]): string {
  return lines.join('\n');
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

/** The diagnostics reduced to what a user reads: severity, code, summary and position. */
function problems(result: AnsibleInventoryResult): string[] {
  return result.diagnostics.map(
    (d) => `${d.severity} ${d.code} ${d.source ? `${d.source.line}:${d.source.col}` : '-'} ${d.summary}`,
  );
}

describe('parseAnsibleIni: groups and order', () => {
  it('reads ungrouped hosts, groups and keeps the order of first appearance', () => {
    const r = parse(ini('bastion', '', '[liferay]', 'lr1', 'lr2', '', '[lb]', 'lb1', 'lr1'));
    expect(r.diagnostics).toEqual([]);
    expect(names(r)).toEqual(['bastion', 'lr1', 'lr2', 'lb1']);
    expect(host(r, 'bastion').groups).toEqual(['ungrouped']);
    expect(host(r, 'lr1').groups).toEqual(['lb', 'liferay']);
    expect(host(r, 'lr2').groups).toEqual(['liferay']);
  });

  it('keeps a host that appears in several groups as one host with the source of its first line', () => {
    const r = parse(ini('[lb]', 'both a=1', '[liferay]', '  both b=2'));
    expect(r.hosts).toEqual([
      { name: 'both', vars: { a: 1, b: 2 }, groups: ['lb', 'liferay'], source: { file: FILE, line: 2, col: 1 } },
    ]);
  });

  it('takes the later declaration of a host variable', () => {
    const r = parse(ini('[a]', 'h x=1 y=1', '[b]', 'h x=2'));
    expect(host(r, 'h').vars).toEqual({ x: 2, y: 1 });
  });

  it('adds parent groups through :children, transitively', () => {
    const r = parse(ini('[liferay]', 'lr1', '[prod:children]', 'liferay', '[eu:children]', 'prod'));
    expect(r.diagnostics).toEqual([]);
    expect(host(r, 'lr1').groups).toEqual(['eu', 'liferay', 'prod']);
  });

  it('allows a child group to be defined after the :children section', () => {
    const r = parse(ini('[prod:children]', 'liferay', '[liferay]', 'lr1'));
    expect(r.diagnostics).toEqual([]);
    expect(host(r, 'lr1').groups).toEqual(['liferay', 'prod']);
  });

  it('puts hosts of [all] and of [ungrouped] into ungrouped only while they have no other group', () => {
    const r = parse(ini('[all]', 'a1', '[ungrouped]', 'u1', 'u2', '[web]', 'u2'));
    expect(host(r, 'a1').groups).toEqual(['ungrouped']);
    expect(host(r, 'u1').groups).toEqual(['ungrouped']);
    expect(host(r, 'u2').groups).toEqual(['web']);
  });

  it('skips comment lines (# and ;), blank lines and # comments after a host, and handles CRLF and a BOM', () => {
    const r = parse('\uFEFF# top\r\n; also\r\n\r\n[web]\r\nw1 a=1 # trailing\r\nw2 b=2#trailing\r\n  # indented\r\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.hosts.map((h) => [h.name, h.vars, h.source.line])).toEqual([
      ['w1', { a: 1 }, 5],
      ['w2', { b: 2 }, 6],
    ]);
  });

  it('returns no hosts and no problems for an empty file', () => {
    expect(parse('')).toEqual({ hosts: [], diagnostics: [] });
  });
});

describe('parseAnsibleIni: ranges', () => {
  it('expands a zero-padded numeric range', () => {
    expect(names(parse(ini('[web]', 'web[01:03].example.com')))).toEqual([
      'web01.example.com',
      'web02.example.com',
      'web03.example.com',
    ]);
  });

  it('does not pad a range whose begin has no leading zero', () => {
    expect(names(parse(ini('[web]', 'app[8:10]')))).toEqual(['app8', 'app9', 'app10']);
  });

  it('pads to the width of the begin, e.g. [008:010]', () => {
    expect(names(parse(ini('[web]', 'n[008:010]')))).toEqual(['n008', 'n009', 'n010']);
  });

  it('expands an alphabetic range', () => {
    expect(names(parse(ini('[db]', 'db-[a:c]')))).toEqual(['db-a', 'db-b', 'db-c']);
  });

  it('honours a step and an empty begin', () => {
    expect(names(parse(ini('[x]', 'n[1:10:4]', 's[:2]')))).toEqual(['n1', 'n5', 'n9', 's0', 's1', 's2']);
  });

  it('expands several ranges, the first varying slowest', () => {
    expect(names(parse(ini('[x]', 'r[1:2]-[a:b]')))).toEqual(['r1-a', 'r1-b', 'r2-a', 'r2-b']);
  });

  it('gives every expanded host the line variables and the source of the line', () => {
    const r = parse(ini('[web]', '  w[1:2] role=app'));
    expect(r.hosts).toEqual([
      { name: 'w1', vars: { role: 'app' }, groups: ['web'], source: { file: FILE, line: 2, col: 3 } },
      { name: 'w2', vars: { role: 'app' }, groups: ['web'], source: { file: FILE, line: 2, col: 3 } },
    ]);
  });
});

describe('parseAnsibleIni: values, as Ansible reads them (shlex, then Python literal_eval)', () => {
  it('host-line values: quotes removed first, then numbers, True/False/None, lists; everything else a string', () => {
    const line =
      `h a="quoted value" b='single # kept' c="22" d=22 e=yes f=False g=007 h=7.4 i= j="say \\"hi\\"" ` +
      `k=-3 l=no m="'22'" n=[1,2] o=None p=0x1F q=1_000 r=true`;
    const r = parse(ini('[x]', line));
    // lists and nulls: warned, left out of template vars
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(host(r, 'h').vars).toEqual({
      a: 'quoted value',
      b: 'single # kept',
      c: 22,
      d: 22,
      e: 'yes',
      f: false,
      g: '007',
      h: 7.4,
      i: '',
      j: 'say "hi"',
      k: -3,
      l: 'no',
      m: '22',
      n: [1, 2],
      o: null,
      p: 31,
      q: 1000,
      r: 'true',
    });
  });

  it('a `;` after a host is not a comment there (Ansible splits the line with shlex)', () => {
    expect(problems(parse(ini('[x]', 'h a=1 ; note')))).toEqual([
      'error E_INVENTORY 2:7 malformed host line: expected key=value, got `;`',
    ]);
    expect(host(parse(ini('[x]', 'h a=1;2')), 'h').vars).toEqual({ a: '1;2' });
  });

  it(':vars values: taken whole (comments included unless Python drops them), then literal_eval', () => {
    const r = parse(
      ini(
        '[x]',
        'h',
        '[x:vars]',
        'msg = "hello world"  # comment',
        'plain = two words',
        'n=8080 # port',
        'flag = no',
        "single = 'a = b'",
        'yes_word = True',
        'empty =',
        'tuple = 1, 2',
        "open = 'b",
        'mixed = "b" c',
      ),
    );
    // lists and nulls: warned, left out of template vars
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(host(r, 'h').vars).toEqual({
      msg: 'hello world',
      plain: 'two words',
      n: 8080,
      flag: 'no',
      single: 'a = b',
      yes_word: true,
      empty: '',
      tuple: [1, 2],
      open: "'b",
      mixed: '"b" c',
    });
  });

  it('keeps a trailing comment that is not Python in the value, as Ansible does, and says so', () => {
    const r = parse(ini('[x]', 'h', '[x:vars]', 'plain = two words # comment'));
    expect(host(r, 'h').vars).toEqual({ plain: 'two words # comment' });
    expect(problems(r)).toEqual(['warning W_INVENTORY 4:9 the value of `plain` keeps its trailing `# comment`']);
  });

  it('keeps a number too large for JavaScript as text, with a warning', () => {
    const r = parse(ini('[x]', 'h big=123456789012345678901234567890'));
    expect(host(r, 'h').vars).toEqual({ big: '123456789012345678901234567890' });
    expect(problems(r)).toEqual([
      'warning W_INVENTORY 2:3 the number `123456789012345678901234567890` is too large to be used as ' +
        'a number here; it is kept as text',
    ]);
  });
});

describe('parseAnsibleIni: variable precedence', () => {
  it('applies all:vars < parent group < child group < host vars', () => {
    const r = parse(
      ini(
        '[liferay]',
        'lr1 d=host',
        '[all:vars]',
        'a=all',
        'b=all',
        'c=all',
        'd=all',
        '[liferay:vars]',
        'c=liferay',
        'd=liferay',
        '[prod:vars]',
        'b=prod',
        'c=prod',
        'd=prod',
        '[prod:children]',
        'liferay',
      ),
    );
    expect(r.diagnostics).toEqual([]);
    expect(host(r, 'lr1').vars).toEqual({ a: 'all', b: 'prod', c: 'liferay', d: 'host' });
  });

  it('lets a deeper group win over its parent whatever the names', () => {
    const r = parse(
      ini('[alpha]', 'h', '[zeta:children]', 'alpha', '[zeta:vars]', 'x=zeta', '[alpha:vars]', 'x=alpha'),
    );
    expect(host(r, 'h').vars).toEqual({ x: 'alpha' });
  });

  it('lets the later name win between sibling groups at the same depth, whatever the file order', () => {
    const r = parse(ini('[b_grp]', 'h', '[a_grp]', 'h', '[b_grp:vars]', 'x=b', '[a_grp:vars]', 'x=a'));
    expect(host(r, 'h').vars).toEqual({ x: 'b' });
  });

  it('measures depth by the deepest path: a group under two parents sits below the deeper one', () => {
    const r = parse(
      ini(
        '[leaf]',
        'h',
        '[mid:children]',
        'leaf',
        '[top:children]',
        'mid',
        'zz',
        '[zz:children]',
        'leaf',
        '[mid:vars]',
        'x=mid',
        '[zz:vars]',
        'x=zz',
      ),
    );
    // mid has depth 2 (top -> mid), zz has depth 2 (top -> zz): equal depth, so the later name zz wins.
    expect(r.diagnostics).toEqual([]);
    expect(host(r, 'h').vars).toEqual({ x: 'zz' });
    expect(host(r, 'h').groups).toEqual(['leaf', 'mid', 'top', 'zz']);
  });
});

describe('parseAnsibleIni: connection keys', () => {
  it('maps ansible_host, ansible_port, ansible_user and ansible_ssh_private_key_file out of vars', () => {
    const r = parse(
      ini(
        '[x]',
        'h ansible_host=10.0.0.5 ansible_port=2222 ansible_user=liferay ' +
          'ansible_ssh_private_key_file=~/.ssh/lr role=app',
      ),
    );
    expect(r.hosts).toEqual([
      {
        name: 'h',
        host: '10.0.0.5',
        port: 2222,
        user: 'liferay',
        identityFile: '~/.ssh/lr',
        vars: { role: 'app' },
        groups: ['x'],
        source: { file: FILE, line: 2, col: 1 },
      },
    ]);
  });

  it('maps the old names ansible_ssh_port, ansible_ssh_user and ansible_private_key_file', () => {
    const r = parse(ini('[x]', 'h ansible_ssh_port="2200" ansible_ssh_user=root ansible_private_key_file=/k'));
    const h = host(r, 'h');
    expect([h.port, h.user, h.identityFile, h.vars]).toEqual([2200, 'root', '/k', {}]);
  });

  it(
    "inherits connection keys from group vars; ansible_ssh_port wins over ansible_port, as in Ansible's " +
      'ssh plugin',
    () => {
      const r = parse(
        ini(
          '[x]',
          'h1 ansible_ssh_port=2200',
          'h2',
          'h3 ansible_port=1 ansible_ssh_port=2',
          '[x:vars]',
          'ansible_port=22',
          'ansible_user=deploy',
        ),
      );
      expect(r.hosts.map((h) => [h.name, h.port, h.user, h.vars])).toEqual([
        ['h1', 2200, 'deploy', {}],
        ['h2', 22, 'deploy', {}],
        ['h3', 2, 'deploy', {}],
      ]);
    },
  );

  it('reads a port written as name:port, overridden by ansible_port on the same line', () => {
    const r = parse(ini('[x]', 'a:2201', 'b:2202 ansible_port=2300', 'c[1:2]:2203'));
    expect(r.hosts.map((h) => [h.name, h.port])).toEqual([
      ['a', 2201],
      ['b', 2300],
      ['c1', 2203],
      ['c2', 2203],
    ]);
  });

  it('reports an ansible_port that is not a port at the variable', () => {
    const r = parse(ini('[x]', 'h ansible_port=ssh', '[x:vars]', 'ansible_user=True'));
    expect(problems(r)).toEqual([
      'error E_INVENTORY 2:3 `ansible_port` must be a port number from 1 to 65535, got `ssh`',
      'error E_INVENTORY 4:1 `ansible_user` must be a string, got `true`',
    ]);
    expect(host(r, 'h').port).toBeUndefined();
  });
});

describe('parseAnsibleIni: group filter', () => {
  const text = ini('bastion', '[liferay]', 'lr1', 'lr2', '[lb]', 'lb1', '[prod:children]', 'liferay', 'lb', '[empty]');

  it('returns all hosts without a group, and with the group all', () => {
    expect(names(parse(text))).toEqual(['bastion', 'lr1', 'lr2', 'lb1']);
    expect(names(parse(text, 'all'))).toEqual(['bastion', 'lr1', 'lr2', 'lb1']);
  });

  it('returns the hosts of a group directly or through children, in file order', () => {
    expect(names(parse(text, 'liferay'))).toEqual(['lr1', 'lr2']);
    expect(names(parse(text, 'prod'))).toEqual(['lr1', 'lr2', 'lb1']);
    expect(names(parse(text, 'ungrouped'))).toEqual(['bastion']);
    expect(parse(text, 'empty')).toEqual({ hosts: [], diagnostics: [] });
  });

  it('reports an unknown group with a did-you-mean hint listing the groups', () => {
    expect(parse(text, 'liferya')).toEqual({
      hosts: [],
      diagnostics: [
        {
          severity: 'error',
          code: 'E_INVENTORY',
          summary: 'group `liferya` is not defined in hosts.ini',
          hint: 'did you mean `liferay`? groups in hosts.ini: all, empty, lb, liferay, prod, ungrouped',
        },
      ],
    });
  });

  it('lists the groups without a guess when nothing is close, and leaves out an empty ungrouped', () => {
    const r = parse(ini('[liferay]', 'lr1'), 'database');
    expect(r.diagnostics.map((d) => [d.summary, d.hint])).toEqual([
      ['group `database` is not defined in hosts.ini', 'groups in hosts.ini: all, liferay'],
    ]);
  });
});

describe('parseAnsibleIni: errors and warnings with positions', () => {
  it.each([
    ['a token without =', ['[x]', 'h ansible_user=x oops'], '2:18 malformed host line: expected key=value, got `oops`'],
    [
      'a host line starting with key=value',
      ['[x]', 'ansible_user=x'],
      '2:1 malformed host line: `ansible_user=x` is not a host name',
    ],
    ['key=value without a key', ['[x]', 'h =x'], '2:3 `=x` has no variable name before `=`'],
    ['an unclosed section header', ['h', '  [liferay'], '2:3 unclosed section header `[liferay`'],
    ['text after a section header', ['[x] extra'], '1:5 unexpected text `extra` after section header'],
    ['a malformed section header', ['[a b]'], '1:1 malformed section header `[a b]`'],
    ['an unknown section type', ['[x:hosts]'], '1:4 unknown section type `:hosts`'],
    ['an unterminated quote', ['[x]', 'h a="open'], '2:5 unterminated quote `"`'],
    [
      'a range whose begin exceeds its end',
      ['[x]', 'web[3:1]'],
      '2:4 bad range `[3:1]` in host `web[3:1]`: the begin is greater than the end',
    ],
    [
      'a padded range of unequal widths',
      ['[x]', 'w[01:100]'],
      '2:2 bad range `[01:100]` in host `w[01:100]`: a zero-padded begin and its end must have the same width',
    ],
    [
      'a range mixing letters and numbers',
      ['[x]', 'w[a:3]'],
      '2:2 bad range `[a:3]` in host `w[a:3]`: begin and end must both be numbers or both single letters',
    ],
    [
      'a reversed letter range',
      ['[x]', 'db-[c:a]'],
      '2:4 bad range `[c:a]` in host `db-[c:a]`: the begin comes after the end',
    ],
    ['a range without an end', ['[x]', 'w[1:]'], '2:2 bad range `[1:]` in host `w[1:]`: the end is missing'],
    [
      'a range without a colon',
      ['[x]', 'w[1]'],
      '2:2 bad range `[1]` in host `w[1]`: expected begin:end or begin:end:step',
    ],
    [
      'a bad step',
      ['[x]', 'w[1:3:0]'],
      '2:2 bad range `[1:3:0]` in host `w[1:3:0]`: the step must be a positive integer of at most 6 digits',
    ],
    ['an unclosed range', ['[x]', 'a.b[1:3'], '2:4 unclosed range in host `a.b[1:3`'],
    ['a bad port', ['[x]', 'h:ssh'], '2:3 invalid port `ssh` in host `h:ssh`'],
    ['a vars line without =', ['[x:vars]', 'foo'], '2:1 malformed line in `[x:vars]`: expected key=value, got `foo`'],
    ['a vars line without a key', ['[x:vars]', '  = 1'], '2:3 `= 1` has no variable name before `=`'],
    [
      'a vars key with spaces',
      ['[x:vars]', 'my key = 1'],
      '2:1 malformed line in `[x:vars]`: variable name `my key` contains whitespace',
    ],
    [
      'two names on a children line',
      ['[x:children]', 'a b'],
      '2:1 malformed line in `[x:children]`: expected one group name, got `a b`',
    ],
  ])('reports %s', (_what, lines, expected) => {
    const r = parse(ini(...lines));
    expect(problems(r)).toEqual([`error E_INVENTORY ${expected}`]);
  });

  it('skips a malformed host line and a section after a bad header, and carries on', () => {
    const r = parse(ini('[web]', 'w1', 'w2 oops', '[bad', 'ignored', '[db]', 'd1'));
    expect(names(r)).toEqual(['w1', 'd1']);
    expect(problems(r)).toEqual([
      'error E_INVENTORY 3:4 malformed host line: expected key=value, got `oops`',
      'error E_INVENTORY 4:1 unclosed section header `[bad`',
    ]);
  });

  it('reports only the first problem of a host line', () => {
    expect(problems(parse(ini('[x]', 'h a b =c')))).toEqual([
      'error E_INVENTORY 2:3 malformed host line: expected key=value, got `a`',
    ]);
  });

  it('warns about a child group that is never defined and treats it as empty', () => {
    const r = parse(ini('[lb]', 'lb1', '[prod:children]', 'lb', '  ghost'));
    expect(r.diagnostics).toEqual([
      {
        severity: 'warning',
        code: 'W_INVENTORY',
        summary: 'group `prod` lists child `ghost`, which is never defined',
        source: { file: FILE, line: 5, col: 3 },
        hint: 'define `[ghost]` or remove the entry; it is treated as an empty group',
      },
    ]);
    expect(names(r)).toEqual(['lb1']);
  });

  it('warns about :vars for a group that is never defined', () => {
    expect(problems(parse(ini('[h]', 'x', '[nobody:vars]', 'a=1')))).toEqual([
      'warning W_INVENTORY 3:2 variables are set for group `nobody`, which is never defined',
    ]);
  });

  it('reports a cycle in children at the entry that closes it', () => {
    const r = parse(ini('[a:children]', 'b', '[b:children]', 'c', '[c:children]', 'a', '[c]', 'h'));
    expect(r.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'E_INVENTORY',
        summary: 'groups form a cycle: a -> b -> c -> a',
        source: { file: FILE, line: 6, col: 1 },
        hint: 'a group cannot contain itself, directly or through its children',
      },
    ]);
    expect(host(r, 'h').groups).toEqual(['a', 'b', 'c']);
  });

  it('reports a group that lists itself, and all as a child', () => {
    expect(problems(parse(ini('[a:children]', 'a', 'all')))).toEqual([
      'error E_INVENTORY 2:1 groups form a cycle: a -> a',
      'error E_INVENTORY 3:1 group `all` cannot be a child of `a`',
    ]);
  });
});

describe('parseAnsibleIni: a realistic Liferay inventory', () => {
  const text = ini(
    '# Liferay DXP production cluster',
    '[liferay]',
    'lr-node[1:3].prod.example.com ansible_user=liferay',
    'lr-node4.prod.example.com ansible_host=10.0.1.14 ansible_user=liferay liferay_home=/opt/liferay-dxp',
    '',
    '[lb]',
    'lb01.prod.example.com ansible_host=10.0.0.10 ansible_port=2222',
    '',
    '[prod:children]',
    'liferay',
    'lb',
    '',
    '[prod:vars]',
    'ansible_ssh_private_key_file=~/.ssh/prod_ed25519',
    'env=production',
    '',
    '[liferay:vars]',
    'liferay_home=/opt/liferay',
    'http_port=8080',
    'health_url="http://localhost:8080/c/portal/layout"',
    '',
    '[all:vars]',
    'ansible_user=admin',
    'env=dev',
  );

  const source = (line: number) => ({ file: FILE, line, col: 1 });
  const liferayVars = {
    env: 'production',
    liferay_home: '/opt/liferay',
    http_port: 8080,
    health_url: 'http://localhost:8080/c/portal/layout',
  };
  const node = (n: number): TestHost => ({
    name: `lr-node${n}.prod.example.com`,
    user: 'liferay',
    identityFile: '~/.ssh/prod_ed25519',
    vars: liferayVars,
    groups: ['liferay', 'prod'],
    source: source(3),
  });

  it('resolves every host with groups, connection keys and variables, in file order', () => {
    const r = parse(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.hosts).toEqual([
      node(1),
      node(2),
      node(3),
      {
        name: 'lr-node4.prod.example.com',
        host: '10.0.1.14',
        user: 'liferay',
        identityFile: '~/.ssh/prod_ed25519',
        vars: { ...liferayVars, liferay_home: '/opt/liferay-dxp' },
        groups: ['liferay', 'prod'],
        source: source(4),
      },
      {
        name: 'lb01.prod.example.com',
        host: '10.0.0.10',
        port: 2222,
        user: 'admin',
        identityFile: '~/.ssh/prod_ed25519',
        vars: { env: 'production' },
        groups: ['lb', 'prod'],
        source: source(7),
      },
    ]);
  });

  it('filters the Liferay nodes for a rolling restart', () => {
    expect(names(parse(text, 'liferay'))).toEqual([
      'lr-node1.prod.example.com',
      'lr-node2.prod.example.com',
      'lr-node3.prod.example.com',
      'lr-node4.prod.example.com',
    ]);
    expect(names(parse(text, 'lb'))).toEqual(['lb01.prod.example.com']);
    expect(parse(text, 'prod').hosts).toHaveLength(5);
  });
});
