/**
 * `lrroll run --yes` still shows what the operator agrees to (verdict, strategy, user impact) on
 * stderr, and `--output json` keeps stdout pure NDJSON. The run itself is refused in preflight
 * (the local node does not answer HTTP), so nothing changes.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../dist/bin/lrroll.js', import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-run-confirm-'));
  mkdirSync(join(dir, 'node1'));
  mkdirSync(join(dir, 'node2'));
  const nodes = ['node1', 'node2'].flatMap((n) => [`    - name: ${n}`, `      liferayHome: ${join(dir, n)}`]);
  writeFileSync(
    join(dir, 'confirm.yml'),
    [
      'lrroll: 1',
      'name: Confirmation with --yes',
      'inventory:',
      '  defaults:',
      '    transport: local',
      '    httpPort: 1',
      '  nodes:',
      ...nodes,
      'loadBalancer:',
      '  type: none',
      'change:',
      '  type: restart',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lrroll run --yes --output json', () => {
  it('prints the confirmation text on stderr and only NDJSON events on stdout', () => {
    const r = spawnSync(process.execPath, [BIN, 'run', join(dir, 'confirm.yml'), '--yes', '--output', 'json'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', LRROLL_HOME: join(dir, 'home') },
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toContain('About to run Confirmation with --yes (plan ');
    expect(r.stderr).toContain('  Verdict: rolling — eligible for a rolling restart');
    expect(r.stderr).toMatch(/ {2}Strategy: rolling · 2 node\(s\) in 2 batch\(es\)/);
    expect(r.stderr).toContain('What users will notice:');
    expect(r.stderr).toContain('- No load balancer: requests that reach a stopped node fail.');
    expect(r.stderr).not.toContain('Run it now?');
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    // The cluster lock is taken before and released after the run: its events frame run-start … run-end.
    expect(lines.map((l) => (JSON.parse(l) as { kind: string }).kind).filter((k) => k !== 'lock')[0]).toBe('run-start');
    const runEvents = lines.map((l) => JSON.parse(l) as { kind: string }).filter((e) => e.kind !== 'lock');
    expect(runEvents.at(-1)).toMatchObject({ kind: 'run-end', status: 'refused' });
  });
});

describe('-e / --set on the command line', () => {
  it('plan and run --dry-run apply a policy value, record it and show it in the confirmation too', () => {
    const ROOT = fileURLToPath(new URL('../../', import.meta.url));
    const args = [
      'playbooks/restart.yml',
      '-e',
      'rollout.onFailure=rollback',
      '--set',
      'health.settle=20s',
      '--format',
      'json',
    ];
    const plan = spawnSync(process.execPath, [BIN, 'plan', ...args], { cwd: ROOT, encoding: 'utf8' });
    const dry = spawnSync(process.execPath, [BIN, 'run', '--dry-run', ...args], { cwd: ROOT, encoding: 'utf8' });
    expect(plan.status, plan.stderr).toBe(0);
    expect(dry.stdout).toBe(plan.stdout);
    const p = JSON.parse(plan.stdout) as { policy: { onFailure: string }; overrides: Record<string, string> };
    expect(p.policy.onFailure).toBe('rollback');
    expect(p.overrides).toEqual({ 'rollout.onFailure': 'rollback', 'health.settle': '20s' });
    const r = spawnSync(
      process.execPath,
      [BIN, 'run', join(dir, 'confirm.yml'), '--yes', '--output', 'json', '-e', 'rollout.maxFailures=1'],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', LRROLL_HOME: join(dir, 'home') }, timeout: 60_000 },
    );
    expect(r.stderr).toContain('  Set for this run: rollout.maxFailures=1');
  });
});
