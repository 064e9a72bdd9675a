// Steady HTTP load for end-to-end tests: `users` simulated browsers, each with its own JSESSIONID
// cookie (so HAProxy keeps them sticky), `rps` requests per second in total. No dependencies.
// Loopback targets only. Bounded: stops by itself after `durationLimitMs` (default 10 minutes).
import * as http from 'node:http';

export interface LoadOptions {
  /** Target, e.g. the test cluster's HAProxy URL. Must be a loopback address. */
  url: string;
  /** Requests per second, in total over all users. */
  rps: number;
  /** Simulated users (cookie jars). */
  users: number;
  /** Hard stop after this long even if stop() is never called (default 10 min). */
  durationLimitMs?: number;
  /** Per-request timeout (default 5 s). A timeout is a failure. */
  timeoutMs?: number;
  /** Path requested (default: the URL's path, else '/'). */
  path?: string;
}

export interface LoadFailure {
  /** Date.now() when the request failed (completed or gave up). */
  at: number;
  /** Milliseconds since the load started. */
  elapsedMs: number;
  user: number;
  /** HTTP status, for status >= 500. */
  status?: number;
  /** Connection error or timeout. */
  error?: string;
  /** Node that answered (X-Lrroll-Node), or the node the user was sticky to when there was no answer. */
  node: string | null;
}

export interface LoadReport {
  /** Completed requests (successful or failed). */
  total: number;
  failed: number;
  /** Successful and failed answers per node, from the X-Lrroll-Node response header ('unknown' without one). */
  byNode: Record<string, number>;
  /** Times a user was answered by a different node than its previous answer (stickiness lost: failover, redispatch). */
  switches: number;
  /** Every failed request, in completion order. */
  failures: LoadFailure[];
  /** Date.now() when the load started. */
  startedAt: number;
  /** Until stop() or the duration limit (in-flight requests are awaited by stop(), then counted). */
  durationMs: number;
  /** True when durationLimitMs ended the load rather than stop(). */
  hitDurationLimit: boolean;
}

export interface Load {
  /** Stops sending, waits for in-flight requests (bounded by their timeout), returns the report. */
  stop(): Promise<LoadReport>;
  /** Counters so far, without stopping. */
  snapshot(): LoadReport;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\]|::1)$/i;

export function startLoad(options: LoadOptions): Load {
  const target = new URL(options.url);
  if (target.protocol !== 'http:') throw new Error(`startLoad: only http:// is supported, got ${options.url}`);
  if (!LOOPBACK.test(target.hostname)) throw new Error(`startLoad: refusing non-loopback target ${target.hostname}`);
  const rps = options.rps;
  const users = options.users;
  if (!(rps > 0 && rps <= 2000)) throw new Error(`startLoad: rps must be in (0, 2000], got ${rps}`);
  if (!(Number.isInteger(users) && users >= 1 && users <= 10_000))
    throw new Error(`startLoad: users must be 1..10000, got ${users}`);
  const limitMs = options.durationLimitMs ?? 10 * 60_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port || 80);
  const path = options.path ?? (target.pathname + target.search || '/');

  const cookies: Array<string | null> = Array.from({ length: users }, () => null);
  const sticky: Array<string | null> = Array.from({ length: users }, () => null);
  const byNode: Record<string, number> = {};
  const failures: LoadFailure[] = [];
  let total = 0;
  let switches = 0;
  let issued = 0;
  let nextUser = 0;
  const inflight = new Set<Promise<void>>();
  const startedAt = Date.now();
  let endedAt: number | null = null;
  let hitDurationLimit = false;
  const maxInflight = Math.max(users * 4, 64);

  const fail = (user: number, f: { status?: number; error?: string }, node: string | null) => {
    const at = Date.now();
    failures.push({ at, elapsedMs: at - startedAt, user, ...f, node });
  };

  const one = (user: number): Promise<void> =>
    new Promise<void>((resolve) => {
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        total++;
        resolve();
      };
      const headers: Record<string, string> = { connection: 'close', 'user-agent': `lrroll-test-load/1 user-${user}` };
      const cookie = cookies[user];
      if (cookie) headers.cookie = cookie;
      const req = http.request(
        { host, port, path, method: 'GET', agent: false, headers, timeout: timeoutMs },
        (res) => {
          const node = (res.headers['x-lrroll-node'] as string | undefined) ?? null;
          for (const sc of res.headers['set-cookie'] ?? []) {
            const m = /^\s*(JSESSIONID=[^;]*)/i.exec(sc);
            if (m) cookies[user] = m[1] as string;
          }
          if (node) {
            if (sticky[user] && sticky[user] !== node) switches++;
            sticky[user] = node;
          }
          byNode[node ?? 'unknown'] = (byNode[node ?? 'unknown'] ?? 0) + 1;
          const status = res.statusCode ?? 0;
          res.on('error', (e) => {
            if (!settled) fail(user, { error: `response: ${e.message}` }, node);
            done();
          });
          res.on('end', () => {
            if (status >= 500) fail(user, { status }, node);
            done();
          });
          res.on('close', () => {
            if (!settled) fail(user, { error: 'response aborted' }, node);
            done();
          });
          res.resume();
        },
      );
      const wall = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs + 1000);
      req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
      req.on('error', (e) => {
        if (!settled) fail(user, { error: e.message }, sticky[user] ?? null);
        done();
      });
      req.on('close', () => clearTimeout(wall));
      req.end();
    });

  const fire = () => {
    const user = nextUser;
    nextUser = (nextUser + 1) % users;
    issued++;
    const p = one(user).finally(() => inflight.delete(p));
    inflight.add(p);
  };

  // Rate control from elapsed time (timers drift); at most one second of catch-up burst.
  const tickMs = Math.max(5, Math.min(50, Math.floor(1000 / rps)));
  const ticker = setInterval(() => {
    const elapsed = Date.now() - startedAt;
    if (elapsed >= limitMs) {
      hitDurationLimit = true;
      end();
      return;
    }
    const due = Math.floor((elapsed * rps) / 1000) + 1;
    if (due - issued > rps) issued = due - Math.ceil(rps);
    while (issued < due && inflight.size < maxInflight) fire();
    // Requests skipped because too many are in flight are not owed later.
    if (issued < due) issued = due;
  }, tickMs);
  ticker.unref();
  const limitTimer = setTimeout(() => {
    hitDurationLimit = true;
    end();
  }, limitMs);
  limitTimer.unref();

  function end() {
    if (endedAt !== null) return;
    endedAt = Date.now();
    clearInterval(ticker);
    clearTimeout(limitTimer);
  }

  const report = (): LoadReport => ({
    total,
    failed: failures.length,
    byNode: { ...byNode },
    switches,
    failures: [...failures],
    startedAt,
    durationMs: (endedAt ?? Date.now()) - startedAt,
    hitDurationLimit,
  });

  let stopped: Promise<LoadReport> | null = null;
  return {
    stop() {
      return (stopped ??= (async () => {
        end();
        await Promise.all([...inflight]);
        return report();
      })());
    },
    snapshot: report,
  };
}
