import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { planPlaybook } from '../../src/app/use-cases.js';
import type { ExecutorDeps } from '../../src/execute/context.js';
import type { EventInput, RunEvent } from '../../src/execute/events.js';
import { runPlan, type RunReport } from '../../src/execute/executor.js';
import type { ExecOptions, ExecResult, Transport } from '../../src/execute/transport.js';
import type { Plan, PlanNode, Step } from '../../src/plan/types.js';
import { buildSummaryOnly } from '../../src/render/report/model.js';
import type { RunRecordInput } from '../../src/render/report/types.js';
import { FakeLb, type FakeLbOptions } from './fake-lb.js';
import { FIXED_START_MS, FixedClock, nextSeq } from './fixed-clock.js';

/**
 * What a command is, decided from the plan (exact command text of a step) or, for the commands
 * the executor builds itself, from its shape (`wc -c <`, `tail -c +N -F`).
 */
export type CommandKind =
  | 'check-sudo'
  | 'check-tools'
  | 'check-reachable'
  | 'check-service'
  | 'http'
  | 'gogo'
  | 'check-disk'
  | 'upload-checksum'
  | 'check-schema-version'
  | 'check-patch-level'
  | 'check-java-version'
  | 'service-stop'
  | 'status'
  | 'force-stop'
  | 'service-start'
  | 'log-size'
  | 'log-tail'
  | 'backup'
  | 'apply'
  | 'verify'
  | 'warmup'
  | 'cache-clear'
  | 'fingerprint'
  | 'hook'
  | 'lb-status'
  | 'lb-sessions'
  | 'lb-drain'
  | 'lb-disable'
  | 'lb-enable'
  | 'other';

/** One recorded `exec`. */
export interface ExecCall {
  /** Position in the merged call log of every fake. */
  seq: number;
  /** Virtual time of the call. */
  at: number;
  /** Node name, `local` or `lb`. */
  host: string;
  command: string;
  kind: CommandKind;
  /** Names of the secret environment variables passed (values are not recorded). */
  envNames: string[];
  become: boolean;
  timeoutMs: number;
  /** The step whose command this is (when the plan says), else null. */
  stepId: string | null;
}

/** One recorded `put`. */
export interface PutCall {
  seq: number;
  at: number;
  host: string;
  localPath: string;
  remotePath: string;
}

/** A scripted reply. Missing fields: exit 0, no output. */
export interface Reply {
  exitCode?: number | null;
  stdout?: string;
  stderr?: string;
  /** Never ends by itself: resolves only when the signal aborts or `timeoutMs` (virtual time with a clock) passes. */
  hang?: boolean;
  /** Runs into its deadline at once: the virtual clock jumps by `timeoutMs` and the result is `timedOut`. */
  timesOut?: boolean;
}

/** What a handler sees. */
export interface HandlerContext {
  host: FakeHost;
  cluster: FakeCluster;
  options: ExecOptions;
  /** The reply the fake would give without this handler. */
  fallback(): Promise<Reply | 'follow'>;
}

/** Decides a reply, or returns undefined to let older rules and the defaults answer. */
export type Handler = (call: ExecCall, ctx: HandlerContext) => Reply | undefined | Promise<Reply | undefined>;

/** Which calls a scripted rule applies to (all given fields must match). */
export interface Match {
  host?: string;
  kind?: CommandKind;
  /** Substring of the command. */
  includes?: string;
  /** Apply this many times only, then drop the rule. */
  times?: number;
}

interface Rule extends Match {
  reply: Reply | Handler;
}

const MARKER = 'org.apache.catalina.startup.Catalina.start Server startup in [1234] milliseconds';

/** The simulated state of one host: its app server process, logs and uploaded files. */
export class FakeHost {
  running = true;
  freeBytes = 50 * 1024 ** 3;
  /** Log path → content. */
  readonly logs = new Map<string, string>();
  /** Remote path → sha256 of what was put there. */
  readonly files = new Map<string, string>();
  /** Lines each start writes; null: the default startup (marker, STARTED lines, JGroups views the plan waits for). */
  startupLines: string[] | null = null;
  /** Virtual milliseconds after the start command before the startup lines appear. */
  startupDelayMs = 0;
  /** Called after every start command (e.g. to make the process die). */
  onStart: ((host: FakeHost) => void) | null = null;
  /** When true, the stop (and the forced kill) leave the process running. */
  unkillable = false;
  startCount = 0;
  private readonly followers = new Set<(path: string) => void>();

  constructor(
    readonly name: string,
    private readonly cluster: FakeCluster,
  ) {}

  /** The log's content ('' when missing). */
  log(path: string): string {
    return this.logs.get(path) ?? '';
  }

  /** Appends complete lines to a log and wakes its `tail -F` followers. */
  appendLog(path: string, lines: readonly string[]): void {
    if (lines.length === 0) return;
    this.logs.set(path, this.log(path) + lines.map((l) => `${l}\n`).join(''));
    for (const f of [...this.followers]) f(path);
  }

  /** @internal Follows appends (used by the fake `tail -F`). */
  follow(listener: (path: string) => void): () => void {
    this.followers.add(listener);
    return () => this.followers.delete(listener);
  }

  /** What the default start writes for this node: the marker, then what the plan's gates wait for. */
  defaultStartupLines(log: string): string[] {
    const lines = [`07-Jan-2025 02:00:00.000 INFO [main] ${MARKER}`];
    for (const step of this.cluster.nodeSteps(this.name)) {
      if (step.action === 'wait-modules' && step.log === log) {
        step.bundles.forEach((b, i) =>
          lines.push(
            `2025-01-07 02:00:01.000 INFO  ` +
              `[fileinstall-/opt/liferay/osgi/modules][BundleStartStopLogger:77] STARTED ${b}_9.9.9 [` +
              `${1000 + i}]`,
          ),
        );
      }
      if (step.action === 'wait-cluster' && step.log === log) {
        for (const ch of step.channels) {
          lines.push(
            `2025-01-07 02:00:02.000 INFO  [Incoming-1,${ch},${this.name}` +
              `-1][JGroupsReceiver:91] Accepted view [${this.name}-1|7] (${step.expectedSize}) [` +
              `${this.name}-1]`,
          );
        }
      }
    }
    return lines;
  }

  /** The logs a start writes to: every log the node's gates read, else the ones service-start records. */
  startupLogs(): string[] {
    const steps = this.cluster.nodeSteps(this.name);
    const gated = steps.flatMap((s) =>
      s.action === 'wait-log-marker' || s.action === 'wait-modules' || s.action === 'wait-cluster' ? [s.log] : [],
    );
    const recorded = steps.flatMap((s) => (s.action === 'service-start' ? s.logs : []));
    return [...new Set(gated.length > 0 ? gated : recorded)];
  }
}

/** One `Transport` of the fake cluster (a node, `local` or `lb`). */
export class FakeTransport implements Transport {
  readonly describe: string;
  connects = 0;
  closes = 0;

  constructor(
    readonly host: string,
    private readonly cluster: FakeCluster,
  ) {
    this.describe = `fake ${host}`;
  }

  async connect(): Promise<void> {
    this.connects += 1;
  }

  exec(command: string, options: ExecOptions): Promise<ExecResult> {
    return this.cluster.exec(this.host, command, options);
  }

  async put(localPath: string, remotePath: string): Promise<void> {
    this.cluster.puts.push({ seq: nextSeq(), at: this.cluster.now(), host: this.host, localPath, remotePath });
    const content = readFileSync(localPath);
    this.cluster.host(this.host).files.set(remotePath, createHash('sha256').update(content).digest('hex'));
  }

  async close(): Promise<void> {
    this.closes += 1;
  }
}

/**
 * What the OSGi gate's command prints when every component is active (`scr:list`), and when nothing listens on the Gogo
 * port.
 */
export const GOGO_ALL_ACTIVE = [
  '== gogo scr:list',
  'Trying 127.0.0.1...',
  'Connected to 127.0.0.1.',
  "Escape character is '^]'.",
  '',
  'g! scr:list',
  ' BundleId Component Name Default State',
  '    Component Id State      PIDs (Factory PID)',
  ' [  42]   com.acme.orders.OrderService  enabled',
  '    [ 101] [active      ] ',
  'g! echo lrroll-gogo-end',
  'lrroll-gogo-end',
  'g! ',
  '',
].join('\n');
export const GOGO_REFUSED = [
  '== gogo scr:list',
  'Trying 127.0.0.1...',
  'telnet: Unable to connect to remote host: Connection refused',
  '',
].join('\n');

const ACTION_KIND: Partial<Record<Step['action'], CommandKind>> = {
  'check-sudo': 'check-sudo',
  'check-tools': 'check-tools',
  'check-reachable': 'check-reachable',
  'check-node-healthy': 'http',
  'check-service': 'check-service',
  'check-disk': 'check-disk',
  upload: 'upload-checksum',
  'check-schema-version': 'check-schema-version',
  'check-patch-level': 'check-patch-level',
  'check-java-version': 'check-java-version',
  'check-lb-member': 'lb-status',
  'lb-drain': 'lb-drain',
  'lb-wait-drained': 'lb-sessions',
  'lb-enable': 'lb-enable',
  'lb-wait-up': 'lb-status',
  'service-stop': 'service-stop',
  'service-start': 'service-start',
  backup: 'backup',
  apply: 'apply',
  verify: 'verify',
  'wait-http': 'http',
  'wait-osgi': 'gogo',
  warmup: 'warmup',
  'cache-clear': 'cache-clear',
  hook: 'hook',
};

/** Every step of a plan, run-level and per node. */
export function allSteps(plan: Plan): Step[] {
  return [
    ...plan.preflight,
    ...plan.beforeRun,
    ...plan.batches.flatMap((b) => [...b.before, ...b.nodePlans.flatMap((np) => np.steps), ...b.after]),
    ...plan.finally,
    ...plan.onFailure,
  ];
}

/**
 * A scripted cluster of fake transports: every `exec` and `put` is recorded (host, command,
 * kind, env names, become), and replies come from rules scripted per test (newest first) or
 * from defaults that make a whole rolling run succeed: the status command exits 0 while the app
 * server runs and 1 after a stop; a start writes the startup marker (and the STARTED / JGroups
 * lines the plan's gates wait for) to the log; `tail -c +N -F` emits the log from byte N, then
 * every appended line, until aborted or timed out; curl answers `…\n302` while running; the
 * checksum of an uploaded file is the sha256 of what was put; `df` reports 50 GiB free.
 */
export class FakeCluster {
  readonly calls: ExecCall[] = [];
  readonly puts: PutCall[] = [];
  readonly local: FakeTransport;
  readonly lbTransport: FakeTransport;
  private readonly hosts = new Map<string, FakeHost>();
  private readonly transports = new Map<string, FakeTransport>();
  private readonly rules: Rule[] = [];
  private readonly byCommand = new Map<string, { kind: CommandKind; step: Step }>();
  private readonly plan: Plan | null;
  private readonly clock: FixedClock | null;

  constructor(options: { plan?: Plan; clock?: FixedClock; initialLog?: string[] } = {}) {
    this.plan = options.plan ?? null;
    this.clock = options.clock ?? null;
    this.local = this.transport('local');
    this.lbTransport = this.transport('lb');
    if (this.plan) this.index(this.plan);
    for (const n of this.plan?.nodes ?? []) {
      const h = this.host(n.name);
      for (const log of h.startupLogs()) {
        h.appendLog(
          log,
          options.initialLog ?? [
            '06-Jan-2025 22:00:00.000 INFO [main] org.apache.catalina.startup.Catalina.start Server ' +
              'startup in [98765] milliseconds',
            '06-Jan-2025 23:00:00.000 INFO  [http-nio-8080-exec-1][PortalImpl:1] some request',
          ],
        );
      }
    }
  }

  /** Virtual now (0 without a clock). */
  now(): number {
    return this.clock?.now() ?? 0;
  }

  /** The fake host (created on first use). */
  host(name: string): FakeHost {
    let h = this.hosts.get(name);
    if (!h) {
      h = new FakeHost(name, this);
      this.hosts.set(name, h);
    }
    return h;
  }

  /** The transport for a host name (created on first use). */
  transport(name: string): FakeTransport {
    let t = this.transports.get(name);
    if (!t) {
      t = new FakeTransport(name, this);
      this.transports.set(name, t);
    }
    return t;
  }

  /** ExecutorDeps.transportFor. */
  readonly transportFor = (node: PlanNode): Transport => this.transport(node.name);

  /** Adds a rule; newer rules win over older ones and over the defaults. */
  script(match: Match, reply: Reply | Handler): void {
    this.rules.unshift({ ...match, reply });
  }

  /** The calls to one host, optionally only some kinds. */
  callsTo(host: string, ...kinds: CommandKind[]): ExecCall[] {
    return this.calls.filter((c) => c.host === host && (kinds.length === 0 || kinds.includes(c.kind)));
  }

  /** The kinds of the calls to a host, in order. */
  kindsOf(host: string): CommandKind[] {
    return this.callsTo(host).map((c) => c.kind);
  }

  /** The node's own steps in the plan. */
  nodeSteps(node: string): Step[] {
    return (
      this.plan?.batches.flatMap((b) => b.nodePlans.filter((np) => np.node === node).flatMap((np) => np.steps)) ?? []
    );
  }

  /** @internal The transports' exec. */
  async exec(hostName: string, command: string, options: ExecOptions): Promise<ExecResult> {
    const started = this.now();
    const known = this.byCommand.get(command);
    const call: ExecCall = {
      seq: nextSeq(),
      at: started,
      host: hostName,
      command,
      kind: classify(command, known?.kind),
      envNames: Object.keys(options.env ?? {}).sort(),
      become: options.become === true,
      timeoutMs: options.timeoutMs,
      stepId: known?.step.id ?? null,
    };
    this.calls.push(call);
    const host = this.host(hostName);
    // A real command never answers in the same tick: let other nodes interleave.
    await new Promise<void>((r) => setImmediate(r));
    if (options.signal?.aborted) return result({ exitCode: null }, { aborted: true }, this.now() - started);
    const ctx: HandlerContext = {
      host,
      cluster: this,
      options,
      fallback: () => this.defaultReply(call, host, known?.step ?? null),
    };
    let reply: Reply | 'follow' | undefined;
    for (const rule of [...this.rules]) {
      if (!matches(rule, call)) continue;
      reply = typeof rule.reply === 'function' ? await rule.reply(call, ctx) : rule.reply;
      if (reply === undefined) continue;
      if (rule.times !== undefined && --rule.times <= 0) this.rules.splice(this.rules.indexOf(rule), 1);
      break;
    }
    reply ??= await ctx.fallback();
    if (reply === 'follow') return this.tail(host, command, options, started);
    if (reply.hang) return this.hang(options, started, reply);
    if (reply.timesOut) {
      this.clock?.advance(options.timeoutMs);
      return result({ ...reply, exitCode: null }, { timedOut: true }, this.now() - started);
    }
    for (const line of lines(reply.stdout)) options.onLine?.('stdout', line);
    for (const line of lines(reply.stderr)) options.onLine?.('stderr', line);
    return result(reply, {}, this.now() - started);
  }

  private async defaultReply(call: ExecCall, host: FakeHost, step: Step | null): Promise<Reply | 'follow'> {
    switch (call.kind) {
      case 'status':
        return host.running ? { exitCode: 0 } : { exitCode: 1 };
      case 'service-stop':
      case 'force-stop':
        if (!host.unkillable) host.running = false;
        return { exitCode: 0 };
      case 'service-start':
        this.start(host);
        return { exitCode: 0, stdout: 'Tomcat started.\n' };
      case 'log-size':
        return { stdout: `${Buffer.byteLength(host.log(logPathOf(call.command, /wc -c < ('[^']*'|[^\s;]+)/)))}\n` };
      case 'log-tail':
        return 'follow';
      case 'http':
        return host.running
          ? { stdout: '<html><body>redirecting</body></html>\n302' }
          : {
              exitCode: 7,
              stderr: 'curl: (7) Failed to connect to 127.0.0.1 port 8080 after 0 ms: Connection refused\n',
            };
      case 'gogo':
        return { stdout: host.running ? GOGO_ALL_ACTIVE : GOGO_REFUSED };
      case 'check-disk':
        return { stdout: `${host.freeBytes}\n` };
      case 'upload-checksum': {
        const path = /^p=(\S+)/.exec(call.command)?.[1] ?? '';
        const sha = host.files.get(path);
        return sha ? { stdout: `${sha}\n` } : { exitCode: 1, stderr: `lrroll: ${path} is not a regular file\n` };
      }
      case 'check-patch-level':
        return { stdout: step?.action === 'check-patch-level' && step.expected ? `${step.expected}-7210\n` : '' };
      case 'check-java-version':
        return {
          stdout:
            `openjdk version "${step?.action === 'check-java-version' ? step.expected : '17.0.13'}` +
            `" 2024-10-15\n== new\nopenjdk version "17.0.13" 2024-10-15\n`,
        };
      case 'fingerprint':
        return { stdout: 'patches: dxp-15-7210\nosgi/modules/com.acme.orders.service-2.1.3.jar\n' };
      case 'lb-status':
        return { stdout: 'UP\n' };
      case 'lb-sessions':
        return { stdout: '0\n' };
      default:
        return { exitCode: 0 };
    }
  }

  private start(host: FakeHost): void {
    host.running = true;
    host.startCount += 1;
    const write = (): void => {
      for (const log of host.startupLogs()) host.appendLog(log, host.startupLines ?? host.defaultStartupLines(log));
    };
    if (host.startupDelayMs > 0 && this.clock) {
      const at = this.clock.now() + host.startupDelayMs;
      const off = this.clock.onAdvance((now) => {
        if (now < at) return;
        off();
        write();
      });
    } else write();
    host.onStart?.(host);
  }

  /** `tail -c +N -F path`: the log from byte N, then every appended line, until aborted or timed out. */
  private tail(host: FakeHost, command: string, options: ExecOptions, started: number): Promise<ExecResult> {
    const m = /tail -c \+(\d+) -F ('[^']*'|[^\s;]+)/.exec(command);
    const path = unquote(m?.[2] ?? '');
    let sent = Math.max(0, Number(m?.[1] ?? '1') - 1);
    let ended = false;
    const flush = (): void => {
      if (ended) return;
      const buf = Buffer.from(host.log(path));
      const end = buf.lastIndexOf(0x0a);
      if (end < sent) return;
      const chunk = buf.subarray(sent, end + 1).toString();
      sent = end + 1;
      for (const line of lines(chunk)) options.onLine?.('stdout', line);
    };
    const stopFollowing = host.follow((p) => {
      if (p === path) setImmediate(flush);
    });
    setImmediate(flush);
    return this.hang(options, started, { stdout: '' }).finally(() => {
      ended = true;
      stopFollowing();
    });
  }

  /** Waits for the abort signal or the deadline (virtual with a clock, real otherwise). */
  private hang(options: ExecOptions, started: number, reply: Reply): Promise<ExecResult> {
    return new Promise((resolve) => {
      const cleanup: Array<() => void> = [];
      const finish = (flags: { aborted?: boolean; timedOut?: boolean }): void => {
        for (const c of cleanup) c();
        resolve(result({ ...reply, exitCode: null }, flags, this.now() - started));
      };
      const onAbort = (): void => finish({ aborted: true });
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      cleanup.push(() => options.signal?.removeEventListener('abort', onAbort));
      if (this.clock) {
        const deadline = started + options.timeoutMs;
        cleanup.push(
          this.clock.onAdvance((now) => {
            if (now >= deadline) finish({ timedOut: true });
          }),
        );
      } else {
        const t = setTimeout(() => finish({ timedOut: true }), options.timeoutMs);
        cleanup.push(() => clearTimeout(t));
      }
    });
  }

  private index(plan: Plan): void {
    for (const step of allSteps(plan)) {
      const add = (cmd: string | null | undefined, kind: CommandKind): void => {
        if (cmd && !this.byCommand.has(cmd)) this.byCommand.set(cmd, { kind, step });
      };
      if (step.action === 'service-stop') {
        add(step.statusCommand, 'status');
        add(step.forceCommand, 'force-stop');
      }
      if (step.action === 'lb-wait-drained') add(step.hardCommand, 'lb-disable');
      if (step.action === 'consistency-check')
        for (const command of Object.values(step.fingerprintCommands)) add(command, 'fingerprint');
      if (step.action === 'check-capacity') for (const o of step.others) add(o.lbStatus?.command, 'lb-status');
      add(step.command, ACTION_KIND[step.action] ?? 'other');
    }
  }
}

/** Wires the fakes into ExecutorDeps, collecting events with `v` and `at` as the app's emitter adds them. */
/** The head of a run record for runs in tests (the fake clock's start, a fixed user and host). */
export function testMeta(plan: Plan): RunRecordInput['meta'] {
  return {
    runId: 'test-run',
    planHash: plan.hash,
    name: plan.name,
    playbook: plan.source.file,
    gitCommit: plan.source.gitCommit,
    gitDirty: plan.source.gitDirty,
    user: 'tester',
    host: 'test-host',
    startedAt: new Date(FIXED_START_MS).toISOString(),
    status: 'running',
    endedAt: null,
  };
}

export function fakeDeps(
  plan: Plan,
  fakes: { cluster: FakeCluster; lb: ExecutorDeps['lb']; clock: FixedClock; events: RunEvent[] },
  overrides: Partial<ExecutorDeps> = {},
): ExecutorDeps {
  return {
    transportFor: fakes.cluster.transportFor,
    local: fakes.cluster.local,
    lbTransport: fakes.cluster.lbTransport,
    lb: fakes.lb,
    clock: fakes.clock,
    signal: new AbortController().signal,
    stop: new AbortController().signal,
    resume: null,
    emit: (e: EventInput) => void fakes.events.push({ v: 3, at: fakes.clock.iso(), ...e } as RunEvent),
    secrets: {},
    baseDir: resolve(dirname(plan.source.file)),
    confirm: async () => true,
    fetch: (async () => new Response('ok', { status: 200 })) as typeof fetch,
    runId: 'test-run',
    reportSummary: () => JSON.stringify(buildSummaryOnly({ meta: testMeta(plan), plan, events: fakes.events })),
    ...overrides,
  };
}

function classify(command: string, fromPlan: CommandKind | undefined): CommandKind {
  if (/tail -c \+\d+ -F /.test(command)) return 'log-tail';
  if (/wc -c < /.test(command)) return 'log-size';
  if (fromPlan) return fromPlan;
  if (/kill -0|is-active/.test(command)) return 'status';
  if (/kill -9|kill -s KILL/.test(command)) return 'force-stop';
  if (/catalina\.sh stop|systemctl stop/.test(command)) return 'service-stop';
  if (/catalina\.sh start|systemctl start/.test(command)) return 'service-start';
  if (/^p=\S+\n[\s\S]*sha256sum/.test(command)) return 'upload-checksum';
  if (/df -Pk/.test(command)) return 'check-disk';
  if (/curl .*-w /.test(command)) return 'http';
  return 'other';
}

function matches(rule: Rule, call: ExecCall): boolean {
  return (
    (rule.host === undefined || rule.host === call.host) &&
    (rule.kind === undefined || rule.kind === call.kind) &&
    (rule.includes === undefined || call.command.includes(rule.includes))
  );
}

function result(reply: Reply, flags: { aborted?: boolean; timedOut?: boolean }, durationMs: number): ExecResult {
  return {
    exitCode: reply.exitCode === undefined ? 0 : reply.exitCode,
    stdout: reply.stdout ?? '',
    stderr: reply.stderr ?? '',
    timedOut: flags.timedOut === true,
    aborted: flags.aborted === true,
    durationMs,
  };
}

function lines(text: string | undefined): string[] {
  if (!text) return [];
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function unquote(word: string): string {
  return word.startsWith("'") && word.endsWith("'") ? word.slice(1, -1).replaceAll("'\\''", "'") : word;
}

function logPathOf(command: string, re: RegExp): string {
  return unquote(re.exec(command)?.[1] ?? '');
}

/** Compiles a playbook into a plan (a deep copy the test may change), failing on any error diagnostic. */
export async function loadPlan(file: string, vars: Record<string, string> = {}): Promise<Plan> {
  const { plan, diagnostics } = await planPlaybook(file, { vars, limit: null });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!plan || errors.length > 0) throw new Error(`${file} does not plan: ${errors.map((d) => d.summary).join('; ')}`);
  return structuredClone(plan);
}

/** The fakes wired into a run of one plan. */
export interface Harness {
  plan: Plan;
  clock: FixedClock;
  cluster: FakeCluster;
  /** The fake driver (null for `command` and `none` load balancers, whose steps run commands). */
  lb: FakeLb | null;
  events: RunEvent[];
  /** Aborts the run (Ctrl-C). */
  controller: AbortController;
  deps: ExecutorDeps;
  run(): Promise<RunReport>;
  /**
   * One node's calls in order, from every fake: `lb:<op>` for driver calls on its member, the command kind for commands
   * on the node.
   */
  timeline(node: string): string[];
}

/**
 * Builds the fakes for a plan: a FixedClock, a FakeCluster knowing the plan's commands, a FakeLb with every member UP.
 */
export function createHarness(
  plan: Plan,
  options: {
    lb?: FakeLbOptions;
    deps?: Partial<ExecutorDeps>;
    initialLog?: string[];
    onEvent?: (event: RunEvent, harness: Harness) => void;
  } = {},
): Harness {
  const clock = new FixedClock();
  const cluster = new FakeCluster({ plan, clock, initialLog: options.initialLog });
  const hasDriver = plan.loadBalancer.type !== 'none' && plan.loadBalancer.type !== 'command';
  const lb = hasDriver ? new FakeLb(Object.values(plan.loadBalancer.members), { clock, ...options.lb }) : null;
  const events: RunEvent[] = [];
  const controller = new AbortController();
  const deps = fakeDeps(plan, { cluster, lb, clock, events }, { signal: controller.signal, ...options.deps });
  const emit = deps.emit;
  deps.emit = (e) => {
    emit(e);
    const last = events[events.length - 1];
    if (options.onEvent && last) options.onEvent(last, harness);
  };
  const harness: Harness = {
    plan,
    clock,
    cluster,
    lb,
    events,
    controller,
    deps,
    run: () => runPlan(plan, deps),
    timeline(node) {
      const member = plan.loadBalancer.members[node] ?? node;
      const lbCalls = (lb?.calls ?? [])
        .filter((c) => c.member === member)
        .map((c) => ({ seq: c.seq, what: `lb:${c.op}` }));
      const execs = cluster.callsTo(node).map((c) => ({ seq: c.seq, what: c.kind as string }));
      return [...lbCalls, ...execs].sort((a, b) => a.seq - b.seq).map((x) => x.what);
    },
  };
  return harness;
}
