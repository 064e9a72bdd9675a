// Logged-in users for end-to-end tests against the Tomcat test portal (test/tomcat/webapp): each
// user logs in once (`/c/portal/login?user=…` puts a counter in the HTTP session), then requests
// `/web/guest/home` one request at a time; each answer carries the session's counter, which must
// be one more than the last. A missing counter means the user's session is gone (a lost session:
// the user logs in again and carries on). Requests that fail (5xx, connection error, timeout) are
// counted apart. Users are spread over several load-balancer front ends (an HA pair) in turn.
import * as http from 'node:http';

/** What a session-load run is asked to do. */
export interface SessionLoadOptions {
  /** Front ends (load-balancer URLs); user i goes through `urls[i % urls.length]`. Loopback only. */
  urls: string[];
  users: number;
  /** Pause between one user's requests (default 150 ms). */
  thinkMs?: number;
  /** Per-request timeout (default 10 s); a timeout is a failed request. */
  timeoutMs?: number;
  /** Hard stop even if stop() is never called (default 10 min). */
  durationLimitMs?: number;
}

/** One answered or failed request. */
export interface SessionSample {
  user: number;
  /** Date.now() when the request was sent, and when it ended. */
  sentAt: number;
  endedAt: number;
  /** X-Lrroll-Node of the answer, or null. */
  node: string | null;
  kind: 'login' | 'ok' | 'lost' | 'skipped' | 'failed';
  /** The counter the answer carried (null without one). */
  counter: number | null;
  /** `(build N)` in the page text, or null. */
  build: number | null;
  detail?: string;
}

/** What the users saw. */
export interface SessionLoadReport {
  /** Every request sent (logins included). */
  requests: number;
  failed: number;
  /** Times a logged-in user found its session gone. */
  lost: number;
  /** Users who lost their session at least once. */
  usersLost: number;
  /** Users who never lost it. */
  usersKept: number;
  /** Answers whose counter was neither one more than the last nor missing (a stale replica). */
  skipped: number;
  /** Users that saw a higher build and later a lower one within one session. */
  buildFlips: number;
  samples: SessionSample[];
  perNode: Record<string, number>;
}

/** A running session load. */
export interface SessionLoad {
  stop(): Promise<SessionLoadReport>;
  /** Requests so far. */
  count(): number;
}

const LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

interface Answer {
  status: number;
  node: string | null;
  counter: number | null;
  build: number | null;
  cookies: string[];
}

function request(url: URL, cookie: string | null, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, answer?: Answer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(wall);
      if (err) reject(err);
      else resolve(answer as Answer);
    };
    const headers: Record<string, string> = { connection: 'close', 'user-agent': 'lrroll-test-session-load/1' };
    if (cookie) headers.cookie = cookie;
    const req = http.request(
      {
        host: url.hostname,
        port: Number(url.port || 80),
        path: url.pathname + url.search,
        method: 'GET',
        agent: false,
        headers,
        timeout: timeoutMs,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('error', (e) => finish(e));
        // A connection cut mid-answer ends with 'close' and no 'end'.
        res.on('close', () => finish(new Error('response aborted')));
        res.on('end', () => {
          const c = res.headers['x-lrroll-counter'];
          const b = /\(build (\d+)\)/.exec(body);
          finish(null, {
            status: res.statusCode ?? 0,
            node: (res.headers['x-lrroll-node'] as string | undefined) ?? null,
            counter: typeof c === 'string' && /^\d+$/.test(c) ? Number(c) : null,
            build: b ? Number(b[1]) : null,
            cookies: res.headers['set-cookie'] ?? [],
          });
        });
      },
    );
    // The socket timeout covers idle time only: a wall-clock limit as well.
    const wall = setTimeout(() => {
      req.destroy(new Error(`no complete answer within ${timeoutMs + 1000} ms`));
      finish(new Error(`no complete answer within ${timeoutMs + 1000} ms`));
    }, timeoutMs + 1000);
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', (e) => finish(e));
    req.end();
  });
}

/** Keeps the cookies a user was given (JSESSIONID, and any cookie a load balancer adds). */
class CookieJar {
  private readonly jar = new Map<string, string>();
  take(setCookies: string[]): void {
    for (const sc of setCookies) {
      const m = /^\s*([^=;\s]+)=([^;]*)/.exec(sc);
      if (m) this.jar.set(m[1] as string, m[2] as string);
    }
  }
  header(): string | null {
    return this.jar.size ? [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') : null;
  }
}

/** Starts `users` logged-in users; stop() waits for each user's request in flight and reports. */
export function startSessionLoad(options: SessionLoadOptions): SessionLoad {
  const bases = options.urls.map((u) => new URL(u));
  for (const b of bases)
    if (b.protocol !== 'http:' || !LOOPBACK.test(b.hostname))
      throw new Error(`startSessionLoad: only http:// on 127.0.0.0/8, got ${b.href}`);
  const thinkMs = options.thinkMs ?? 150;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const samples: SessionSample[] = [];
  let running = true;
  const limit = setTimeout(() => (running = false), options.durationLimitMs ?? 10 * 60_000);
  limit.unref();

  const user = async (i: number): Promise<void> => {
    const base = bases[i % bases.length] as URL;
    const jar = new CookieJar();
    let expected: number | null = null;
    let maxBuild = 0;
    // Users start spread over the first second, as they would arrive.
    await new Promise((r) => setTimeout(r, (i * 1000) / options.users));
    while (running) {
      const login = expected === null;
      const url = new URL(login ? `/c/portal/login?user=u${i}` : '/web/guest/home', base);
      const sentAt = Date.now();
      try {
        const a = await request(url, jar.header(), timeoutMs);
        jar.take(a.cookies);
        const sample: SessionSample = {
          user: i,
          sentAt,
          endedAt: Date.now(),
          node: a.node,
          kind: 'ok',
          counter: a.counter,
          build: a.build,
        };
        if (a.status >= 500 || a.status === 0) {
          sample.kind = 'failed';
          sample.detail = `HTTP ${a.status}`;
        } else if (login) {
          sample.kind = 'login';
          expected = a.counter === 0 ? 1 : null;
        } else if (a.counter === null) {
          sample.kind = 'lost';
          expected = null;
        } else {
          if (a.counter !== expected) sample.kind = 'skipped';
          expected = a.counter + 1;
        }
        // Within one session a user must never see an older build after a newer one (sticky sessions);
        // a guest whose session is gone is not held to it, and its next session starts afresh.
        if (sample.kind === 'lost') maxBuild = 0;
        else if (a.build !== null && (sample.kind === 'ok' || sample.kind === 'skipped')) {
          if (a.build < maxBuild) sample.detail = `${sample.detail ?? ''}build ${a.build} after ${maxBuild}`;
          maxBuild = Math.max(maxBuild, a.build);
        }
        samples.push(sample);
      } catch (e) {
        samples.push({
          user: i,
          sentAt,
          endedAt: Date.now(),
          node: null,
          kind: 'failed',
          counter: null,
          build: null,
          detail: (e as Error).message,
        });
      }
      await new Promise((r) => setTimeout(r, thinkMs));
    }
  };
  const loops = Array.from({ length: options.users }, (_, i) => user(i));

  const report = (): SessionLoadReport => {
    const lostUsers = new Set(samples.filter((s) => s.kind === 'lost').map((s) => s.user));
    const perNode: Record<string, number> = {};
    for (const s of samples) perNode[s.node ?? 'none'] = (perNode[s.node ?? 'none'] ?? 0) + 1;
    return {
      requests: samples.length,
      failed: samples.filter((s) => s.kind === 'failed').length,
      lost: samples.filter((s) => s.kind === 'lost').length,
      usersLost: lostUsers.size,
      usersKept: options.users - lostUsers.size,
      skipped: samples.filter((s) => s.kind === 'skipped').length,
      buildFlips: new Set(samples.filter((s) => s.detail?.includes(' after ')).map((s) => s.user)).size,
      samples: [...samples],
      perNode,
    };
  };
  let stopped: Promise<SessionLoadReport> | null = null;
  return {
    count: () => samples.length,
    stop: () =>
      (stopped ??= (async () => {
        running = false;
        clearTimeout(limit);
        // Each loop ends after its request in flight (bounded by the request's own limit).
        await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, timeoutMs + 5000))]);
        return report();
      })()),
  };
}

/** True for an answer that shows the user's session (a login, or a counter). */
const holdsSession = (s: SessionSample): boolean =>
  s.node !== null && (s.kind === 'ok' || s.kind === 'login' || s.kind === 'skipped');

/**
 * The node holding a user's session just before `at`: the node of its last session-showing request sent before then.
 */
function holder(list: readonly SessionSample[], at: number): string | null {
  for (let i = list.length - 1; i >= 0; i--) {
    const s = list[i] as SessionSample;
    if (s.sentAt <= at && holdsSession(s)) return s.node;
  }
  return null;
}

function byUser(samples: readonly SessionSample[]): Map<number, SessionSample[]> {
  const out = new Map<number, SessionSample[]>();
  for (const s of samples) out.set(s.user, [...(out.get(s.user) ?? []), s]);
  return out;
}

/** When a node was out of rotation: from its drain until it was reported out hard (lrroll's `lb-state` events). */
export interface OutWindow {
  drainedAt: number;
  outAt: number;
}

/** The run events `outWindows` reads (lrroll's NDJSON events, as parsed). */
type RunEventFields = { kind?: unknown; node?: unknown; action?: unknown; state?: unknown; at?: unknown };

/**
 * Each node's windows out of the load balancer in a run, from its events. A window opens when lrroll starts the node's
 * drain step: the load balancer may apply the drain at any moment after the request leaves, and the `draining`
 * event is written only once the request has returned (on a busy machine tens of milliseconds later, while users
 * pinned to the node already get another one). It closes at the `out` event.
 */
export function outWindows(events: readonly RunEventFields[]): Map<string, OutWindow[]> {
  const outs = new Map<string, OutWindow[]>();
  const drained = new Map<string, number>();
  for (const e of events) {
    const node = String(e.node);
    const at = Date.parse(String(e.at));
    if (e.kind === 'step-start' && e.action === 'lb-drain') drained.set(node, at);
    if (e.kind !== 'lb-state') continue;
    if (e.state === 'draining' && !drained.has(node)) drained.set(node, at);
    if (e.state === 'out') {
      outs.set(node, [...(outs.get(node) ?? []), { drainedAt: drained.get(node) ?? at, outAt: at }]);
      drained.delete(node);
    }
  }
  return outs;
}

/**
 * The sessions a run should cost without replication, by the plan's user-impact note: each user
 * whose session is on a node when that node is taken out hard loses it, once. The exact moment
 * the hard step takes effect lies between the drain and lrroll's `out` event; while a node drains
 * only its own sticky users reach it, so a user counts when its session was on the node at the
 * drain, or was shown by the node between the drain and the `out` event.
 */
export function expectedLosses(
  samples: readonly SessionSample[],
  outs: ReadonlyMap<string, readonly OutWindow[]>,
): number {
  let n = 0;
  const users = byUser(samples);
  for (const [node, windows] of outs) {
    for (const w of windows) {
      for (const list of users.values()) {
        if (
          holder(list, w.drainedAt) === node ||
          list.some((x) => holdsSession(x) && x.node === node && x.sentAt > w.drainedAt && x.sentAt <= w.outAt)
        )
          n++;
      }
    }
  }
  return n;
}

/**
 * Losses no drain explains: the node that held the session had not begun its drain when the answer came. The answer,
 * not the request: a request sent just before the drain can reach the load balancer after the hard take-out (on a
 * busy machine, tens of milliseconds later) and be sent to another node.
 */
export function unexplainedLosses(
  samples: readonly SessionSample[],
  outs: ReadonlyMap<string, readonly OutWindow[]>,
): SessionSample[] {
  const users = byUser(samples);
  return samples.filter((s) => {
    if (s.kind !== 'lost') return false;
    const node = holder(users.get(s.user) ?? [], s.sentAt);
    return node === null || !(outs.get(node) ?? []).some((w) => w.drainedAt <= s.endedAt);
  });
}
