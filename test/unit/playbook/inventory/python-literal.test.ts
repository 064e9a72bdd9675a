/**
 * Ansible's INI plugin splits host lines with Python's shlex and reads values with Python's
 * ast.literal_eval. lrroll reimplements both: a table of cases, and the same corpus run through
 * python3 itself (CI has it, Ansible needs it) so every case is checked against Python.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parsePythonValue, shlexSplit } from '../../../../src/playbook/inventory/python-literal.js';

const VALUES: Array<[string, unknown]> = [
  ['22', 22],
  ['-3', -3],
  ['+5', 5],
  ['-0', 0],
  ['007', '007'],
  ['00', 0],
  ['7.4', 7.4],
  ['1e3', 1000],
  ['.5', 0.5],
  ['5.', 5],
  ['0x1F', 31],
  ['0o17', 15],
  ['0b11', 3],
  ['1_000', 1000],
  ['1__0', '1__0'],
  ['True', true],
  ['False', false],
  ['None', null],
  ['true', 'true'],
  ['yes', 'yes'],
  ['--1', '--1'],
  ['-True', '-True'],
  ['[1, 2]', [1, 2]],
  ['[1, [2, "x"]]', [1, [2, 'x']]],
  ['1, 2', [1, 2]],
  ['(1)', 1],
  ['()', []],
  ['(1,)', [1]],
  ['{}', {}],
  ['{"a": 1, 2: "b"}', { a: 1, '2': 'b' }],
  ['"hello world"', 'hello world'],
  ["'a = b'", 'a = b'],
  ['"a" \'b\'', 'ab'],
  ['u"x"', 'x'],
  ['r"a\\n"', 'a\\n'],
  ['"tab\\there"', 'tab\there'],
  ['"\\x41\\u00e9"', 'Aé'],
  ["'''triple'''", 'triple'],
  ['f"x"', 'f"x"'],
  ['8080 # port', 8080],
  ['two words # c', 'two words # c'],
  ['  7', 7],
  ['7  ', 7],
  ['', ''],
  ['"open', '"open'],
  ["'b", "'b"],
  ['"b" c', '"b" c'],
  ['/opt/liferay', '/opt/liferay'],
  ['10.0.0.5', '10.0.0.5'],
  ['1:30', '1:30'],
  ["{{ lookup('env', 'X') }}", "{{ lookup('env', 'X') }}"],
];

describe('parsePythonValue (Python ast.literal_eval, else the text)', () => {
  it.each(VALUES)('%j → %j', (text, expected) => {
    expect(parsePythonValue(text)).toEqual(expected);
  });
});

const LINES: Array<[string, string[]]> = [
  ['h a=1 b=2', ['h', 'a=1', 'b=2']],
  ['h a="x y"z b=\'q\'', ['h', 'a=x yz', 'b=q']],
  ['h a=b#c d=1', ['h', 'a=b']],
  ['h a=b #c', ['h', 'a=b']],
  ['h a=1;b', ['h', 'a=1;b']],
  ['h x="a\\"b\\\\c\\$"', ['h', 'x=a"b\\c\\$']],
  ['h x=\\"k', ['h', 'x="k']],
  ["h x='a\\b'", ['h', 'x=a\\b']],
  ['h e=""', ['h', 'e=']],
  ['  h  ', ['h']],
];

describe('shlexSplit (Python shlex.split(line, comments=True))', () => {
  it.each(LINES)('%j → %j', (line, expected) => {
    const r = shlexSplit(line);
    expect('words' in r && r.words.map((w) => w.text)).toEqual(expected);
  });

  it('reports an unterminated quote and a trailing escape with their offsets', () => {
    expect(shlexSplit('h a="open')).toEqual({ error: 'unterminated quote `"`', offset: 4 });
    expect(shlexSplit('h a=\\')).toEqual({ error: 'no escaped character after `\\`', offset: 4 });
  });
});

const hasPython = spawnSync('python3', ['--version']).status === 0;

describe.skipIf(!hasPython && process.env['CI'] !== 'true')('the same cases through python3 itself', () => {
  it('literal_eval and shlex agree with lrroll on every case', () => {
    const script = [
      'import ast, json, shlex, sys',
      'data = json.load(sys.stdin)',
      'def ev(t):',
      '    try: v = ast.literal_eval(t)',
      '    except (ValueError, SyntaxError): return t',
      '    if isinstance(v, (tuple, set)): v = list(v)',
      '    if isinstance(v, bytes): v = v.decode()',
      '    return v',
      'print(json.dumps({"values": [ev(t) for t in data["values"]], "lines": [shlex.split(l, ' +
        'comments=True) for l in data["lines"]]}))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script], {
      input: JSON.stringify({ values: VALUES.map(([t]) => t), lines: LINES.map(([l]) => l) }),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const py = JSON.parse(r.stdout) as { values: unknown[]; lines: string[][] };
    expect(VALUES.map(([t]) => parsePythonValue(t))).toEqual(py.values);
    expect(
      LINES.map(([l]) => {
        const s = shlexSplit(l);
        return 'words' in s ? s.words.map((w) => w.text) : null;
      }),
    ).toEqual(py.lines);
  });
});
