import type { ExecOptions, ExecResult } from '../transport.js';
import { LineSplitter } from './lines.js';
import { PID_MARK } from './remote-kill.js';

/**
 * How a carrier (a local child process, an SSH channel of its own, or a long-lived shell on the node) stops the command
 * it carries.
 */
interface RunCarrier {
  /**
   * Stops the command: `remotePid` is what a remote command reported (`<pid> <pgid>`), null until it has (and always
   * for a local one, which is killed by its own process group). Called again on a late pid.
   */
  kill(remotePid: string | null): void;
  /** The command did not end within the grace after `kill`: drop whatever carries it. */
  giveUp(): void;
}

/**
 * One command's output, deadline and stop, whichever way it is carried: its lines go to `onLine` as they arrive, the
 * pid line a remote command reports first is taken out of its stderr, and the deadline or the abort signal stops it
 * (kill, then give up after `killGraceMs`). `result` resolves once, when the carrier calls `finish` or gives up.
 */
export class CommandRun {
  readonly result: Promise<ExecResult>;
  private resolve!: (r: ExecResult) => void;
  private readonly out: LineSplitter;
  private readonly err: LineSplitter;
  private remotePid: string | null = null;
  private timedOut = false;
  private aborted = false;
  private finished = false;
  private grace: NodeJS.Timeout | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = Date.now();

  constructor(
    private readonly options: ExecOptions,
    private readonly carrier: RunCarrier,
    private readonly killGraceMs: number,
  ) {
    this.result = new Promise((r) => (this.resolve = r));
    this.out = new LineSplitter((l) => options.onLine?.('stdout', l));
    this.err = new LineSplitter((l) => {
      if (this.remotePid === null && l.startsWith(PID_MARK)) {
        this.remotePid = l.slice(PID_MARK.length);
        // Stopped before the pid arrived: kill it now.
        if (this.stopped) carrier.kill(this.remotePid);
      } else options.onLine?.('stderr', l);
    });
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.stop();
    }, options.timeoutMs);
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** True once the deadline passed or the signal aborted the command. */
  get stopped(): boolean {
    return this.timedOut || this.aborted;
  }

  /** The command is under way: an abort that came before now takes effect. */
  underWay(): void {
    if (this.options.signal?.aborted) this.onAbort();
  }

  stdout(chunk: Buffer | string): void {
    if (typeof chunk === 'string') this.out.pushText(chunk);
    else this.out.push(chunk);
  }

  stderr(chunk: Buffer | string): void {
    if (typeof chunk === 'string') this.err.pushText(chunk);
    else this.err.push(chunk);
  }

  /** The command ended (`exitCode` null: killed, or its carrier was lost). Only the first call counts. */
  finish(exitCode: number | null): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    if (this.grace) clearTimeout(this.grace);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    const stderr = this.err
      .end()
      .split('\n')
      .filter((l) => !l.startsWith(PID_MARK))
      .join('\n');
    this.resolve({
      exitCode: this.stopped ? null : exitCode,
      stdout: this.out.end(),
      stderr,
      timedOut: this.timedOut,
      aborted: this.aborted,
      durationMs: Date.now() - this.startedAt,
    });
  }

  private readonly onAbort = (): void => {
    this.aborted = true;
    this.stop();
  };

  private stop(): void {
    if (this.grace || this.finished) return;
    this.carrier.kill(this.remotePid);
    this.grace = setTimeout(() => {
      this.carrier.giveUp();
      this.finish(null);
    }, this.killGraceMs);
    this.grace.unref();
  }
}
