import type { LbDriver, MemberState } from './driver.js';

/** An HTTP answer, read whole. */
interface HttpAnswer {
  status: number;
  contentType: string;
  text: string;
}

/** A URL split into a credential-free URL and an `Authorization` header (fetch refuses URLs with `user:pass@`). */
export interface HttpTarget {
  /** The URL without user info. */
  url: URL;
  /** `Basic …` when the URL had user info, else null. */
  authorization: string | null;
}

/** Splits `http://user:pass@host/path` into a clean URL and a Basic `Authorization` header. */
export function httpTarget(url: string): HttpTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`\`${url}\` is not a valid URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`\`${url}\`: only http and https URLs are supported`);
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  return { url: u, authorization: user || pass ? `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` : null };
}

/** The error a signal aborted with. */
function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new Error('aborted');
}

/**
 * One HTTP request with a deadline and an optional abort signal; the body is read whole. Shared by the Apache and
 * mod_jk drivers.
 */
export async function httpRequest(
  url: URL,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<HttpAnswer> {
  if (signal?.aborted) throw abortReason(signal);
  const ctl = new AbortController();
  const timer = setTimeout(
    () => ctl.abort(new Error(`${init.method} ${url.href} did not answer within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const onAbort = (): void => ctl.abort(abortReason(signal as AbortSignal));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await fetch(url, {
      method: init.method,
      headers: init.headers,
      redirect: 'manual',
      signal: ctl.signal,
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    const text = await res.text();
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text };
  } catch (e) {
    if (ctl.signal.aborted) throw abortReason(ctl.signal);
    const cause = (e as Error & { cause?: Error }).cause;
    throw new Error(`${init.method} ${url.href} failed: ${cause?.message ?? (e as Error).message}`, { cause: e });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** One worker of the balancer-manager XML. */
interface ApacheWorker {
  /** `<httpd:name>`, e.g. `http://10.0.0.1:8080` or `ajp://node1:8009`. */
  name: string;
  /** `<httpd:status>`, e.g. `Init Ok `, `Init Drn Ok `, `Init Stop `. */
  status: string;
  /** `<httpd:busy>`: requests in flight, or null when missing. */
  busy: number | null;
  /** `<httpd:route>` (the node's jvmRoute), or '' when none. */
  route: string;
}

/** One balancer of the balancer-manager XML. */
interface ApacheBalancer {
  workers: ApacheWorker[];
  /** `<httpd:nonce>` (httpd 2.4.x prints it in the XML), or null when this httpd does not. */
  nonce: string | null;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the XML/HTML entities httpd writes (`&amp;` … and numeric ones). */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, e: string) => {
    if (e.startsWith('#x') || e.startsWith('#X')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return ENTITIES[e.toLowerCase()] ?? whole;
  });
}

/** The text of the first `<httpd:tag>` in `block`, or null. */
function tag(block: string, name: string): string | null {
  const m = new RegExp(`<httpd:${name}>([\\s\\S]*?)</httpd:${name}>`).exec(block);
  return m ? decodeEntities(m[1] as string) : null;
}

/**
 * Parses `balancer-manager?xml=1`: balancer name (`balancer://x`) → its workers and nonce. Throws when the answer is
 * not that XML.
 */
export function parseBalancerXml(xml: string): Map<string, ApacheBalancer> {
  if (!xml.includes('<httpd:manager')) throw new Error('the answer is not balancer-manager XML');
  const out = new Map<string, ApacheBalancer>();
  for (const b of xml.matchAll(/<httpd:balancer>([\s\S]*?)<\/httpd:balancer>/g)) {
    const block = b[1] as string;
    const head = block.split('<httpd:workers>')[0] ?? '';
    const name = tag(head, 'name') ?? '';
    const workers = [...block.matchAll(/<httpd:worker>([\s\S]*?)<\/httpd:worker>/g)].map((w) => {
      const busy = tag(w[1] as string, 'busy');
      return {
        name: tag(w[1] as string, 'name') ?? '',
        status: tag(w[1] as string, 'status') ?? '',
        busy: busy !== null && /^\s*\d+\s*$/.test(busy) ? Number(busy) : null,
        route: (tag(w[1] as string, 'route') ?? '').trim(),
      };
    });
    const nonce = tag(head, 'nonce')?.trim() || null;
    out.set(name.trim(), { workers, nonce });
  }
  return out;
}

/**
 * Normalises a worker status (`ap_proxy_parse_wstatus` flags): Stop/Dis → MAINT, Err/HcFl → DOWN, Drn → DRAIN, Ok → UP.
 */
export function normaliseApacheStatus(status: string): MemberState['state'] {
  const flags = new Set(status.trim().split(/\s+/));
  if (flags.has('Stop') || flags.has('Dis')) return 'MAINT';
  if (flags.has('Err') || flags.has('HcFl')) return 'DOWN';
  if (flags.has('Drn')) return 'DRAIN';
  if (flags.has('Ok')) return 'UP';
  return 'UNKNOWN';
}

/**
 * Why a member is still not UP after its enable, when Apache's status says: a member in error (`Err`) stays so until
 * Apache retries it for a request it balances, not one stuck to another node (seen on the test cluster), so with every
 * user stuck elsewhere it stays DOWN. Null for any other status.
 */
export function apacheNotUpHint(status: string): string | null {
  return /\bErr\b/.test(status)
    ? 'Apache keeps a member in error (Err) until it sends it a request that is not stuck to another node: new ' +
        'visitors clear it once its BalancerMember `retry` has passed, and so does one request through the balancer ' +
        "with this member's route in the sticky session cookie (e.g. JSESSIONID=x.<route>)"
    : null;
}

/**
 * Reads the balancer's nonce from the balancer-manager HTML: the hidden `nonce` field, else the `b=<balancer>&nonce=`
 * links.
 */
export function findNonce(html: string, balancer: string): string | null {
  for (const input of html.matchAll(/<input\b[^>]*>/gi)) {
    const el = input[0];
    if (!/\b(?:name|id)\s*=\s*(['"]?)nonce\1[\s>/]/i.test(el)) continue;
    const v = /\bvalue\s*=\s*(?:'([^']*)'|"([^"]*)"|([^\s>]+))/i.exec(el);
    const value = v ? (v[1] ?? v[2] ?? v[3] ?? '') : '';
    if (value) return value;
  }
  const esc = balancer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const link = new RegExp(`[?&](?:amp;)?b=${esc}(?:&(?:amp;)?w=[^&"']*)?&(?:amp;)?nonce=([0-9A-Za-z-]+)`).exec(html);
  return link ? (link[1] as string) : null;
}

/** Options of {@link ApacheBalancerDriver}. */
interface ApacheDriverOptions {
  /** URL of the balancer-manager page (user info becomes Basic auth). */
  url: string;
  /**
   * The URL as the plan shows it (secrets as `${NAME}`, an inline password masked): what requests are recorded with.
   */
  shownUrl?: string;
  /** Balancer name without `balancer://`. */
  balancer: string;
  /** Deadline of one request in milliseconds (the plan's `requestTimeoutSec`). */
  timeoutMs: number;
  /**
   * Told of each request as it is sent (a recorder): `GET <url>?<query>` or `POST <url> <form>`, the URL as the plan
   * shows it.
   */
  onRequest?: (target: string, request: string) => void;
}

/** What each action posts, and how to tell it took effect. */
const ACTIONS = {
  drain: { params: { w_status_N: '1' }, applied: (s: string) => /\bDrn\b/.test(s) },
  hard: { params: { w_status_S: '1' }, applied: (s: string) => /\bStop\b/.test(s) },
  enable: {
    params: { w_status_N: '0', w_status_D: '0', w_status_S: '0' },
    applied: (s: string) => !/\b(Drn|Dis|Stop)\b/.test(s),
  },
} as const;

/**
 * Apache httpd mod_proxy_balancer through its balancer-manager: nonce from the page, urlencoded POSTs with a Referer,
 * state from `?xml=1`.
 */
export class ApacheBalancerDriver implements LbDriver {
  private readonly target: HttpTarget;
  private readonly timeoutMs: number;

  constructor(private readonly options: ApacheDriverOptions) {
    this.target = httpTarget(options.url);
    this.timeoutMs = options.timeoutMs;
  }

  /** Tells the recorder of a request, by the URL the plan shows. */
  private observe(method: 'GET' | 'POST', params: Record<string, string> | string): void {
    const shown = this.options.shownUrl ?? this.target.url.href;
    const query = typeof params === 'string' ? params : new URLSearchParams(params).toString();
    this.options.onRequest?.(shown, method === 'GET' ? `GET ${shown}?${query}` : `POST ${shown} ${query}`);
  }

  /** POST `b`, `w`, `nonce`, `w_status_N=1`. */
  async drain(member: string, signal?: AbortSignal): Promise<void> {
    await this.change(member, 'drain', signal);
  }

  /**
   * POST `w_status_S=1` (Stopped: no traffic at all). Apache has no call to cut open connections, so `shutdownSessions`
   * changes nothing.
   */
  async disable(member: string, _shutdownSessions: boolean, signal?: AbortSignal): Promise<void> {
    await this.change(member, 'hard', signal);
  }

  /** POST `w_status_N=0&w_status_D=0&w_status_S=0`. */
  async enable(member: string, signal?: AbortSignal): Promise<void> {
    await this.change(member, 'enable', signal);
  }

  /** The worker's `<httpd:status>` and `<httpd:busy>`. */
  async state(member: string, signal?: AbortSignal): Promise<MemberState> {
    const w = this.find((await this.balancer(signal)).workers, member);
    return toState(w);
  }

  /**
   * Every worker of the balancer, under its URL and, when it has one, its route too (the node's jvmRoute, which is how
   * lrroll names members by default).
   */
  async members(signal?: AbortSignal): Promise<Map<string, MemberState>> {
    const out = new Map<string, MemberState>();
    for (const w of (await this.balancer(signal)).workers) {
      out.set(w.name, toState(w));
      if (w.route && !out.has(w.route)) out.set(w.route, toState(w));
    }
    return out;
  }

  /** Nothing to release. */
  async close(): Promise<void> {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const referer = new URL(this.target.url.href);
    referer.search = '';
    referer.hash = '';
    return {
      Referer: referer.href,
      ...(this.target.authorization ? { Authorization: this.target.authorization } : {}),
      ...extra,
    };
  }

  private url(params: Record<string, string>): URL {
    const u = new URL(this.target.url.href);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return u;
  }

  private async get(params: Record<string, string>, signal?: AbortSignal): Promise<string> {
    const url = this.url(params);
    this.observe('GET', params);
    const r = await httpRequest(url, { method: 'GET', headers: this.headers() }, this.timeoutMs, signal);
    if (r.status !== 200)
      throw new Error(
        `balancer-manager GET ${url.href} answered HTTP ${r.status}` +
          (r.status === 401 || r.status === 403
            ? ' (access denied: check the URL credentials and `Require` rules)'
            : ''),
      );
    return r.text;
  }

  private async balancer(signal?: AbortSignal): Promise<ApacheBalancer> {
    const xml = await this.get({ xml: '1' }, signal);
    let all: Map<string, ApacheBalancer>;
    try {
      all = parseBalancerXml(xml);
    } catch {
      throw new Error(
        `balancer-manager at ${this.target.url.href} did not answer ?xml=1 with XML (was the ` +
          `Referer rejected? httpd logs AH10187 then)`,
      );
    }
    const mine = all.get(`balancer://${this.options.balancer}`) ?? all.get(this.options.balancer);
    if (!mine)
      throw new Error(
        `balancer-manager at ${this.target.url.href} has no balancer \`${this.options.balancer}` +
          `\` (balancers: ` +
          `${[...all.keys()].map((k) => k.replace(/^balancer:\/\//, '')).join(', ') || 'none'})`,
      );
    return mine;
  }

  /**
   * The worker named `member` (its URL as shown), else the one whose route is `member` (BalancerMember … route=node1).
   */
  private find(workers: ApacheWorker[], member: string): ApacheWorker {
    const norm = (s: string): string => s.trim().replace(/\/+$/, '').toLowerCase();
    const w =
      workers.find((x) => x.name === member) ??
      workers.find((x) => norm(x.name) === norm(member)) ??
      workers.find((x) => x.route !== '' && x.route === member.trim());
    if (!w)
      throw new Error(
        `balancer \`${this.options.balancer}\` has no worker \`${member}\` (workers: ` +
          `${workers.map((x) => `${x.name}${x.route ? ` route=${x.route}` : ''}`).join(', ') || 'none'}` +
          `)`,
      );
    return w;
  }

  /** The balancer's nonce: from the XML when httpd prints it there, else from the balancer's HTML page. */
  private async nonce(fromXml: string | null, signal?: AbortSignal): Promise<string> {
    if (fromXml) return fromXml;
    const html = await this.get({ b: this.options.balancer }, signal);
    const nonce = findNonce(html, this.options.balancer);
    if (!nonce)
      throw new Error(
        `balancer-manager at ${this.target.url.href} shows no nonce for balancer \`${this.options.balancer}\``,
      );
    return nonce;
  }

  private async change(member: string, action: keyof typeof ACTIONS, signal?: AbortSignal): Promise<void> {
    const before = await this.balancer(signal);
    const worker = this.find(before.workers, member);
    const nonce = await this.nonce(before.nonce, signal);
    const body = new URLSearchParams({
      b: this.options.balancer,
      w: worker.name,
      nonce,
      ...ACTIONS[action].params,
    }).toString();
    this.observe('POST', body);
    const r = await httpRequest(
      this.target.url,
      { method: 'POST', headers: this.headers({ 'Content-Type': 'application/x-www-form-urlencoded' }), body },
      this.timeoutMs,
      signal,
    );
    if (r.status !== 200)
      throw new Error(
        `balancer-manager POST ${this.target.url.href} (${body.replace(/nonce=[^&]*/, 'nonce=…')}` +
          `) answered HTTP ${r.status}`,
      );
    // httpd answers 200 even when it ignores the parameters (bad nonce, foreign Referer): check the result.
    const after = this.find((await this.balancer(signal)).workers, worker.name);
    if (!ACTIONS[action].applied(after.status)) {
      throw new Error(
        `balancer-manager at ${this.target.url.href} did not apply ` +
          `${new URLSearchParams(ACTIONS[action].params).toString()} to \`${worker.name}` +
          `\` (status is now \`${after.status.trim()}\`): the nonce or the Referer was not accepted`,
      );
    }
  }
}

function toState(w: ApacheWorker): MemberState {
  return { state: normaliseApacheStatus(w.status), raw: w.status.trim(), sessions: w.busy };
}
