import { Writable } from 'node:stream';
import type { ChalkInstance } from 'chalk';
import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import type { RunEndEvent, RunEvent, RunEventKind, RunPhase, RunStartEvent } from '../execute/events.js';
import { formatSeconds } from '../plan/duration.js';
import { writeNote, type Renderer, type RenderIo } from './renderer.js';
import { EtaTracker } from './eta.js';
import { formatMs, formatRunSummary } from './summary.js';
import { Deferred, describeSlot, Slot, type Final } from './task-slot.js';

/** Options of the listr2 view. */
interface ListrViewOptions {
  chalk: ChalkInstance;
  /**
   * listr2 renderer: `default` draws frames on a terminal; `test` (one JSON line per task change) and `silent` are for
   * tests.
   */
  renderer: 'default' | 'test' | 'silent';
  /** Where listr2 writes (default: a stream over `io.write`). The summary always goes to `io`. */
  stream?: NodeJS.WriteStream;
  /** Wall clock in ms, to advance elapsed times between events (default `Date.now`). */
  now?: () => number;
  /** How often elapsed times and the ETA refresh, in ms; 0 turns it off (default 1000 with `default`, else 0). */
  tickMs?: number;
}

type Handlers = { [K in RunEventKind]: (e: Extract<RunEvent, { kind: K }>) => void };

const PHASES: readonly RunPhase[] = ['preflight', 'before-run', 'finally', 'on-failure'];
const PHASE_LABEL: Record<RunPhase, string> = {
  preflight: 'Preflight',
  'before-run': 'Before the first batch',
  finally: 'After the last batch',
  'on-failure': 'On failure',
};
const LB_LABEL: Record<'draining' | 'out' | 'enabled' | 'up', string | null> = {
  draining: 'draining',
  out: 'out of the LB',
  enabled: 'enabled',
  up: null,
};

/**
 * The listr2 view (display only): batch → task, node → subtask, step → the node task's title and output. The executor
 * owns ordering, concurrency and failure policy.
 */
export class ListrView implements Renderer {
  private readonly now: () => number;
  private readonly handlers: Handlers;
  private run: RunStartEvent | null = null;
  private runEnd: RunEndEvent | null = null;
  private root = new Slot('run', '');
  private slots: Slot[] = [];
  private phases = new Map<RunPhase, Slot>();
  private batches = new Map<number, { slot: Slot; nodes: Map<string, Slot> }>();
  private steps = new Map<string, Slot>();
  private phase: Slot | null = null;
  private clock = { eventMs: 0, wallMs: 0, startMs: 0 };
  private running: Promise<void> | null = null;
  private readonly runDone = new Deferred<RunEndEvent | null>();
  private ticker: NodeJS.Timeout | null = null;
  private readonly eta = new EtaTracker();

  /** listr2 writes to `options.stream` (or `io`), the final summary to `io`. */
  constructor(
    private readonly io: RenderIo,
    private readonly options: ListrViewOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.handlers = this.makeHandlers();
  }

  /** The task tree needs the batches, so listr2 starts at `run-start`. */
  start(): void {}

  /** Updates the task tree. */
  onEvent(e: RunEvent): void {
    this.clock.eventMs = Date.parse(e.at);
    this.clock.wallMs = this.now();
    this.eta.onEvent(e);
    // The table is keyed by kind, so handler and event always match; TypeScript cannot see that correlation.
    (this.handlers[e.kind] as (event: RunEvent) => void)(e);
    this.refresh();
  }

  /** Settles whatever the run left open, waits for listr2's last frame, then prints the summary. */
  async end(): Promise<void> {
    this.settleAll('skipped');
    this.runDone.resolve(this.runEnd);
    if (this.ticker) clearInterval(this.ticker);
    await this.running;
    if (this.runEnd) this.io.write(`\n${formatRunSummary(this.runEnd, this.options.chalk)}`);
  }

  private makeHandlers(): Handlers {
    return {
      lock: (e) => writeNote(this.io, e),
      reconcile: (e) => writeNote(this.io, e),
      'node-status': () => undefined,
      'run-start': (e) => this.begin(e),
      'phase-start': (e) => (this.phase = this.activate(this.phases.get(e.phase))),
      'phase-end': (e) => {
        this.phases.get(e.phase)?.finish(e.status, this.clock.eventMs);
        this.phase = null;
      },
      'batch-start': (e) => this.activate(this.batches.get(e.batch)?.slot),
      'batch-end': (e) => {
        const b = this.batches.get(e.batch);
        b?.nodes.forEach((n) => n.finish('skipped'));
        b?.slot.finish(e.status, this.clock.eventMs);
      },
      'node-start': (e) => this.activate(this.batches.get(e.batch)?.nodes.get(e.node)),
      'node-end': (e) => {
        const slot = this.batches.get(e.batch)?.nodes.get(e.node);
        if (slot) slot.tookMs = e.durationMs;
        slot?.finish(e.status);
      },
      'step-start': (e) => {
        const b = e.batch === null ? undefined : this.batches.get(e.batch);
        const slot = (b ? (e.node ? b.nodes.get(e.node) : b.slot) : this.phase) ?? this.root;
        this.steps.set(e.stepId, slot);
        const who = e.node && slot !== b?.nodes.get(e.node) ? `${e.node}: ` : '';
        slot.running.set(e.stepId, { title: `${who}${e.title}`, atMs: this.clock.eventMs });
        slot.setOutput(e.command ? `$ ${e.command.split('\n')[0] ?? ''}` : '');
      },
      'step-output': (e) => this.steps.get(e.stepId)?.setOutput(e.line),
      'step-end': (e) => {
        const slot = this.steps.get(e.stepId);
        if (!slot) return;
        if (e.status === 'failed') {
          slot.failedStep = slot.running.get(e.stepId)?.title ?? e.stepId;
          slot.failure =
            `${slot.failedStep}: ${e.detail ?? 'failed'}` +
            `${e.exitCode === null ? '' : ` (exit code ${e.exitCode})`}` +
            `${e.code && e.code !== 'E_STEP_FAILED' && e.code !== 'E_PREFLIGHT' ? ` [${e.code}]` : ''}` +
            `${e.hint ? ` — hint: ${e.hint}` : ''}`;
          slot.setOutput(slot.failure);
        }
        slot.running.delete(e.stepId);
        slot.stepsDone++;
        if (slot.running.size === 0 && e.status !== 'failed') slot.setOutput('');
      },
      'lb-state': (e) => {
        for (const b of this.batches.values()) {
          const slot = b.nodes.get(e.node);
          if (slot && slot.status === 'running') slot.lb = LB_LABEL[e.state];
        }
      },
      'run-end': (e) => {
        this.runEnd = e;
        this.settleAll('skipped');
        this.runDone.resolve(e);
        this.root.setTitle(`${this.run?.name ?? 'Run'} · ${e.status} in ${formatMs(e.durationMs)}`);
      },
    };
  }

  /** Builds the task tree from the run's batches and starts listr2. */
  private begin(e: RunStartEvent): void {
    this.run = e;
    this.clock.startMs = this.clock.eventMs;
    this.root = new Slot('run', e.name);
    for (const p of PHASES) this.phases.set(p, new Slot('phase', PHASE_LABEL[p]));
    for (const b of e.batches) {
      const slot = new Slot('batch', `Batch ${b.index}/${e.batches.length}: ${b.nodes.join(', ')}`);
      this.batches.set(b.index, { slot, nodes: new Map(b.nodes.map((n) => [n, new Slot('node', n)])) });
    }
    const [preflight, beforeRun, final, onFailure] = PHASES.map((p) => this.phases.get(p) as Slot);
    this.slots = [preflight, beforeRun, ...[...this.batches.values()].map((b) => b.slot), final, onFailure].filter(
      (s): s is Slot => !!s,
    );
    const tasks = this.slots.map((slot) =>
      slot.kind === 'phase' ? this.leaf(slot, slot !== preflight) : this.batchTask(slot),
    );
    const header: ListrTask = {
      title: this.root.title,
      task: async (_ctx, task) => {
        this.root.attach(task);
        const end = await this.runDone.promise;
        if (end?.status !== 'ok')
          throw new Error(end ? (end.reason ?? `run ${end.status}`) : 'the run ended without a run-end event');
      },
    };
    // The header (title, elapsed time, ETA, final status) sits above an untitled task that holds the phases and
    // batches.
    // Phases and batches follow one another, as the executor runs them (it has a barrier between batches).
    const listr = this.createListr([header, { task: (_ctx, task) => task.newListr(tasks, { concurrent: false }) }]);
    this.running = listr.run().then(
      () => undefined,
      () => undefined,
    );
    const tick = this.options.tickMs ?? (this.options.renderer === 'default' ? 1000 : 0);
    if (tick > 0) (this.ticker = setInterval(() => this.refresh(), tick)).unref();
  }

  private createListr(tasks: ListrTask[]): Listr<unknown, 'default' | 'test' | 'silent', 'simple'> {
    const stream = this.options.stream ?? ioStream(this.io);
    const logger = new ListrLogger({
      useIcons: this.options.renderer === 'default',
      toStderr: [],
      processOutput: new ProcessOutput(stream, stream),
    });
    return new Listr<unknown, 'default' | 'test' | 'silent', 'simple'>(tasks, {
      renderer: this.options.renderer,
      rendererOptions: {
        logger,
        collapseSubtasks: false,
        collapseErrors: false,
        task: ['title', 'hasFailed', 'isSkipped'],
        messagesToStderr: [],
      },
      fallbackRenderer: 'simple',
      fallbackRendererOptions: { logger },
      // Display only: the header and the task tree show side by side; listr2 must not stop at a failed task
      // nor own Ctrl-C (it would exit the process): the executor and cli/ decide both.
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false,
    });
  }

  /**
   * A task that shows a slot and fails or skips as the slot ends; failure never throws out of listr2 (exitOnError is
   * off).
   */
  private leaf(slot: Slot, optional: boolean): ListrTask {
    return {
      title: slot.title,
      ...(optional ? { enabled: () => slot.enabled() } : {}),
      task: async (_ctx, task) => {
        slot.attach(task);
        const status = await slot.done.promise;
        if (status === 'skipped') task.skip(slot.title);
        if (status === 'failed' || status === 'rolled-back') throw new Error(slot.failure ?? `${slot.label} ${status}`);
      },
    };
  }

  /**
   * A batch: its nodes run side by side, as the executor runs them (each waits for its own events); a hidden task holds
   * the batch open until `batch-end`.
   */
  private batchTask(slot: Slot): ListrTask {
    const nodes = [...([...this.batches.values()].find((b) => b.slot === slot)?.nodes.values() ?? [])];
    return {
      title: slot.title,
      task: async (_ctx, task) => {
        slot.attach(task);
        if (!(await slot.started.promise)) return task.skip(slot.title);
        const hold: ListrTask = { task: async () => void (await slot.done.promise) };
        return task.newListr([...nodes.map((n) => this.leaf(n, false)), hold], { concurrent: true });
      },
    };
  }

  /** Starts a slot; slots before it that never started will not (the executor moved on). */
  private activate(slot: Slot | undefined): Slot | null {
    if (!slot) return null;
    const index = this.slots.indexOf(slot);
    this.slots.slice(0, Math.max(0, index)).forEach((s) => !s.started.settled && s.finish('skipped'));
    slot.status = 'running';
    slot.startMs = this.clock.eventMs;
    slot.started.resolve(true);
    return slot;
  }

  private settleAll(status: Final): void {
    for (const b of this.batches.values()) b.nodes.forEach((n) => n.finish(status));
    this.slots.forEach((s) => s.finish(status));
  }

  /** Rewrites every title from the slots' state; called on each event and by the ticker. */
  private refresh(): void {
    const nowMs = this.clock.eventMs + (this.now() - this.clock.wallMs);
    for (const slot of [...this.slots, ...[...this.batches.values()].flatMap((b) => [...b.nodes.values()])])
      slot.setTitle(describeSlot(slot, nowMs));
    if (this.run && !this.runEnd) this.root.setTitle(this.rootTitle(this.run, nowMs));
  }

  private rootTitle(run: RunStartEvent, nowMs: number): string {
    const elapsedSec = (nowMs - this.clock.startMs) / 1000;
    const nodes = [...this.batches.values()].flatMap((b) => [...b.nodes.values()]);
    const done = nodes.filter((n) => n.done.settled).length;
    // From this run's measured pace once a batch is done; until then the plan's estimate.
    const eta = this.eta.measured
      ? `ETA ~${formatSeconds(this.eta.remainingSec(nowMs))}`
      : etaFromPlan(run.expectedSec - elapsedSec);
    return `${run.name} · ${done}/${nodes.length} nodes done · ${formatSeconds(elapsedSec)} elapsed · ${eta}`;
  }
}

function etaFromPlan(left: number): string {
  return left >= 0 ? `ETA ~${formatSeconds(left)} (estimate)` : `${formatSeconds(-left)} over the estimate`;
}

/** A stream over `io.write` for listr2 and log-update, which read only `write`, `isTTY`, `columns` and `rows`. */
function ioStream(io: RenderIo): NodeJS.WriteStream {
  const write = (chunk: string, _encoding: BufferEncoding, done: () => void): void => {
    io.write(String(chunk));
    done();
  };
  const stream = new Writable({ decodeStrings: false, write });
  return Object.assign(stream, {
    isTTY: io.isTTY,
    columns: io.columns ?? 80,
    rows: io.rows ?? 24,
  }) as unknown as NodeJS.WriteStream;
}
