import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAN_FORMAT_VERSION } from '../../src/plan/types.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'dist/bin/lrroll.js');

function lrroll(args: string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const STACK = /\n\s+at .+\(.+:\d+:\d+\)/;
let tmp: string;

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error('dist/bin/lrroll.js is missing: run `npm run build` (npm test does it)');
  tmp = mkdtempSync(join(tmpdir(), 'lrroll-cli-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('lrroll command line (built binary)', () => {
  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(lrroll(['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it.each([
    [[]],
    [['--help']],
    [['validate', '--help']],
    [['plan', '--help']],
    [['run', '--help']],
    [['init', '--help']],
    [['schema', '--help']],
  ])('help: %j', (args) => {
    const r = lrroll([...args, ...(args.length === 0 ? ['--help'] : [])]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: lrroll');
  });

  it('an unknown command or option is a usage error (exit 2) with a suggestion', () => {
    const r = lrroll(['plna', 'playbooks/restart.yml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('(Did you mean plan?)');
    expect(lrroll(['plan', '--bogus', 'playbooks/restart.yml']).code).toBe(2);
  });

  it('validate: a valid example exits 0', () => {
    const r = lrroll(['validate', 'playbooks/fixpack.yml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('is valid: 4 node(s), 4 batch(es)');
  });

  it('validate: a missing file exits 2 without a stack trace', () => {
    const r = lrroll(['validate', 'playbooks/nope.yml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[E_FILE]: cannot read playbooks/nope.yml: no such file');
    expect(r.stderr).not.toMatch(STACK);
  });

  it('plan --format json: 6 nodes with serial [1, 2, "50%"] → batches of 1, 2 and 3 in inventory order', () => {
    const r = lrroll(['plan', 'playbooks/portal-properties.yml', '--format', 'json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { formatVersion: number; batches: Array<{ nodes: string[] }> };
    expect(plan.formatVersion).toBe(PLAN_FORMAT_VERSION);
    expect(plan.batches.map((b) => b.nodes)).toEqual([['lr1'], ['lr2', 'lr3'], ['lr4', 'lr5', 'lr6']]);
  });

  it('plan: a Java major update under strategy: rolling exits 3 with the reason', () => {
    const r = lrroll(['plan', 'test/fixtures/playbooks/valid/java-major-rolling.yml']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(
      'Verdict: ✖ FULL RESTART — refused with strategy: rolling (use strategy: full for a full restart)',
    );
    expect(r.stderr).toContain('refused: the verdict is full-restart, and the strategy is rolling');
    expect(r.stderr).toContain('Java 11.0.25 → 17.0.13 is a major update (11 → 17)');
  });

  it('run --dry-run shows the same plan with the same renderer as plan', () => {
    for (const format of ['text', 'json', 'mermaid']) {
      const a = lrroll(['plan', 'playbooks/module.yml', '--format', format]);
      const b = lrroll(['run', '--dry-run', 'playbooks/module.yml', '--format', format]);
      expect(b.code).toBe(0);
      expect(b.stdout).toBe(a.stdout);
    }
  });

  it('run --plan-hash refuses (exit 3) when the plan changed since it was reviewed', () => {
    const plan = JSON.parse(lrroll(['plan', 'playbooks/restart.yml', '--format', 'json']).stdout) as { hash: string };
    expect(lrroll(['run', '--dry-run', 'playbooks/restart.yml', '--plan-hash', plan.hash.slice(0, 12)]).code).toBe(0);
    const changed = lrroll([
      'run',
      '--dry-run',
      'playbooks/restart.yml',
      '--plan-hash',
      plan.hash.slice(0, 12),
      '--limit',
      'node1',
    ]);
    expect(changed.code).toBe(3);
    expect(changed.stderr).toContain('the plan changed since it was reviewed');
  });

  it('--var overrides a playbook variable and --limit restricts the nodes changed', () => {
    const r = lrroll([
      'plan',
      'playbooks/portal-properties.yml',
      '--format',
      'json',
      '--var',
      'sessionMinutes=90',
      '--limit',
      'lr2,lr5',
    ]);
    const plan = JSON.parse(r.stdout) as { batches: Array<{ nodes: string[] }>; nodes: unknown[] };
    expect(plan.nodes).toHaveLength(6);
    expect(plan.batches.map((b) => b.nodes)).toEqual([['lr2'], ['lr5']]);
    expect(r.stdout).toContain('session.timeout');
    expect(lrroll(['plan', 'playbooks/portal-properties.yml', '--var', 'bad']).code).toBe(2);
  });

  it('init scaffolds a playbook that validates; refuses to overwrite without --force', () => {
    const out = join(tmp, 'my-fixpack.yml');
    const r = lrroll(['init', 'restart', '-o', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^# yaml-language-server: \$schema=.*schemas\/playbook\.schema\.json$/m);
    expect(lrroll(['validate', out]).code).toBe(0);
    expect(lrroll(['init', 'restart', '-o', out]).code).toBe(2);
    expect(lrroll(['init', 'restart', '-o', out, '--force']).code).toBe(0);
    expect(lrroll(['init', 'nope']).code).toBe(2);
    expect(lrroll(['init', '--list']).stdout).toContain('fixpack\n');
  });

  it('schema prints the schema path and the editor modeline', () => {
    const r = lrroll(['schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(join(ROOT, 'schemas/playbook.schema.json'));
    expect(r.stdout).toContain('# yaml-language-server: $schema=');
    expect(JSON.parse(lrroll(['schema', '--print']).stdout)).toMatchObject({ title: 'Playbook' });
  });
});
