/**
 * The state of one task of the listr2 view (the run, a phase, a batch or a node), kept from the events and copied to
 * listr2's task wrapper once listr2 runs the task; and the title that state shows.
 */
import type { NodeStatus, StepStatus } from '../execute/events.js';
import { formatMs } from './summary.js';

/** How a task ended. */
export type Final = StepStatus | NodeStatus;

/** The part of listr2's task wrapper this view drives. */
interface TaskView {
  title: string;
  output: string;
  skip(message?: string): void;
}

/** A promise settled from outside, once. */
export class Deferred<T> {
  settled = false;
  value: T | undefined;
  readonly promise: Promise<T>;
  private settle: (value: T) => void = () => undefined;
  constructor() {
    this.promise = new Promise<T>((resolve) => (this.settle = resolve));
  }
  resolve(value: T): void {
    if (this.settled) return;
    this.settled = true;
    this.value = value;
    this.settle(value);
  }
}

/** One listr2 task: its state comes from events and is copied to listr2's wrapper once listr2 runs the task. */
export class Slot {
  view: TaskView | null = null;
  title: string;
  status: 'waiting' | 'running' | Final = 'waiting';
  /** Steps running now, by id, in start order (preflight runs every node's check side by side). */
  readonly running = new Map<string, { title: string; atMs: number }>();
  stepsDone = 0;
  /** The failed step's title, and the failure in one line (`title: detail (exit code n)`). */
  failedStep: string | null = null;
  failure: string | null = null;
  lb: string | null = null;
  startMs: number | null = null;
  tookMs: number | null = null;
  readonly started = new Deferred<boolean>();
  readonly done = new Deferred<Final>();
  private asked = 0;
  constructor(
    readonly kind: 'run' | 'phase' | 'batch' | 'node',
    readonly label: string,
  ) {
    this.title = label;
  }
  attach(view: TaskView): void {
    this.view = view;
    view.title = this.title;
  }
  setTitle(title: string): void {
    if (title === this.title) return;
    this.title = title;
    if (this.view) this.view.title = title;
  }
  setOutput(line: string): void {
    if (this.view) this.view.output = line;
  }
  /**
   * listr2's `enabled` for phases that may not happen: hidden until known, and listr2's first check (at its start) must
   * not wait.
   */
  enabled(): boolean | Promise<boolean> {
    if (this.started.settled) return this.started.value === true;
    return this.asked++ === 0 ? false : this.started.promise;
  }
  /** Ends the slot (once); `atMs` gives its duration when it ran. */
  finish(status: Final, atMs: number | null = null): void {
    this.started.resolve(status !== 'skipped' || this.status !== 'waiting');
    if (this.status === 'running' && atMs !== null && this.startMs !== null) this.tookMs ??= atMs - this.startMs;
    if (this.status === 'waiting' || this.status === 'running') this.status = status;
    this.done.resolve(status);
  }
}

/** A slot's title: label, then the current step and its elapsed time, or how it ended. */
export function describeSlot(slot: Slot, nowMs: number): string {
  const lb = slot.lb ? ` [${slot.lb}]` : '';
  if (slot.status === 'waiting') return slot.label;
  if (slot.status !== 'running')
    return (
      `${slot.label} · ${slot.status}${slot.tookMs === null ? '' : ` in ${formatMs(slot.tookMs)}`}` +
      `${slot.failedStep ? ` at ${slot.failedStep}` : ''}`
    );
  const current = [...slot.running.values()].at(-1);
  const more = slot.running.size > 1 ? ` (+${slot.running.size - 1} more)` : '';
  if (current) return `${slot.label}${lb} · ${current.title} (${formatMs(nowMs - current.atMs)})${more}`;
  return `${slot.label}${lb}${slot.kind === 'phase' && slot.stepsDone > 0 ? ` · ${slot.stepsDone} step(s) done` : ''}`;
}
