// Every flag a subcommand lists does something there, and the README's command table lists exactly
// the flags each subcommand has. The test walks commander's definitions: a flag added without an
// effect probe here, or without its README mention, fails it.
//
// Most probes run the command twice in-process, with and without the flag (or with two values),
// and require a difference a user would see. `run` and `resume` hand their execution flags to the
// executor (`executeRun`, replaced here by a recorder): the probe checks that each flag reaches it,
// and EXECUTOR_TESTS names the test that shows what the executor does with it.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunFlags } from '../../../src/cli/execute.js';

const recorded: RunFlags[] = [];
vi.mock('../../../src/cli/execute.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/cli/execute.js')>();
  return {
    ...real,
    executeRun: async (_plan: unknown, flags: RunFlags) => {
      recorded.push(flags);
      return 0;
    },
  };
});

// The SSH files each read-only command hands its transports (status, diff, clean, unlock connect to the nodes).
const sshSeen: Array<{ configFile: string | null; knownHostsFiles: string[] | null } | undefined> = [];
vi.mock('../../../src/app/execute.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/app/execute.js')>();
  return {
    ...real,
    sshSettings: (...args: Parameters<typeof real.sshSettings>) => {
      sshSeen.push(args[2]);
      return real.sshSettings(...args);
    },
  };
});

const { buildProgram, runCli } = await import('../../../src/cli/run-cli.js');
const { captureIo } = await import('../../helpers/capture-io.js');

const ROOT = join(import.meta.dirname, '../../..');
let dir = '';
let served = 0;
let server: http.Server | undefined;

interface Outcome {
  code: number;
  out: string;
  err: string;
}

async function cli(argv: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const io = captureIo({ LRROLL_HOME: join(dir, 'home'), ...env }, dir);
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

/** The RunFlags `executeRun` receives for these arguments. */
async function flagsFor(argv: string[]): Promise<RunFlags> {
  recorded.length = 0;
  const r = await cli(argv);
  expect(recorded, r.err).toHaveLength(1);
  return recorded[0] as RunFlags;
}

/**
 * Liferay Homes (one per node of CLEAN_PB) with the backups of `runs` earlier runs (k1 oldest) and a staged file each.
 */
function leftBehind(name: string, runs: number): string {
  const home = join(dir, name);
  for (const node of ['n1', 'n2', 'n3']) {
    for (let i = 1; i <= runs; i++) {
      const d = join(home, node, '.lrroll');
      mkdirSync(join(d, 'backups', `k${i}`), { recursive: true });
      mkdirSync(join(d, 'staging'), { recursive: true });
      writeFileSync(join(d, 'staging', `k${i}.zip`), 'x');
      const t = 1_700_000_000 + i * 60;
      utimesSync(join(d, 'backups', `k${i}`), t, t);
    }
  }
  return home;
}

const differs = (a: Outcome, b: Outcome): void => expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));

/** The SSH files the last transports of `argv` were given. */
async function sshFilesOf(
  argv: string[],
): Promise<{ configFile: string | null; knownHostsFiles: string[] | null } | undefined> {
  sshSeen.length = 0;
  const r = await cli(argv);
  expect(sshSeen.length, r.err).toBeGreaterThan(0);
  return sshSeen[sshSeen.length - 1];
}

/** Probes of `--ssh-config` and `--known-hosts` for a command that connects to the nodes with these arguments. */
function sshProbes(command: string, argv: () => string[]): Record<string, () => Promise<void>> {
  return {
    [`${command} --ssh-config`]: async () => {
      expect((await sshFilesOf([...argv(), '--ssh-config', 'ssh_config']))?.configFile).toBe(join(dir, 'ssh_config'));
      const missing = await cli([...argv(), '--ssh-config', 'missing_config']);
      expect(missing.code).toBe(2);
      expect(missing.err).toContain('missing_config does not exist (--ssh-config)');
    },
    [`${command} --known-hosts`]: async () =>
      expect((await sshFilesOf([...argv(), '--known-hosts', 'kh1', '--known-hosts', 'kh2']))?.knownHostsFiles).toEqual([
        join(dir, 'kh1'),
        join(dir, 'kh2'),
      ]),
  };
}

// A playbook whose nodes run their commands on this machine, with templates the --var probes move.
const LOCAL = `lrroll: 1
name: flag probes
inventory:
  defaults: { transport: local, liferayHome: "{{home}}" }
  nodes: [{ name: n1 }, { name: n2 }, { name: n3 }]
loadBalancer: { type: none }
change: { type: portal-properties, set: { probe.key: "1" } }
health:
  startupMarker: { enabled: false }
  http: { url: "http://127.0.0.1:{{port}}/" }
vars: { home: /nonexistent/lrroll-probe, port: "9" }
`;

const RESTART = 'playbooks/restart.yml';
const LOCAL_PB = (): string => join(dir, 'local.yml');
// The same cluster with a Liferay Home per node (each node takes its own run lock).
const CLEAN_PB = (): string => join(dir, 'clean.yml');
// A facts file as `lrroll facts` writes it (no node read), for the --facts probes.
const FACTS = (): string => join(dir, 'facts.json');

/** One probe per `<command> --<flag>`: it fails unless the flag changes what the user gets. */
const PROBES: Record<string, () => Promise<void>> = {
  'validate --format': async () =>
    differs(await cli(['validate', RESTART, '--format', 'json']), await cli(['validate', RESTART])),
  'validate --var': async () => {
    expect((await cli(['validate', join(dir, 'undefined-var.yml')])).code).toBe(2);
    expect((await cli(['validate', join(dir, 'undefined-var.yml'), '--var', 'who=ops'])).code).toBe(0);
  },
  'validate --set': async () => {
    expect((await cli(['validate', RESTART])).code).toBe(0);
    expect((await cli(['validate', RESTART, '--set', 'rollout.onFailure=explode'])).code).toBe(2);
  },
  'plan --set': async () =>
    differs(await cli(['plan', RESTART, '--set', 'rollout.onFailure=rollback']), await cli(['plan', RESTART])),
  'run --set': async () =>
    differs(
      await cli(['run', RESTART, '--dry-run', '--set', 'rollout.onFailure=rollback']),
      await cli(['run', RESTART, '--dry-run']),
    ),
  'status --set': async () => {
    const r = await cli([
      'status',
      LOCAL_PB(),
      '--format',
      'json',
      '--set',
      `health.http.url=http://127.0.0.1:${served}/`,
    ]);
    expect((JSON.parse(r.out) as Array<{ http: string }>).map((n) => n.http)).toEqual(['200', '200', '200']);
  },
  'validate --facts': async () => {
    expect((await cli(['validate', RESTART, '--facts', FACTS()])).code).toBe(0);
    const bad = await cli(['validate', RESTART, '--facts', join(dir, 'bad-facts.json')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('bad-facts.json');
  },
  'plan --facts': async () => {
    const withFacts = await cli(['plan', RESTART, '--format', 'json', '--facts', FACTS()]);
    expect((JSON.parse(withFacts.out) as { facts: { file: { path: string } | null } }).facts.file?.path).toContain(
      'facts.json',
    );
    differs(withFacts, await cli(['plan', RESTART, '--format', 'json']));
  },
  'run --facts': async () =>
    differs(await cli(['run', RESTART, '--dry-run', '--facts', FACTS()]), await cli(['run', RESTART, '--dry-run'])),
  'facts --output': async () => {
    const r = await cli(['facts', LOCAL_PB(), '--output', 'gathered.json']);
    expect(r.out).toBe('');
    expect(
      Object.keys((JSON.parse(readFileSync(join(dir, 'gathered.json'), 'utf8')) as { nodes: object }).nodes),
    ).toEqual(['n1', 'n2', 'n3']);
  },
  'facts --var': async () => {
    const patchesOf = async (argv: string[]): Promise<unknown> =>
      (JSON.parse((await cli(['facts', LOCAL_PB(), ...argv])).out) as { nodes: Record<string, { patches?: string[] }> })
        .nodes.n1?.patches;
    expect(await patchesOf(['--var', `home=${join(dir, 'patched')}`])).toEqual(['dxp-2-7210']);
    expect(await patchesOf([])).toBeUndefined();
  },
  'facts --limit': async () =>
    expect(
      Object.keys((JSON.parse((await cli(['facts', LOCAL_PB(), '--limit', 'n2'])).out) as { nodes: object }).nodes),
    ).toEqual(['n2']),
  ...sshProbes('facts', () => ['facts', LOCAL_PB()]),
  ...sshProbes('status', () => ['status', LOCAL_PB()]),
  ...sshProbes('diff', () => ['diff', LOCAL_PB()]),
  ...sshProbes('clean', () => ['clean', CLEAN_PB(), '--var', `home=${join(dir, 'clean-ssh')}`]),
  ...sshProbes('unlock', () => ['unlock', LOCAL_PB()]),
  'run --ssh-config': async () =>
    expect((await flagsFor(['run', RESTART, '--ssh-config', 'ssh_config'])).sshFiles?.configFile).toBe(
      join(dir, 'ssh_config'),
    ),
  'run --known-hosts': async () =>
    expect((await flagsFor(['run', RESTART, '--known-hosts', 'kh'])).sshFiles?.knownHostsFiles).toEqual([
      join(dir, 'kh'),
    ]),
  'resume --ssh-config': async () =>
    expect((await flagsFor(['resume', '--ssh-config', 'ssh_config'])).sshFiles?.configFile).toBe(
      join(dir, 'ssh_config'),
    ),
  'resume --known-hosts': async () =>
    expect((await flagsFor(['resume', '--known-hosts', 'kh'])).sshFiles?.knownHostsFiles).toEqual([join(dir, 'kh')]),
  'validate --limit': async () => expect((await cli(['validate', RESTART, '--limit', 'node2'])).out).toMatch(/1 batch/),
  'plan --format': async () => differs(await cli(['plan', RESTART, '--format', 'json']), await cli(['plan', RESTART])),
  'plan --full': async () => differs(await cli(['plan', RESTART, '--full']), await cli(['plan', RESTART])),
  'plan --var': async () =>
    differs(await cli(['plan', LOCAL_PB(), '--var', 'port=10']), await cli(['plan', LOCAL_PB()])),
  'plan --limit': async () => differs(await cli(['plan', RESTART, '--limit', 'node2']), await cli(['plan', RESTART])),
  'run --dry-run': async () => {
    recorded.length = 0;
    expect((await cli(['run', RESTART, '--dry-run'])).out).toMatch(/Plan: /);
    expect(recorded).toHaveLength(0);
  },
  'run --format': async () =>
    differs(await cli(['run', RESTART, '--dry-run', '--format', 'mermaid']), await cli(['run', RESTART, '--dry-run'])),
  'run --full': async () =>
    differs(await cli(['run', RESTART, '--dry-run', '--full']), await cli(['run', RESTART, '--dry-run'])),
  'run --plan-hash': async () =>
    expect((await cli(['run', RESTART, '--dry-run', '--plan-hash', '00000000'])).code).toBe(3),
  'run --var': async () =>
    differs(
      await cli(['run', LOCAL_PB(), '--dry-run', '--var', 'port=10']),
      await cli(['run', LOCAL_PB(), '--dry-run']),
    ),
  'run --limit': async () =>
    differs(await cli(['run', RESTART, '--dry-run', '--limit', 'node2']), await cli(['run', RESTART, '--dry-run'])),
  'run --yes': async () => expect((await flagsFor(['run', RESTART, '--yes'])).yes).toBe(true),
  'run --output': async () => expect((await flagsFor(['run', RESTART, '--output', 'json'])).output).toBe('json'),
  'run --accept-new-host-keys': async () =>
    expect((await flagsFor(['run', RESTART, '--accept-new-host-keys'])).acceptNewHostKeys).toBe(true),
  'run --verbose': async () => expect((await flagsFor(['run', RESTART, '--verbose'])).verbose).toBe(true),
  'run --lock-wait': async () => expect((await flagsFor(['run', RESTART, '--lock-wait', '2m'])).lockWaitSec).toBe(120),
  'run --message': async () => expect((await flagsFor(['run', RESTART, '-m', 'CHG-1'])).message).toBe('CHG-1'),
  'run --report': async () =>
    expect((await flagsFor(['run', RESTART, '--report', 'r.json'])).report).toEqual({
      file: join(dir, 'r.json'),
      format: 'json',
    }),
  'status --format': async () =>
    differs(await cli(['status', LOCAL_PB(), '--format', 'json']), await cli(['status', LOCAL_PB()])),
  'status --var': async () => {
    const r = await cli(['status', LOCAL_PB(), '--format', 'json', '--var', `port=${served}`]);
    expect((JSON.parse(r.out) as Array<{ http: string }>).map((n) => n.http)).toEqual(['200', '200', '200']);
    expect(
      (JSON.parse((await cli(['status', LOCAL_PB(), '--format', 'json'])).out) as Array<{ http: string }>)[0]?.http,
    ).not.toBe('200');
  },
  'status --limit': async () =>
    expect(
      (
        JSON.parse((await cli(['status', LOCAL_PB(), '--format', 'json', '--limit', 'n2'])).out) as Array<{
          node: string;
        }>
      ).map((n) => n.node),
    ).toEqual(['n2']),
  'diff --format': async () =>
    differs(await cli(['diff', LOCAL_PB(), '--format', 'json']), await cli(['diff', LOCAL_PB()])),
  'diff --var': async () =>
    expect((await cli(['diff', LOCAL_PB(), '--var', `home=${join(dir, 'locked')}`])).out).toContain(
      join(dir, 'locked/portal-ext.properties'),
    ),
  'diff --limit': async () =>
    expect(
      (
        JSON.parse((await cli(['diff', LOCAL_PB(), '--format', 'json', '--limit', 'n3'])).out) as {
          nodes: Array<{ node: string }>;
        }
      ).nodes.map((n) => n.node),
    ).toEqual(['n3']),
  'resume --yes': async () => expect((await flagsFor(['resume', '--yes'])).yes).toBe(true),
  'resume --output': async () => expect((await flagsFor(['resume', '--output', 'plain'])).output).toBe('plain'),
  'resume --accept-new-host-keys': async () =>
    expect((await flagsFor(['resume', '--accept-new-host-keys'])).acceptNewHostKeys).toBe(true),
  'resume --verbose': async () => expect((await flagsFor(['resume', '--verbose'])).verbose).toBe(true),
  'resume --lock-wait': async () => expect((await flagsFor(['resume', '--lock-wait', '30s'])).lockWaitSec).toBe(30),
  'resume --message': async () => expect((await flagsFor(['resume', '-m', 'again'])).message).toBe('again'),
  'resume --report': async () =>
    expect((await flagsFor(['resume', '--report', 'r.md'])).report).toEqual({ file: join(dir, 'r.md'), format: 'md' }),
  'unlock --var': async () => {
    expect((await cli(['unlock', LOCAL_PB()])).out).toMatch(/not locked/);
    const held = await cli(['unlock', LOCAL_PB(), '--var', `home=${join(dir, 'locked')}`]);
    expect(held.code).toBe(3);
    expect(held.err).toMatch(/run lock is held on .* by /);
  },
  'unlock --yes': async () => {
    expect((await cli(['unlock', LOCAL_PB(), '--var', `home=${join(dir, 'locked2')}`, '--yes'])).out).toMatch(
      /Lock broken/,
    );
    expect(existsSync(join(dir, 'locked2/.lrroll/lock'))).toBe(false);
  },
  'clean --yes': async () => {
    const home = leftBehind('clean-yes', 1);
    const asked = await cli(['clean', CLEAN_PB(), '--var', `home=${home}`]);
    expect(asked.code).toBe(3); // no terminal to confirm on: nothing removed
    expect(existsSync(join(home, 'n1/.lrroll/backups/k1'))).toBe(true);
    expect((await cli(['clean', CLEAN_PB(), '--var', `home=${home}`, '--yes'])).code).toBe(0);
    expect(existsSync(join(home, 'n1/.lrroll/backups/k1'))).toBe(false);
  },
  'clean --keep': async () => {
    const home = leftBehind('clean-keep', 3);
    expect((await cli(['clean', CLEAN_PB(), '--var', `home=${home}`, '--yes', '--keep', '2'])).code).toBe(0);
    expect(readdirSync(join(home, 'n3/.lrroll/backups')).sort()).toEqual(['k2', 'k3']);
  },
  'clean --limit': async () => {
    const home = leftBehind('clean-limit', 1);
    const out = (await cli(['clean', CLEAN_PB(), '--var', `home=${home}`, '--limit', 'n2'])).out;
    expect(out).toMatch(/^n2: /m);
    expect(out).not.toMatch(/^n[13]: /m);
  },
  'clean --var': async () => {
    const home = leftBehind('clean-var', 2);
    expect((await cli(['clean', CLEAN_PB(), '--var', `home=${home}`])).out).toContain(`${home}/n1/.lrroll holds`);
  },
  'report --format': async () =>
    differs(await cli(['report', '--format', 'md']), await cli(['report', '--format', 'json'])),
  'report --output': async () => {
    await cli(['report', '-o', 'out.html']);
    expect(readFileSync(join(dir, 'out.html'), 'utf8')).toMatch(/<html/i);
  },
  'runs --format': async () => differs(await cli(['runs', '--format', 'ids']), await cli(['runs', '--format', 'json'])),
  'init --output': async () => {
    await cli(['init', 'restart', '-o', 'mine.yml']);
    expect(existsSync(join(dir, 'mine.yml'))).toBe(true);
  },
  'init --force': async () => {
    expect((await cli(['init', 'restart', '-o', 'twice.yml'])).code).toBe(0);
    expect((await cli(['init', 'restart', '-o', 'twice.yml'])).code).not.toBe(0);
    expect((await cli(['init', 'restart', '-o', 'twice.yml', '--force'])).code).toBe(0);
  },
  'init --list': async () => differs(await cli(['init', '--list']), await cli(['init', 'restart', '-o', 'listed.yml'])),
  'schema --print': async () => differs(await cli(['schema', '--print']), await cli(['schema'])),
};

/**
 * What the executor does with each flag `run` and `resume` hand it: the test that shows it, and a string it must
 * contain.
 */
const EXECUTOR_TESTS: Record<keyof Omit<RunFlags, 'resume'>, { file: string; contains: string }> = {
  yes: { file: 'test/e2e/rolling.test.ts', contains: "'--yes'" },
  output: { file: 'test/unit/render/select.test.ts', contains: 'json' },
  acceptNewHostKeys: { file: 'test/e2e/ssh-transport.test.ts', contains: '--accept-new-host-keys' },
  verbose: { file: 'test/unit/render/plain.test.ts', contains: "it('verbose: every output line" },
  lockWaitSec: { file: 'test/e2e/failures.test.ts', contains: '--lock-wait' },
  message: { file: 'test/e2e/failures.test.ts', contains: "'-m'" },
  report: { file: 'test/e2e/report-cli.test.ts', contains: '--report' },
  sshFiles: { file: 'test/e2e/ssh-files.test.ts', contains: '--known-hosts' },
};

/** Every `<command> --<long flag>` commander defines (help excluded). */
function definedFlags(): string[] {
  return definedOptions()
    .map((o) => `${o.command} ${o.long}`)
    .sort();
}

function definedOptions(): Array<{ command: string; long: string; short: string | null }> {
  const program = buildProgram(captureIo(), () => undefined);
  return program.commands.flatMap((c) =>
    c.options
      .filter((o) => o.long && o.long !== '--help')
      .map((o) => ({ command: c.name(), long: o.long as string, short: o.short ?? null })),
  );
}

/**
 * The README's command table: command → the flags its rows name, long (`--yes`) or short (`-o`); a row saying "same
 * flags as `run`" takes run's.
 */
function readmeFlags(): Map<string, Set<string>> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const table = readme.slice(
    readme.indexOf('## Commands'),
    readme.indexOf('Exit codes:', readme.indexOf('## Commands')),
  );
  const out = new Map<string, Set<string>>();
  for (const row of table.split('\n').filter((l) => l.startsWith('| `lrroll '))) {
    const command = /^\| `lrroll (\w+)/.exec(row)?.[1];
    if (!command) continue;
    const flags = out.get(command) ?? new Set<string>();
    for (const m of row.matchAll(/(?<![\w-])(--[a-z][a-z-]*|-[a-zA-Z])(?![\w-])/g)) flags.add(m[1] as string);
    if (/same flags as `run`/.test(row)) for (const f of out.get('run') ?? []) flags.add(f);
    out.set(command, flags);
  }
  return out;
}

describe('every flag of every subcommand', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lrroll-flags-'));
    writeFileSync(LOCAL_PB(), LOCAL);
    writeFileSync(join(dir, 'ssh_config'), 'Host *\n  ServerAliveInterval 30\n');
    writeFileSync(CLEAN_PB(), LOCAL.replace('liferayHome: "{{home}}"', 'liferayHome: "{{home}}/{{node}}"'));
    writeFileSync(
      join(dir, 'undefined-var.yml'),
      readFileSync(join(ROOT, RESTART), 'utf8').concat('hooks:\n  beforeRun:\n    - run: echo {{who}}\n'),
    );
    writeFileSync(FACTS(), JSON.stringify({ lrrollFacts: 1, gatheredAt: '2026-01-01T00:00:00.000Z', nodes: {} }));
    writeFileSync(join(dir, 'bad-facts.json'), JSON.stringify({ lrrollFacts: 1 }));
    mkdirSync(join(dir, 'patched/patching-tool'), { recursive: true });
    writeFileSync(
      join(dir, 'patched/patching-tool/patching-tool.sh'),
      "#!/bin/sh\necho 'Currently installed patches: dxp-2-7210'\n",
      { mode: 0o755 },
    );
    for (const d of ['locked', 'locked2']) {
      mkdirSync(join(dir, d, '.lrroll/lock'), { recursive: true });
      writeFileSync(
        join(dir, d, '.lrroll/lock/owner'),
        JSON.stringify({
          user: 'someone',
          host: 'elsewhere',
          pid: 1,
          runId: 'r-other',
          planHash: '0'.repeat(64),
          name: 'other run',
          since: new Date().toISOString(),
          message: '',
        }),
      );
    }
    server = http.createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1');
    await new Promise((r) => server?.once('listening', r));
    served = (server.address() as AddressInfo).port;
    // A recorded run (for report, runs and resume): recorded as running, so resume takes it.
    recorded.length = 0;
    const { planPlaybook } = await import('../../../src/app/use-cases.js');
    const { Journal } = await import('../../../src/app/journal.js');
    const outcome = await planPlaybook(join(ROOT, RESTART), { vars: {}, limit: null, env: {} });
    if (!outcome.plan) throw new Error('restart.yml does not plan');
    Journal.create(
      { LRROLL_HOME: join(dir, 'home') },
      outcome.plan,
      '20260101T000000Z-probe',
      '2026-01-01T00:00:00.000Z',
    ).close();
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('has a probe, and nothing else has one', () => {
    expect(Object.keys(PROBES).sort()).toEqual(definedFlags());
  });

  it.each(definedFlags())('%s does something', async (key) => {
    await (PROBES[key] as () => Promise<void>)();
  });

  it.each(Object.entries(EXECUTOR_TESTS))(
    'the executor flag %s is exercised by its test',
    (_field, { file, contains }) => {
      expect(readFileSync(join(ROOT, file), 'utf8')).toContain(contains);
    },
  );

  it("the README's command table names exactly each subcommand's flags", () => {
    const readme = readmeFlags();
    const options = definedOptions();
    for (const command of new Set(options.map((o) => o.command))) {
      const mine = options.filter((o) => o.command === command);
      const listed = readme.get(command) ?? new Set<string>();
      expect({
        command,
        missing: mine.filter((o) => !listed.has(o.long) && !(o.short && listed.has(o.short))).map((o) => o.long),
      }).toEqual({ command, missing: [] });
      expect({ command, unknown: [...listed].filter((f) => !mine.some((o) => o.long === f || o.short === f)) }).toEqual(
        { command, unknown: [] },
      );
    }
  });
});
