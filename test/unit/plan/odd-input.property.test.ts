/**
 * Property: no value written into a playbook or an Ansible inventory makes `validate` or `plan`
 * fail other than as documented. Every string field of every example playbook (paths, names,
 * templates, commands, URLs) and every variable lrroll reads from an inventory gets odd values
 * (`..`, `.`, trailing and repeated slashes, spaces, unicode, leading dashes, line breaks, very
 * long, empty), written directly or reaching the field through a `{{ v }}` template. Both
 * commands run through `runCli`, the entry the binary uses, and a few cases through the built
 * binary: the exit is 0, 2 or 3, every exit 2 names a file:line:col, an exit 3 names the
 * file:line:col of each change it refuses, and nothing prints "internal error" or a stack trace. Cases are generated
 * with a
 * fixed seed (ODD_INPUT_SEED, ODD_INPUT_RUNS change it), so a failure is reproducible.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runCli } from '../../../src/cli/run-cli.js';

const PLAYBOOKS = fileURLToPath(new URL('../../../playbooks/', import.meta.url));
const CLI = fileURLToPath(new URL('../../../dist/bin/lrroll.js', import.meta.url));
const SEED = Number(process.env.ODD_INPUT_SEED ?? 20261202);
const RUNS = Number(process.env.ODD_INPUT_RUNS ?? 300);

/** Values a careless or hostile user writes into a path, a name or a template. */
const ODD = [
  '..',
  '.',
  '/',
  '//',
  'a//b',
  '/opt//liferay',
  'a/',
  '/opt/liferay/',
  '/opt/liferay/.',
  '/opt/./liferay',
  '/opt/../x',
  './x',
  '../x',
  ' ',
  ' a b ',
  '/opt/li feray',
  'ünïcødé/ø',
  '😀',
  '\u202e',
  '-rf',
  '--help',
  '-x/y',
  'a\nb',
  'a\r\nb',
  '',
  '\t',
  '~',
  '~/x',
  '$HOME',
  '#',
  '=',
  ':',
  'a=b',
  '\\',
  "'",
  '"',
  '$(id)',
  '{{',
  '{{ nope }}',
  'x'.repeat(3000),
  `/${'x'.repeat(5000)}`,
];
/** Pieces joined into generated values: real path parts mixed with the odd ones. */
const PIECES = [
  '',
  '.',
  '..',
  '/',
  '//',
  ' ',
  '-',
  '--',
  'opt',
  'liferay',
  'tomcat',
  'ü',
  '😀',
  '\n',
  '{{ v }}',
  '{{ liferayHome }}',
  '~',
  ':',
  '=',
];

const oddValue = fc.oneof(
  { arbitrary: fc.constantFrom(...ODD), weight: 4 },
  {
    arbitrary: fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')),
    weight: 3,
  },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }), weight: 1 },
);

/** How the odd value reaches a field: written into it, or through a template whose variable holds it. */
const TEMPLATES = ['{{ v }}', '/opt/{{ v }}', '{{ v }}/x', '{{v}}{{v}}'];

interface Base {
  name: string;
  data: Record<string, unknown>;
  /** Every string leaf, as a path of keys. */
  leaves: Array<Array<string | number>>;
}

function stringLeaves(
  value: unknown,
  path: Array<string | number> = [],
  out: Array<Array<string | number>> = [],
): Array<Array<string | number>> {
  if (typeof value === 'string') out.push(path);
  else if (Array.isArray(value)) value.forEach((v, i) => stringLeaves(v, [...path, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) stringLeaves(v, [...path, k], out);
  return out;
}

function setIn(root: Record<string, unknown>, path: ReadonlyArray<string | number>, value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
}

/** The example playbooks, each with a var `v` for the templates, plus one that sets the optional path fields. */
function loadBases(): Base[] {
  const bases = readdirSync(PLAYBOOKS)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((name) => ({ name, data: parse(readFileSync(join(PLAYBOOKS, name), 'utf8')) as Record<string, unknown> }));
  const restart = bases.find((b) => b.name === 'restart.yml');
  if (restart) bases.push({ name: 'paths.yml', data: { ...structuredClone(restart.data), ...PATH_FIELDS } });
  return bases.map((b) => {
    const data = { ...b.data, vars: { ...((b.data.vars as object | undefined) ?? {}), v: 'x' } };
    return { name: b.name, data, leaves: stringLeaves(data).filter((p) => p[0] !== 'lrroll') };
  });
}

/** Optional path and name fields the examples leave out. */
const PATH_FIELDS = {
  inventory: {
    defaults: {
      liferayHome: '/opt/liferay',
      tomcatHome: '{{ liferayHome }}/tomcat',
      user: 'liferay',
      identityFile: '~/.ssh/id',
      service: { type: 'scripts', pidFile: '{{ liferayHome }}/liferay.pid' },
    },
    nodes: [
      { name: 'node1', host: '127.0.0.1', member: 'web1', liferayHome: '/opt/lr1', vars: { w: 'y' } },
      { name: 'node2', host: '127.0.0.2' },
    ],
  },
  health: {
    http: { url: 'http://{{ host }}:8080/', bodyMatch: 'ok' },
    startupMarker: { log: '{{ tomcatHome }}/logs/catalina.out' },
    warmup: { urls: ['http://{{ host }}:8080/w'] },
  },
  hooks: {
    beforeNode: [{ run: 'echo {{ node }}' }],
    afterRun: [{ webhook: 'http://hooks.example.com/{{ v }}', headers: { 'x-a': '{{ v }}' }, body: '{"n": 1}' }],
  },
};

/** Variables lrroll reads from an Ansible inventory, each given an odd value in turn. */
const INVENTORY_VARS = [
  'liferay_home',
  'tomcat_home',
  'lb_member',
  'http_port',
  'ansible_host',
  'ansible_user',
  'ansible_private_key_file',
  'ansible_become_user',
  'v',
];

interface Case {
  label: string;
  files: Record<string, string>;
}

function playbookCase(bases: Base[]): fc.Arbitrary<Case> {
  return fc
    .tuple(fc.nat(), fc.nat(), oddValue, fc.option(fc.constantFrom(...TEMPLATES), { freq: 3 }))
    .map(([b, l, value, template]) => {
      const base = bases[b % bases.length] as Base;
      const path = base.leaves[l % base.leaves.length] as Array<string | number>;
      const data = structuredClone(base.data);
      if (template === null) setIn(data, path, value);
      else {
        setIn(data, path, template);
        (data.vars as Record<string, unknown>).v = value;
      }
      return {
        label:
          `${base.name} ${path.join('.')}=${JSON.stringify(template ?? value).slice(0, 60)}` +
          `${template === null ? '' : ` v=${JSON.stringify(value).slice(0, 60)}`}`,
        files: { 'case.yml': stringify(data) },
      };
    });
}

function inventoryCase(): fc.Arbitrary<Case> {
  return fc
    .tuple(fc.constantFrom(...INVENTORY_VARS, 'host name', 'group'), oddValue, fc.boolean())
    .map(([field, value, yaml]) => {
      const host = field === 'host name' ? value : 'lr1.example.net';
      const group = field === 'group' ? value : 'liferay';
      const vars: Record<string, string> = { liferay_home: '/opt/liferay' };
      if (field !== 'host name' && field !== 'group') vars[field] = value;
      const inventory = yaml
        ? stringify({ all: { children: { liferay: { hosts: { [host]: vars, 'lr2.example.net': null } } } } })
        : `[liferay]\n${iniWord(host)} ${Object.entries(vars)
            .map(([k, v]) => `${k}=${iniWord(v)}`)
            .join(' ')}\nlr2.example.net\n`;
      const playbook = {
        lrroll: 1,
        name: 'odd inventory',
        inventory: { file: yaml ? 'case-inventory.yml' : 'case-inventory.ini', group },
        loadBalancer: { type: 'none' },
        change: { type: 'custom', name: 'c', rollingSafe: true, commands: ['echo {{ v }} {{ liferayHome }}'] },
        vars: { v: 'x' },
      };
      return {
        label: `${yaml ? 'yaml' : 'ini'} inventory ${field}=${JSON.stringify(value).slice(0, 60)}`,
        files: { 'case.yml': stringify(playbook), [yaml ? 'case-inventory.yml' : 'case-inventory.ini']: inventory },
      };
    });
}

/**
 * A value as one shlex word of an INI host line (Ansible's quoting); a line break stays raw, as a user would paste it.
 */
function iniWord(value: string): string {
  return /^[^\s'"#\\]+$/.test(value) ? value : `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

const STACK = /\n\s+at .+:\d+:\d+\)?\s*$/m;
const LOCATED = /error\[E_[A-Z_]+\] [^\n]+?:\d+:\d+: /;
/** A refusal: its header, each refused change at its file:line:col, and a hint. */
const REFUSED_AT = /^refused: .+\n {2}\[\d+\] [^\n]+?:\d+:\d+: [\s\S]*hint: /m;

/** What is wrong with one command's result, or null. */
function problem(code: number, stdout: string, stderr: string): string | null {
  const text = `${stdout}\n${stderr}`;
  if (![0, 2, 3].includes(code)) return `exit ${code}`;
  if (/E_INTERNAL|internal error/.test(text) || STACK.test(text)) return 'internal error';
  if (code === 2 && !LOCATED.test(stderr)) return 'exit 2 without a located error';
  if (code === 3 && !REFUSED_AT.test(stderr)) return 'exit 3 without a located reason';
  return null;
}

/** The example playbooks' folder copied (they name artifacts and inventories next to them). */
const dir = mkdtempSync(join(tmpdir(), 'lrroll-odd-input-'));
cpSync(PLAYBOOKS, dir, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runInProcess(c: Case, command: string): Promise<string | null> {
  for (const [name, text] of Object.entries(c.files)) writeFileSync(join(dir, name), text);
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (t: string) => void (stdout += t), isTTY: false },
    stderr: { write: (t: string) => void (stderr += t), isTTY: false },
    env: { NO_COLOR: '1', HOME: dir, LRROLL_HOME: join(dir, '.lrroll') },
    cwd: dir,
  };
  let code: number;
  try {
    code = await runCli([command, join(dir, 'case.yml')], io as never);
  } catch (err) {
    return `threw ${(err as Error).stack ?? String(err)}`;
  }
  const found = problem(code, stdout, stderr);
  return found === null ? null : `${found}: ${stderr.slice(0, 600)}`;
}

describe('odd values in every playbook and inventory field: validate and plan never fail unlocated', () => {
  const bases = loadBases();
  const cases = fc.sample(
    fc.oneof({ arbitrary: playbookCase(bases), weight: 4 }, { arbitrary: inventoryCase(), weight: 1 }),
    { numRuns: RUNS, seed: SEED },
  );

  it(`${RUNS} generated cases through runCli (seed ${SEED})`, async () => {
    const failures: string[] = [];
    for (const c of cases) {
      for (const command of ['validate', 'plan']) {
        const found = await runInProcess(c, command);
        if (found !== null) failures.push(`${command} ${c.label} → ${found}`);
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it('a handful through the built binary', () => {
    const failures: string[] = [];
    for (const c of cases.slice(0, 6)) {
      for (const [name, text] of Object.entries(c.files)) writeFileSync(join(dir, name), text);
      const r = spawnSync(process.execPath, [CLI, 'plan', join(dir, 'case.yml')], {
        encoding: 'utf8',
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', HOME: dir, LRROLL_HOME: join(dir, '.lrroll') },
        timeout: 60_000,
      });
      const found = problem(r.status ?? -1, r.stdout, r.stderr);
      if (found !== null) failures.push(`${c.label} → ${found}: ${r.stderr.slice(0, 600)}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
