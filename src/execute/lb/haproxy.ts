import { connect, type Socket } from 'node:net';
import { describeHaproxySocket, parseHaproxySocket, type HaproxySocket } from '../../domain/haproxy-socket.js';
import { fillQuotedPlaceholder } from '../placeholders.js';
import type { Transport } from '../transport.js';
import type { LbDriver, MemberState } from './driver.js';

/** Sends one runtime API command and returns HAProxy's whole answer. */
type HaproxyRunner = (command: string, signal?: AbortSignal) => Promise<string>;

/** Options of {@link HaproxyDriver}. */
interface HaproxyDriverOptions {
  /** `/path/to/admin.sock`, `unix@/path`, `host:port`, `ipv4@host:port`, `ipv6@[addr]:port`. */
  socket: string;
  /** The backend holding the servers. */
  backend: string;
  /**
   * When set, commands run on that host through `wrapper` (the plan's `via`); otherwise the socket is opened from here.
   */
  transport?: Transport | null;
  /** The plan's `printf '%s\n' {request} | socat …` command for `transport` (the instance's `wrapper`). */
  wrapper?: string | null;
  /** Run socat through `sudo -n` (via only). */
  become?: boolean;
  /** Deadline of one command in milliseconds (the plan's `requestTimeoutSec`). */
  timeoutMs: number;
  /** Told of each runtime API command as it is sent (a recorder), with where it goes. */
  onRequest?: (target: string, command: string) => void;
}

/** HAProxy object names: what `invalid_char()` accepts. A server may also be given as `#<id>`. */
const NAME = /^[A-Za-z0-9_.:-]+$/;

/** The error a signal aborted with. */
function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new Error('aborted');
}

/** Explains a connection error (ENOENT, ECONNREFUSED, EACCES…). */
function connectError(where: string, e: NodeJS.ErrnoException): Error {
  const hint =
    e.code === 'EACCES'
      ? ' (permission denied: the socket is usually mode 600; run as its owner or use `via` with `become`)'
      : e.code === 'ENOENT'
        ? ' (no such socket: is HAProxy running with `stats socket` there?)'
        : '';
  return new Error(`cannot reach the HAProxy runtime API at ${where}: ${e.message}${hint}`, { cause: e });
}

/** Opens the socket from this machine: one command per connection, the answer ends when HAProxy closes it. */
export function socketRunner(socket: HaproxySocket, timeoutMs: number): HaproxyRunner {
  const where = describeHaproxySocket(socket);
  return (command, signal) =>
    new Promise<string>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const conn: Socket =
        socket.kind === 'unix'
          ? connect({ path: socket.path })
          : connect({ host: socket.host, port: socket.port, ...(socket.family ? { family: socket.family } : {}) });
      const chunks: Buffer[] = [];
      let settled = false;
      const finish = (err: Error | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        conn.destroy();
        if (err) reject(err);
        else resolve(Buffer.concat(chunks).toString('utf8'));
      };
      const onAbort = (): void => finish(abortReason(signal as AbortSignal));
      const timer = setTimeout(
        () => finish(new Error(`HAProxy runtime API at ${where} did not answer \`${command}\` within ${timeoutMs} ms`)),
        timeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      conn.on('connect', () => conn.write(`${command}\n`));
      conn.on('data', (d: Buffer) => {
        chunks.push(d);
        // A session left in interactive mode ends each answer with a `> ` prompt instead of closing.
        if (/\n> $/.test(d.toString('utf8'))) finish(null);
      });
      conn.on('error', (e: NodeJS.ErrnoException) => finish(connectError(where, e)));
      conn.on('close', () => finish(null));
    });
}

/**
 * Runs the plan's `printf … | socat …` wrapper, its `{request}` filled with the command, through a transport (the LB
 * host over SSH, or locally).
 */
export function socatRunner(
  transport: Transport,
  wrapper: string,
  socketText: string,
  timeoutMs: number,
  become: boolean,
): HaproxyRunner {
  const where = `${socketText} via ${transport.describe}`;
  return async (command, signal) => {
    if (signal?.aborted) throw abortReason(signal);
    const r = await transport.exec(fillQuotedPlaceholder(wrapper, 'request', command), {
      timeoutMs,
      become,
      ...(signal ? { signal } : {}),
    });
    if (r.aborted) throw signal ? abortReason(signal) : new Error('aborted');
    if (r.timedOut)
      throw new Error(`HAProxy runtime API at ${where} did not answer \`${command}\` within ${timeoutMs} ms`);
    if (r.exitCode !== 0) {
      const err = r.stderr.trim() || r.stdout.trim();
      const hint = r.exitCode === 127 ? ' (is socat installed on the load balancer host?)' : '';
      throw new Error(
        `cannot reach the HAProxy runtime API at ${where}: socat exited with ` +
          `${r.exitCode ?? 'no code'}${err ? `: ${err}` : ''}${hint}`,
      );
    }
    return r.stdout;
  };
}

/** The `via` form's command: the plan builds it; a driver with a transport and no wrapper is a wiring mistake. */
function viaWrapper(options: HaproxyDriverOptions): string {
  if (!options.wrapper)
    throw new Error(`HAProxy socket ${options.socket}: a transport was given without the plan's socat wrapper`);
  return options.wrapper;
}

/** Splits one CSV line as HAProxy writes it (fields with `,` or `"` are double-quoted, quotes doubled). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length && !(line[i] === '"' && line[i + 1] !== '"')) {
        v += line[i];
        i += line[i] === '"' ? 2 : 1;
      }
      out.push(v);
      i += 2; // closing quote and comma
    } else {
      const end = line.indexOf(',', i);
      out.push(line.slice(i, end === -1 ? line.length : end));
      i = end === -1 ? line.length + 1 : end + 1;
    }
  }
  return out;
}

/**
 * Parses `show stat` CSV by header name (the header line starts with `# `); throws with HAProxy's text when there is no
 * header.
 */
export function parseShowStat(text: string): Array<Record<string, string>> {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const header = lines.find((l) => l.startsWith('# '));
  if (!header) throw new Error(text.trim() || 'empty answer to show stat');
  const names = splitCsvLine(header.slice(2));
  return lines
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const values = splitCsvLine(l);
      const row: Record<string, string> = {};
      names.forEach((n, i) => {
        if (n !== '' && n !== '-') row[n] = values[i] ?? '';
      });
      return row;
    });
}

/**
 * Normalises a server `status` of `show stat`: `UP`, `UP 1/3`, `no check` → UP; `DOWN*` → DOWN; `DRAIN*`, `NOLB*` →
 * DRAIN; `MAINT*` → MAINT.
 */
export function normaliseHaproxyStatus(status: string): MemberState['state'] {
  const s = status.trim().toUpperCase();
  if (s === 'NO CHECK' || s === 'UP' || s.startsWith('UP ')) return 'UP';
  if (s.startsWith('DOWN')) return 'DOWN';
  if (s.startsWith('DRAIN') || s.startsWith('NOLB')) return 'DRAIN';
  if (s.startsWith('MAINT')) return 'MAINT';
  return 'UNKNOWN';
}

/** A `show stat` server row as a member state (sessions = scur + qcur). */
export function haproxyMemberState(row: Readonly<Record<string, string>>): MemberState {
  const raw = row['status'] ?? '';
  const num = (k: string): number | null => {
    const v = row[k];
    return v === undefined || v === '' || !/^\d+$/.test(v) ? null : Number(v);
  };
  const scur = num('scur');
  const qcur = num('qcur');
  return { state: normaliseHaproxyStatus(raw), raw, sessions: scur === null ? null : scur + (qcur ?? 0) };
}

/** True when HAProxy's answer to a write command is a success (these commands print nothing on success). */
function isSilent(answer: string): boolean {
  return answer.trim() === '';
}

/**
 * HAProxy runtime API driver: `set server … state drain|maint|ready`, `shutdown sessions server`, `show stat <bk> 4
 * -1`.
 */
export class HaproxyDriver implements LbDriver {
  private readonly socket: HaproxySocket;
  private readonly where: string;
  private readonly run: HaproxyRunner;

  constructor(
    private readonly options: HaproxyDriverOptions,
    runner?: HaproxyRunner,
  ) {
    if (!NAME.test(options.backend))
      throw new Error(`HAProxy backend name \`${options.backend}\` is not valid (letters, digits, . _ - : only)`);
    this.socket = parseHaproxySocket(options.socket);
    const timeoutMs = options.timeoutMs;
    const t = options.transport;
    this.where = `${describeHaproxySocket(this.socket)}${t ? ` via ${t.describe}` : ''}`;
    const run =
      runner ??
      (t
        ? socatRunner(t, viaWrapper(options), describeHaproxySocket(this.socket), timeoutMs, options.become === true)
        : socketRunner(this.socket, timeoutMs));
    const observe = options.onRequest;
    this.run = observe
      ? (command, signal) => {
          observe(this.where, command);
          return run(command, signal);
        }
      : run;
  }

  /** `set server <bk>/<srv> state drain`. */
  async drain(member: string, signal?: AbortSignal): Promise<void> {
    await this.write(`set server ${this.server(member)} state drain`, signal);
  }

  /** `set server <bk>/<srv> state maint`, then `shutdown sessions server <bk>/<srv>` when asked. */
  async disable(member: string, shutdownSessions: boolean, signal?: AbortSignal): Promise<void> {
    await this.write(`set server ${this.server(member)} state maint`, signal);
    if (shutdownSessions) await this.write(`shutdown sessions server ${this.server(member)}`, signal);
  }

  /** `set server <bk>/<srv> state ready`. */
  async enable(member: string, signal?: AbortSignal): Promise<void> {
    await this.write(`set server ${this.server(member)} state ready`, signal);
  }

  /** `set server <bk>/<srv> health up`: UP now rather than after `rise` checks; `check` and `agent-check` stay on. */
  async healthUp(member: string, signal?: AbortSignal): Promise<void> {
    await this.write(`set server ${this.server(member)} health up`, signal);
  }

  /** The member's row of `show stat <bk> 4 -1`; throws naming the existing servers when it is not there. */
  async state(member: string, signal?: AbortSignal): Promise<MemberState> {
    this.server(member);
    const rows = await this.showStat(signal);
    const row = rows.find((r) => (member.startsWith('#') ? r['sid'] === member.slice(1) : r['svname'] === member));
    if (!row)
      throw new Error(
        `HAProxy backend \`${this.options.backend}\` has no server \`${member}\` (servers: ` +
          `${rows.map((r) => r['svname']).join(', ') || 'none'})`,
      );
    return haproxyMemberState(row);
  }

  /** Every server of the backend. */
  async members(signal?: AbortSignal): Promise<Map<string, MemberState>> {
    const rows = await this.showStat(signal);
    return new Map(rows.map((r) => [r['svname'] ?? '', haproxyMemberState(r)]));
  }

  /** Nothing to release: every command uses its own connection. */
  async close(): Promise<void> {}

  private server(member: string): string {
    if (!NAME.test(member) && !/^#\d+$/.test(member))
      throw new Error(`HAProxy server name \`${member}\` is not valid (letters, digits, . _ - : or #<id>)`);
    return `${this.options.backend}/${member}`;
  }

  private async showStat(signal?: AbortSignal): Promise<Array<Record<string, string>>> {
    const command = `show stat ${this.options.backend} 4 -1`;
    const answer = await this.run(command, signal);
    try {
      return parseShowStat(answer).filter((r) => r['svname'] !== 'FRONTEND' && r['svname'] !== 'BACKEND');
    } catch (e) {
      throw new Error(`HAProxy runtime API at ${this.where}: \`${command}\` failed: ${(e as Error).message}`);
    }
  }

  private async write(command: string, signal?: AbortSignal): Promise<void> {
    const answer = await this.run(command, signal);
    if (isSilent(answer)) return;
    const text = answer.trim().split('\n')[0] ?? '';
    let known = '';
    if (/^No such server\./.test(text)) known = await this.knownServers(signal);
    throw new Error(
      `HAProxy runtime API at ${this.where}: \`${command}\` failed: ${text}${known}` +
        `${/Permission denied/.test(text) ? ' (the socket needs `level admin`)' : ''}`,
    );
  }

  private async knownServers(signal?: AbortSignal): Promise<string> {
    try {
      return (
        ` (servers of \`${this.options.backend}\`: ` +
        `${[...(await this.members(signal)).keys()].join(', ') || 'none'})`
      );
    } catch {
      return '';
    }
  }
}
