/**
 * Long-lived shells on a node: one SSH channel running `sh`, fed one framed command at a time.
 *
 * Every SSH command otherwise starts the user's login shell anew, and on many nodes that shell reads a
 * `~/.bashrc` that costs hundreds of milliseconds (pyenv, conda, nvm …): a rolling run sends dozens of
 * commands one after another, so that cost lands on the time a node is out of the load balancer. A shell
 * kept open pays it once. Each command still runs as its own process (`setsid sh -c …`, stdin from
 * /dev/null), in a session of its own, so killing it on a deadline never reaches the shell, another
 * command or an app server an earlier command started. Framing: the command's output is what comes
 * between a start and an end marker carrying a fresh random nonce, and the end marker carries the exit
 * status. The shell's own messages (such as `Killed` for a command stopped on its deadline) go to /dev/null: its
 * stderr is kept as fd 3, which each command gets back as its stderr inside its own process (a redirection on the
 * command itself would still be in place while the shell reports the kill). A command with stdin of its own (secrets,
 * a sudo password) is not sent this way.
 */
import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { Client, ClientChannel } from 'ssh2';
import type { ExecResult } from '../transport.js';
import type { CommandRun } from './command-run.js';

const MARK = '__lrroll_';

/** Reads one command's part of a shell's output stream: what lies between its start and end markers. */
class FrameReader {
  private state: 'before' | 'body' | 'tail' | 'done' = 'before';
  private buf = '';

  constructor(
    private readonly start: string,
    private readonly end: string,
    private readonly body: (text: string) => void,
    private readonly onEnd: (tail: string) => void,
  ) {}

  get done(): boolean {
    return this.state === 'done';
  }

  push(text: string): void {
    this.buf += text;
    if (this.state === 'before') {
      const i = this.buf.indexOf(this.start);
      // Before the start marker: output of no command (the login shell's own noise): dropped.
      if (i < 0) return void (this.buf = this.buf.slice(this.buf.length - partialMarker(this.buf, this.start)));
      this.buf = this.buf.slice(i + this.start.length);
      this.state = 'body';
    }
    if (this.state === 'body') {
      const j = this.buf.indexOf(this.end);
      if (j < 0) {
        // Hold back only what may be the beginning of the end marker, so a line is passed on as soon as it is whole.
        const keep = partialMarker(this.buf, this.end);
        this.body(this.buf.slice(0, this.buf.length - keep));
        this.buf = this.buf.slice(this.buf.length - keep);
        return;
      }
      this.body(this.buf.slice(0, j));
      this.buf = this.buf.slice(j + this.end.length);
      this.state = 'tail';
    }
    if (this.state === 'tail') {
      const k = this.buf.indexOf('\n');
      if (k < 0) return;
      this.state = 'done';
      this.onEnd(this.buf.slice(0, k));
      this.buf = '';
    }
  }
}

/** The length of the longest end of `text` that begins `marker`. */
function partialMarker(text: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, text.length); n > 0; n--) if (marker.startsWith(text.slice(-n))) return n;
  return 0;
}

const nonce = (): string => randomBytes(12).toString('hex');

/** What the shell's output streams feed while a command (or the opening handshake) is in flight. */
interface Listener {
  out: (text: string) => void;
  err: (text: string) => void;
  lost: () => void;
}

/** One `sh` on the node behind one channel. */
class NodeShell {
  closed = false;
  private current: Listener | null = null;
  private readonly outText = new StringDecoder('utf8');
  private readonly errText = new StringDecoder('utf8');

  constructor(
    private readonly channel: ClientChannel,
    onClose: (shell: NodeShell) => void,
  ) {
    channel.on('data', (d: Buffer) => this.current?.out(this.outText.write(d)));
    channel.stderr.on('data', (d: Buffer) => this.current?.err(this.errText.write(d)));
    // A write racing the channel's close must not become an uncaught error: the close that follows ends the command.
    channel.on('error', () => undefined);
    channel.on('close', () => {
      this.closed = true;
      const lost = this.current?.lost;
      this.current = null;
      lost?.();
      onClose(this);
    });
  }

  /** Sends `script`; resolves true once `marker` comes back on stdout, false when the shell closes or `ms` pass. */
  handshake(script: string, marker: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      let seen = '';
      const settle = (ok: boolean): void => {
        clearTimeout(timer);
        this.current = null;
        if (!ok) this.destroy();
        resolve(ok);
      };
      const timer = setTimeout(() => settle(false), ms);
      this.current = {
        out: (text) => {
          seen = (seen + text).slice(-4096);
          if (seen.includes(marker)) settle(true);
        },
        err: () => undefined,
        lost: () => settle(false),
      };
      this.channel.write(script);
    });
  }

  /** Runs `command` (a shell command line with no stdin of its own) and feeds `run`; resolves once it has ended. */
  run(command: string, run: CommandRun): Promise<void> {
    const id = nonce();
    const start = `${MARK}S${id}\n`;
    const end = `${MARK}E${id}:`;
    return new Promise((resolve) => {
      let code: number | null = null;
      const ended = (): void => {
        if (!out.done || !err.done) return;
        this.current = null;
        run.finish(code);
        resolve();
      };
      const out = new FrameReader(
        start,
        end,
        (t) => run.stdout(t),
        (tail) => {
          code = /^\d+$/.test(tail) ? Number(tail) : null;
          ended();
        },
      );
      const err = new FrameReader(start, end, (t) => run.stderr(t), ended);
      this.current = {
        out: (t) => out.push(t),
        err: (t) => err.push(t),
        lost: () => {
          run.finish(null);
          resolve();
        },
      };
      const mark = (kind: 'S' | 'E', tail: string): string => `printf '%s%s${tail}\\n' '${MARK}${kind}' '${id}'`;
      this.channel.write(
        `${mark('S', '')}; ${mark('S', '')} >&3; (exec 2>&3 3>&- </dev/null; exec setsid ${command}); ` +
          `${mark('E', ':%s')} "$?"; ${mark('E', ':')} >&3\n`,
      );
      run.underWay();
      // Closed between being taken and being written to: the command never started.
      if (this.closed) this.current.lost();
    });
  }

  destroy(): void {
    this.channel.close();
  }
}

/**
 * The shells of one SSH connection: an idle one is reused, a new one is opened while fewer than `max` exist. When a
 * shell cannot be started (no `setsid` on the node, a login shell that does not run commands from stdin), the pool
 * says so once and for all, and commands go on their own channels as before.
 */
export class ShellPool {
  private readonly all = new Set<NodeShell>();
  private idle: NodeShell[] = [];
  private opening = 0;
  /** The spare being opened ahead of need, if any. */
  private spare: Promise<void> | null = null;
  private spareClaimed = false;
  private usable = true;

  constructor(
    private readonly conn: Client,
    private readonly max: number,
    private readonly openTimeoutMs: number,
  ) {}

  /**
   * Runs a command in a shell of the pool: `start` makes its run once a shell is there (`giveUp` drops that shell).
   * Resolves null at once when no shell can carry it.
   */
  async exec(command: string, start: (giveUp: () => void) => CommandRun): Promise<ExecResult | null> {
    const shell = await this.take();
    if (!shell) return null;
    const run = start(() => shell.destroy());
    await shell.run(command, run);
    if (!shell.closed) this.idle.push(shell);
    return run.result;
  }

  private async take(): Promise<NodeShell | null> {
    for (;;) {
      const ready = this.idle.pop();
      if (ready) {
        this.keepSpare();
        return ready;
      }
      if (!this.usable) return null;
      // A spare on its way is ready sooner than a shell opened now (for one waiter: the others open their own).
      if (this.spare && !this.spareClaimed) {
        this.spareClaimed = true;
        await this.spare;
        continue;
      }
      if (this.all.size + this.opening < this.max) break;
      return null;
    }
    this.opening++;
    const shell = await this.open().finally(() => this.opening--);
    if (!shell) this.usable = false;
    else this.keepSpare();
    return shell;
  }

  /** Opens the first shell ahead of the first command. */
  warm(): void {
    this.keepSpare();
  }

  /**
   * Opens a shell ahead of need when none is left idle: commands often come two at once (a log follower and a probe,
   * a command and the kill of another), and the next one then finds a shell ready instead of waiting for a login.
   */
  private keepSpare(): void {
    if (this.idle.length > 0 || !this.usable || this.opening > 0 || this.all.size >= this.max) return;
    this.opening++;
    this.spareClaimed = false;
    this.spare = this.open()
      .then((shell) => {
        if (!shell) this.usable = false;
        // Under the shells already idle: the next command takes the one the last command used (commands one after
        // another stay in one shell); the spare is for a command that comes while that one is busy.
        else if (!shell.closed) this.idle.unshift(shell);
      })
      .finally(() => {
        this.opening--;
        this.spare = null;
      });
  }

  private open(): Promise<NodeShell | null> {
    return new Promise((resolve) => {
      // A channel the server never answers must not hold a command that waits for a shell.
      let late = false;
      const unanswered = setTimeout(() => {
        late = true;
        resolve(null);
      }, this.openTimeoutMs);
      unanswered.unref();
      this.conn.exec('exec /bin/sh -s', (e: Error | undefined, channel: ClientChannel) => {
        clearTimeout(unanswered);
        if (late) return void channel?.close();
        if (e) return resolve(null);
        const shell = new NodeShell(channel, (closed) => {
          this.all.delete(closed);
          this.idle = this.idle.filter((s) => s !== closed);
        });
        this.all.add(shell);
        const id = nonce();
        void shell
          .handshake(
            `exec 3>&2 2>/dev/null; command -v setsid >/dev/null || exit 0; printf '%s%s\\n' '${MARK}R' '${id}'\n`,
            `${MARK}R${id}\n`,
            this.openTimeoutMs,
          )
          .then((ok) => resolve(ok ? shell : null));
      });
    });
  }
}
