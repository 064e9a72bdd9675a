import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../src/app/journal.js';
import type { RunEvent } from '../../src/execute/events.js';
import { createHarness, loadPlan } from '../helpers/fake-transport.js';
import { reportSchemaErrors, validateJunit } from '../helpers/report-check.js';

// `lrroll runs`, `show`, `report` and `completion` of the built binary, on run records written by
// the journal from executor runs on the fake cluster.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'dist/bin/lrroll.js');
let home: string;
let env: Record<string, string>;

function lrroll(
  args: string[],
  cwd = home,
  extra: Record<string, string> = {},
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env, ...extra },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Records a run of a playbook on the fake cluster under `runId`; `cut` keeps only the events before that kind (a
 * crash).
 */
async function record(
  runId: string,
  playbook: string,
  breakIt: (h: ReturnType<typeof createHarness>) => void = () => undefined,
  cut?: (e: RunEvent) => boolean,
): Promise<void> {
  const plan = await loadPlan(playbook);
  plan.policy.window = null;
  const h = createHarness(plan, {
    deps: {
      secrets: {
        CHAT_TOKEN: 'tok-123456',
        LIFERAY_ADMIN_LOGIN: 'admin@example.net',
        LIFERAY_ADMIN_PASSWORD: 'pw-654321',
      },
    },
    onEvent: (_, hh) => hh.clock.advance(40),
  });
  breakIt(h);
  await h.run();
  const journal = Journal.create(env, plan, runId, h.events[0]?.at ?? h.clock.iso());
  const stop = cut ? h.events.findIndex(cut) : -1;
  for (const e of stop >= 0 ? h.events.slice(0, stop) : h.events) journal.record(e);
  journal.close();
}

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error('dist/bin/lrroll.js is missing: run `npm run build` (npm test does it)');
  home = mkdtempSync(join(tmpdir(), 'lrroll-reports-'));
  env = { LRROLL_HOME: join(home, 'state'), USER: 'alice' };
  await record('20250107T0200-aaaaaa', 'playbooks/module.yml');
  await new Promise((r) => setTimeout(r, 20));
  await record('20250107T0300-bbbbbb', 'playbooks/fixpack.yml', (h) => {
    h.cluster.host(h.plan.nodes[0]?.name ?? '').startupLines = ['SEVERE startup failed'];
  });
  await new Promise((r) => setTimeout(r, 20));
  await record(
    '20250107T0400-cccccc',
    'playbooks/restart.yml',
    () => undefined,
    (e) => e.kind === 'step-start' && e.action === 'service-start',
  );
  writeFileSync(join(home, 'web.yml'), 'lrroll: 1\n');
  mkdirSync(join(home, 'bin'));
  writeFileSync(join(home, 'bin/lrroll'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(home, 'bin/lrroll'), 0o755);
}, 60_000);
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('run history', () => {
  it('lrroll runs: newest first, with playbook, start, duration, outcome and nodes', () => {
    const r = lrroll(['runs']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^RUN\s+PLAYBOOK\s+STARTED\s+DURATION\s+OUTCOME\s+NODES$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([
      '20250107T0400-cccccc',
      '20250107T0300-bbbbbb',
      '20250107T0200-aaaaaa',
    ]);
    expect(lines[1]).toMatch(/playbooks\/restart\.yml .* - +running +\d+$/);
    expect(lines[2]).toMatch(/playbooks\/fixpack\.yml .* failed +4$/);
    expect(lines[3]).toMatch(/playbooks\/module\.yml .* ok +3$/);
    expect(lrroll(['runs', '--format', 'ids']).stdout).toBe(
      '20250107T0400-cccccc\n20250107T0300-bbbbbb\n20250107T0200-aaaaaa\n',
    );
    expect(
      (JSON.parse(lrroll(['runs', '--format', 'json']).stdout) as Array<{ outcome: string }>).map((x) => x.outcome),
    ).toEqual(['running', 'failed', 'ok']);
  });

  it('lrroll show RUN: the summary view the run ended with (by id prefix)', () => {
    const r = lrroll(['show', '20250107T03']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Run 20250107T0300-bbbbbb: Install fix pack dxp-15 on production\n/);
    expect(r.stdout).toMatch(/\nNODE\s+RESULT\s+IN LB\s+UPDATED\s+OUT OF LB\s+DURATION\s+FAILED STEP\n/);
    expect(r.stdout).toMatch(/lr-prod-1\S*\s+(failed|rolled-back)\s/);
    expect(r.stdout).toContain('Failures:');
  });

  it('lrroll show of a record without its end says so and where each node stands', () => {
    const r = lrroll(['show']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('The record has no end yet');
    expect(r.stdout).toMatch(/node1\s+unfinished · out of rotation/);
  });

  it('an unknown or ambiguous run is a usage error (exit 2), no stack trace', () => {
    expect(lrroll(['show', 'nope'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no recorded run nope'),
    });
    expect(lrroll(['report', '2025'])).toMatchObject({ code: 2, stderr: expect.stringContaining('is ambiguous') });
    expect(lrroll(['runs'], home, { LRROLL_HOME: join(home, 'empty') }).stdout).toBe('No runs recorded yet.\n');
  });

  it('a damaged record (meta.json without its plan) is a clear error, not a stack trace', () => {
    const dir = join(home, 'broken/runs/20250101T0000-dddddd');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'meta.json'),
      readFileSync(join(home, 'state/runs/20250107T0200-aaaaaa/meta.json'), 'utf8').replace(
        '20250107T0200-aaaaaa',
        '20250101T0000-dddddd',
      ),
    );
    for (const args of [['show'], ['report', '20250101T0000-dddddd']]) {
      const r = lrroll(args, home, { LRROLL_HOME: join(home, 'broken') });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error\[E_RECORD\]: the record of run 20250101T0000-dddddd cannot be read/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('lrroll report', () => {
  it.each(['20250107T0200-aaaaaa', '20250107T0300-bbbbbb', '20250107T0400-cccccc'])(
    '%s: JSON validates against schemas/report.schema.json, JUnit against the XSD',
    (id) => {
      const json = lrroll(['report', id, '--format', 'json']);
      expect(json.code, json.stderr).toBe(0);
      expect(reportSchemaErrors(JSON.parse(json.stdout))).toEqual([]);
      const xml = lrroll(['report', id, '--format', 'junit']);
      expect(validateJunit(xml.stdout)).toMatchObject({ ok: true });
    },
  );

  it('-o picks the format from the extension; html by default', () => {
    expect(lrroll(['report', '20250107T0200', '-o', 'r.html']).code).toBe(0);
    expect(readFileSync(join(home, 'r.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(lrroll(['report', '20250107T0200', '-o', 'r.md']).code).toBe(0);
    expect(readFileSync(join(home, 'r.md'), 'utf8')).toContain('| node | outcome | out of rotation | gates |');
    expect(lrroll(['report', '20250107T0200']).stdout).toMatch(/^<!DOCTYPE html>/);
    expect(lrroll(['report', '20250107T0200', '-o', 'no/such/dir/r.html'])).toMatchObject({ code: 2 });
  });

  it('run --report with an unknown extension or a missing folder is refused before anything runs (exit 2)', () => {
    const a = lrroll(['run', join(ROOT, 'playbooks/restart.yml'), '--yes', '--report', 'out.txt']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('the format comes from the extension');
    const b = lrroll(['resume', '--yes', '--report', 'missing/out.html']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('does not exist');
    expect(lrroll(['runs', '--format', 'ids']).stdout.split('\n').filter(Boolean)).toHaveLength(3);
  });
});

/** True when a program is on PATH (the completion tests need bash, zsh and fish; .ci/run installs them). */
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

describe('shell completion', () => {
  const PATH = (): string => `${join(home, 'bin')}:${process.env.PATH ?? ''}`;

  function bash(line: string): string[] {
    const script = lrroll(['completion', 'bash']).stdout;
    const words = line.split(' ');
    const program =
      `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}` +
      `; _lrroll; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['-c', program], {
      cwd: home,
      encoding: 'utf8',
      env: { ...process.env, ...env, PATH: PATH() },
    });
    return r.stdout.split('\n').filter(Boolean).sort();
  }

  it('bash: subcommands, flags, flag values, playbook paths and run ids', () => {
    expect(bash('lrroll re')).toEqual(['report', 'resume']);
    expect(bash('lrroll run --rep')).toEqual(['--report']);
    expect(bash('lrroll report --format ')).toEqual(['html', 'json', 'junit', 'md']);
    expect(bash('lrroll run ')).toEqual(expect.arrayContaining(['web.yml', 'bin']));
    expect(bash('lrroll run ')).not.toContain('r.html');
    expect(bash('lrroll show 20250107T03')).toEqual(['20250107T0300-bbbbbb']);
    expect(bash('lrroll completion ')).toEqual(['bash', 'fish', 'zsh']);
  });

  it.skipIf(!has('fish'))(
    `fish: the same, through fish's own completion engine${has('fish') ? '' : ' — skipped: fish is not installed'}`,
    () => {
      const script = join(home, 'lrroll.fish');
      writeFileSync(script, lrroll(['completion', 'fish']).stdout);
      const complete = (line: string): string[] => {
        const r = spawnSync('fish', ['--no-config', '-c', `source ${script}; complete -C '${line}'`], {
          cwd: home,
          encoding: 'utf8',
          env: { ...process.env, ...env, PATH: PATH() },
        });
        return r.stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('\t')[0] ?? '')
          .sort();
      };
      expect(complete('lrroll sh')).toEqual(['show']);
      expect(complete('lrroll run --rep')).toEqual(['--report']);
      expect(complete('lrroll report --format ')).toEqual(['html', 'json', 'junit', 'md']);
      expect(complete('lrroll show ')).toEqual([
        '20250107T0200-aaaaaa',
        '20250107T0300-bbbbbb',
        '20250107T0400-cccccc',
      ]);
      expect(complete('lrroll validate ')).toContain('web.yml');
    },
  );

  it.skipIf(!has('zsh'))(
    `zsh: the script loads, and its completion function offers what bash does` +
      `${has('zsh') ? '' : ' — skipped: zsh is not installed'}`,
    () => {
      const script = join(home, '_lrroll');
      writeFileSync(script, lrroll(['completion', 'zsh']).stdout);
      expect(spawnSync('zsh', ['-n', script]).status).toBe(0);
      // Stand-ins for zsh's completion helpers record what _lrroll asks them to offer.
      const stubs =
        `_arguments() { print -r -- "ARGS $*"; state=args; line=(report) }; _describe() { print -r -- ` +
        `"DESCRIBE $*" }; compdef() { :; }; _files() { print -r -- "FILES $*" }; compadd() { print -r ` +
        `-- "COMPADD $*" }`;
      const r = spawnSync('zsh', ['-f', '-c', `${stubs}; source ${script}; _lrroll`], { cwd: home, encoding: 'utf8' });
      expect(r.stdout).toContain(
        '--format[report format (default from the -o extension, else html)]:value:(html json md junit)',
      );
      expect(r.stdout).toContain('1:run:_lrroll_runs');
    },
  );
});
