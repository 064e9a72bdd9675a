import type { ChalkInstance } from 'chalk';
import type { NodeStatus, RunEvent, RunEventKind, RunPhase, RunStatus, StepOutputEvent } from '../execute/events.js';
import { writeNote, type Renderer, type RenderIo } from './renderer.js';
import { EtaTracker } from './eta.js';
import { formatMs, formatRunSummary, paintStatus } from './summary.js';

/** Options of the plain renderer. */
interface PlainOptions {
  chalk: ChalkInstance;
  /**
   * Print every output line and every command (default: only the last lines of failed steps, and throttled progress).
   */
  verbose: boolean;
}

/** One formatter per event kind: a new kind fails to compile until it is handled here. */
type Formatters = { [K in RunEventKind]: (e: Extract<RunEvent, { kind: K }>) => string | null };

/** A step seen by the renderer: where its lines go and what is kept of its output. */
interface StepView {
  scope: string;
  title: string;
  command: string | null;
  /** The last output lines not printed yet, formatted: printed if the step fails. */
  tail: string[];
  /** Unprinted lines that fell out of `tail`. */
  dropped: number;
  lastProgressMs: number | null;
}

/** Unprinted output lines kept per step for a failure report (STYLE §4: the last 20 lines). */
const TAIL_LINES = 20;
/** At most one progress line per step in this many milliseconds. */
const PROGRESS_EVERY_MS = 5000;
const VERB_WIDTH = 7;
const GENERIC_FAILURES = new Set(['E_STEP_FAILED', 'E_PREFLIGHT']);
const MARKS: Record<StepOutputEvent['stream'], string> = { stdout: '|', stderr: '!', progress: '~' };
const PHASE_TEXT: Record<RunPhase, string> = {
  preflight: 'preflight checks',
  'before-run': 'hooks before the first batch',
  finally: 'steps after the last batch',
  'on-failure': 'on-failure hooks',
};

/** Greppable lines for logs and CI: `+12.3s  [batch 1/3 node1]  ok  stop the app server (5.8s)`. */
export class PlainRenderer implements Renderer {
  private readonly c: ChalkInstance;
  private originMs: number | null = null;
  private batchCount = 0;
  private scopeWidth = 0;
  private phase: RunPhase | null = null;
  private readonly steps = new Map<string, StepView>();
  /** Each node's latest scope (`[batch 2/3 node2]`), for events that carry only the node. */
  private readonly nodeScopes = new Map<string, string>();
  private readonly started = new Map<string, number>();
  private readonly formatters: Formatters;
  private readonly eta = new EtaTracker();

  /** Writes to `io`; colours come from the injected chalk instance. */
  constructor(
    private readonly io: RenderIo,
    private readonly options: PlainOptions,
  ) {
    this.c = options.chalk;
    this.formatters = this.makeFormatters();
  }

  /** Nothing to print before the first event. */
  start(): void {}

  /** Prints the event's line(s), if it has any worth a line. */
  onEvent(e: RunEvent): void {
    this.originMs ??= Date.parse(e.at);
    this.eta.onEvent(e);
    // The table is keyed by kind, so the lookup and the event always match; TypeScript cannot see that correlation.
    const text = (this.formatters[e.kind] as (event: RunEvent) => string | null)(e);
    if (text !== null) this.io.write(`${text}\n`);
  }

  /** Notes go where the operator's notes go (stderr), not into the progress lines. */
  private note(e: RunEvent): null {
    writeNote(this.io, e);
    return null;
  }

  /** Plain output is written as it comes: nothing is pending. */
  end(): Promise<void> {
    return Promise.resolve();
  }

  private makeFormatters(): Formatters {
    const c = this.c;
    return {
      lock: (e) => this.note(e),
      reconcile: (e) => this.note(e),
      'node-status': () => null,
      'run-start': (e) => {
        this.originMs = Date.parse(e.at);
        this.batchCount = e.batches.length;
        this.scopeWidth = Math.max(
          12,
          ...e.nodes.map((n) => Math.max(this.batchScope(this.batchCount, n).length, `[preflight ${n}]`.length)),
        );
        const shape =
          `${e.nodes.length} node(s) in ${e.batches.length} batch(es), ~` +
          `${formatMs(e.expectedSec * 1000)} expected`;
        return this.line(
          e.at,
          '[run]',
          c.bold(this.word('start')),
          `${c.bold(e.name)}: ${shape} ${c.dim(`(run ${e.runId}, plan ${e.planHash.slice(0, 12)})`)}`,
        );
      },
      'phase-start': (e) => {
        this.phase = e.phase;
        this.started.set(`phase:${e.phase}`, Date.parse(e.at));
        return this.line(e.at, `[${e.phase}]`, c.bold(this.word('start')), PHASE_TEXT[e.phase]);
      },
      'phase-end': (e) => {
        this.phase = null;
        return this.line(
          e.at,
          `[${e.phase}]`,
          this.verb(e.status),
          `${PHASE_TEXT[e.phase]} ${this.took(`phase:${e.phase}`, e.at)}`,
        );
      },
      'batch-start': (e) => {
        this.started.set(`batch:${e.batch}`, Date.parse(e.at));
        return this.line(e.at, this.batchScope(e.batch), c.bold(this.word('start')), `batch: ${e.nodes.join(', ')}`);
      },
      'batch-end': (e) => {
        const left =
          e.status === 'ok' && e.batch < this.batchCount
            ? ` · ETA ~${formatMs(this.eta.remainingSec(Date.parse(e.at)) * 1000)} at this run's pace`
            : '';
        return this.line(
          e.at,
          this.batchScope(e.batch),
          this.verb(e.status),
          `batch ${this.took(`batch:${e.batch}`, e.at)}${left}`,
        );
      },
      'node-start': (e) => {
        this.nodeScopes.set(e.node, this.batchScope(e.batch, e.node));
        return this.line(e.at, this.batchScope(e.batch, e.node), c.bold(this.word('start')), 'node');
      },
      'node-end': (e) => {
        const out = e.outOfRotationMs === null ? '' : `, ${formatMs(e.outOfRotationMs)} out of the load balancer`;
        return this.line(
          e.at,
          this.batchScope(e.batch, e.node),
          this.verb(e.status),
          `node (${formatMs(e.durationMs)}${out})`,
        );
      },
      'step-start': (e) => {
        const scope =
          e.batch !== null
            ? this.batchScope(e.batch, e.node)
            : `[${[this.phase ?? 'run', e.node].filter(Boolean).join(' ')}]`;
        this.steps.set(e.stepId, {
          scope,
          title: e.title,
          command: e.command,
          tail: [],
          dropped: 0,
          lastProgressMs: null,
        });
        if (e.node) this.nodeScopes.set(e.node, scope);
        const lines = [this.line(e.at, scope, this.word('start'), e.title)];
        if (this.options.verbose && e.command) lines.push(...this.commandLines(e.at, scope, e.command, Infinity));
        return lines.join('\n');
      },
      'step-output': (e) => {
        const step = this.stepView(e.stepId, e.node);
        const shown = e.stream === 'progress' ? this.progressDue(step, e.at) : this.options.verbose;
        const text = this.outputLine(e.at, step.scope, MARKS[e.stream], e.line);
        if (shown) return text;
        step.tail.push(text);
        if (step.tail.length > TAIL_LINES) {
          step.tail.shift();
          step.dropped++;
        }
        return null;
      },
      'step-end': (e) => {
        const step = this.stepView(e.stepId, e.node);
        this.steps.delete(e.stepId);
        const exit = e.status === 'failed' && e.exitCode !== null ? ` (exit code ${e.exitCode})` : '';
        const why = e.detail ? `: ${e.detail}` : '';
        // A command that exited non-zero or a check that failed says so in its detail; other causes (connection,
        // timeout…) name their code.
        const code = e.status === 'failed' && e.code && !GENERIC_FAILURES.has(e.code) ? ` [${e.code}]` : '';
        const lines = [
          this.line(
            e.at,
            step.scope,
            this.verb(e.status),
            `${step.title} (${formatMs(e.durationMs)})${why}${exit}${code}`,
          ),
        ];
        if (e.status === 'failed' && e.hint) lines.push(this.outputLine(e.at, step.scope, '→', `hint: ${e.hint}`));
        if (e.status === 'failed') lines.push(...this.failureDetail(e.at, step));
        return lines.join('\n');
      },
      'lb-state': (e) => {
        const member = e.member === e.node ? '' : c.dim(` (member ${e.member})`);
        return this.line(e.at, this.nodeScope(e.node), this.word('lb'), `${LB_TEXT[e.state]}${member}`);
      },
      'run-end': (e) => {
        const why = e.reason ? `: ${e.reason}` : '';
        const head = this.line(e.at, '[run]', this.verb(e.status), `run (${formatMs(e.durationMs)})${why}`);
        return `${head}\n\n${formatRunSummary(e, c).trimEnd()}`;
      },
    };
  }

  /** `+12.3s   [batch 1/3 node1]  `: the offset from the run's start and the scope, padded. */
  private prefix(at: string, scope: string): string {
    const offset = `+${((Date.parse(at) - (this.originMs ?? Date.parse(at))) / 1000).toFixed(1)}s`;
    return `${this.c.dim(offset.padEnd(9))}${scope.padEnd(this.scopeWidth)}  `;
  }

  /** One event line; `verb` comes from `word()` or `verb()` (already padded). */
  private line(at: string, scope: string, verb: string, text: string): string {
    return `${this.prefix(at, scope)}${verb} ${text}`.trimEnd();
  }

  /** An output line, indented under the verb column: `|` stdout, `!` stderr, `~` progress, `$` the command. */
  private outputLine(at: string, scope: string, mark: string, text: string): string {
    return `${this.prefix(at, scope)}    ${this.c.dim(mark)} ${text}`.trimEnd();
  }

  private word(text: string): string {
    return text.padEnd(VERB_WIDTH);
  }

  private verb(status: NodeStatus | RunStatus): string {
    const word = status === 'ok' || status === 'skipped' ? status : status.toUpperCase();
    return paintStatus(status, word.padEnd(VERB_WIDTH), this.c);
  }

  private took(key: string, at: string): string {
    const from = this.started.get(key);
    return from === undefined ? '' : `(${formatMs(Date.parse(at) - from)})`;
  }

  private batchScope(batch: number, node?: string | null): string {
    return `[batch ${batch}/${this.batchCount || '?'}${node ? ` ${node}` : ''}]`;
  }

  private nodeScope(node: string): string {
    return this.nodeScopes.get(node) ?? `[${node}]`;
  }

  /** The step's view; a step seen without its `step-start` gets one, so its output is still kept and throttled. */
  private stepView(stepId: string, node: string | null): StepView {
    const known = this.steps.get(stepId);
    if (known) return known;
    const view: StepView = {
      scope: node ? this.nodeScope(node) : '[run]',
      title: stepId,
      command: null,
      tail: [],
      dropped: 0,
      lastProgressMs: null,
    };
    this.steps.set(stepId, view);
    return view;
  }

  private progressDue(step: StepView, at: string): boolean {
    const ms = Date.parse(at);
    if (step.lastProgressMs !== null && ms - step.lastProgressMs < PROGRESS_EVERY_MS) return false;
    step.lastProgressMs = ms;
    return true;
  }

  private commandLines(at: string, scope: string, command: string, max: number): string[] {
    const lines = command.split('\n');
    const shown = lines.slice(0, max).map((l) => this.outputLine(at, scope, '$', l));
    if (lines.length > max) shown.push(this.outputLine(at, scope, '$', this.c.dim(`… (+${lines.length - max} lines)`)));
    return shown;
  }

  /** The command and the output lines not printed yet: the reason of a failure is never hidden. */
  private failureDetail(at: string, step: StepView): string[] {
    const lines = !this.options.verbose && step.command ? this.commandLines(at, step.scope, step.command, 1) : [];
    if (step.dropped > 0)
      lines.push(
        this.outputLine(
          at,
          step.scope,
          '|',
          this.c.dim(`… ${step.dropped} earlier line(s) not shown (--verbose prints every line)`),
        ),
      );
    return [...lines, ...step.tail];
  }
}

const LB_TEXT: Record<'draining' | 'out' | 'enabled' | 'up', string> = {
  draining: 'draining: no new sessions',
  out: 'out of the load balancer',
  enabled: 'enabled in the load balancer',
  up: 'UP in the load balancer',
};
