import { httpRequest, httpTarget, type HttpTarget } from './apache.js';
import type { LbDriver, MemberState } from './driver.js';

/** Options of {@link ModJkDriver}. */
interface ModJkDriverOptions {
  /** URL of the status worker, e.g. `http://lb/jkstatus` (user info becomes Basic auth). */
  url: string;
  /**
   * The URL as the plan shows it (secrets as `${NAME}`, an inline password masked): what requests are recorded with.
   */
  shownUrl?: string;
  /** The lb worker name. */
  balancer: string;
  /** Deadline of one request in milliseconds (the plan's `requestTimeoutSec`). */
  timeoutMs: number;
  /** Told of each request as it is sent (a recorder): `GET <url>?<query>`, the URL as the plan shows it. */
  onRequest?: (target: string, request: string) => void;
}

/** `mime=prop` output: every `key=value` line, in order (keys repeat, e.g. `balance_workers`). */
type JkProps = Array<[key: string, value: string]>;

/** Parses `mime=prop` output (`<prefix>.<name>.<key>=<value>` lines). */
export function parseJkProps(text: string): JkProps {
  const out: JkProps = [];
  for (const line of text.split('\n')) {
    const l = line.replace(/\r$/, '');
    const eq = l.indexOf('=');
    if (eq > 0 && !l.startsWith('#')) out.push([l.slice(0, eq).trim(), l.slice(eq + 1)]);
  }
  return out;
}

/**
 * The value of the first key ending with `.<suffix>` (the prefix, `worker` by default, is configurable, so only the
 * suffix is matched).
 */
function jkProp(props: JkProps, suffix: string): string | null {
  const hit = props.find(([k]) => k === suffix || k.endsWith(`.${suffix}`));
  return hit ? hit[1] : null;
}

/** The `result.type`/`result.message` pair the status worker prints at the end, or null. */
function jkResult(props: JkProps): { type: string; message: string } | null {
  const type = jkProp(props, 'result.type');
  return type === null ? null : { type, message: jkProp(props, 'result.message') ?? '' };
}

/** The members of lb worker `lb`: its `<prefix>.<lb>.balance_workers` lines. */
export function jkMembers(props: JkProps, lb: string): string[] {
  return props.filter(([k]) => k.endsWith(`.${lb}.balance_workers`)).map(([, v]) => v.trim());
}

/** Normalises activation and state: STP → MAINT, ERR… → DOWN, DIS → DRAIN, ACT with OK…/N/A/BSY → UP. */
export function normaliseJkState(activation: string, state: string): MemberState['state'] {
  const a = activation.trim().toUpperCase();
  const s = state.trim().toUpperCase();
  if (a === 'STP') return 'MAINT';
  if (s.startsWith('ERR') || s === 'REC') return 'DOWN';
  if (a === 'DIS') return 'DRAIN';
  if (a === 'ACT' && (s.startsWith('OK') || s === 'N/A' || s === 'BSY')) return 'UP';
  return 'UNKNOWN';
}

/** A member's state from `cmd=show` output, or null when the member's keys are missing. */
export function jkMemberState(props: JkProps, member: string): MemberState | null {
  const activation = jkProp(props, `${member}.activation`);
  const state = jkProp(props, `${member}.state`);
  if (activation === null || state === null) return null;
  const busy = jkProp(props, `${member}.busy`);
  return {
    state: normaliseJkState(activation, state),
    raw: `${activation} ${state}`,
    sessions: busy !== null && /^\s*\d+\s*$/.test(busy) ? Number(busy) : null,
  };
}

/** mod_jk status worker driver: `cmd=update … vwa=1|2|0`, state from `cmd=show&mime=prop`. */
export class ModJkDriver implements LbDriver {
  private readonly target: HttpTarget;
  private readonly timeoutMs: number;

  constructor(private readonly options: ModJkDriverOptions) {
    this.target = httpTarget(options.url);
    this.timeoutMs = options.timeoutMs;
  }

  /** `vwa=1`: disabled, only requests of its own sessions. */
  async drain(member: string, signal?: AbortSignal): Promise<void> {
    await this.update(member, '1', signal);
  }

  /**
   * `vwa=2`: stopped, no requests at all. mod_jk has no call to cut open connections, so `shutdownSessions` changes
   * nothing.
   */
  async disable(member: string, _shutdownSessions: boolean, signal?: AbortSignal): Promise<void> {
    await this.update(member, '2', signal);
  }

  /** `vwa=0`: active. */
  async enable(member: string, signal?: AbortSignal): Promise<void> {
    await this.update(member, '0', signal);
  }

  /** `cmd=show&mime=prop&w=<lb>&sw=<member>`: activation, state and busy of the member. */
  async state(member: string, signal?: AbortSignal): Promise<MemberState> {
    const props = await this.call({ cmd: 'show', mime: 'prop', w: this.options.balancer, sw: member }, member, signal);
    const s = jkMemberState(props, member);
    if (!s) throw await this.unknownMember(member, signal);
    return s;
  }

  /** Every member of the lb worker. */
  async members(signal?: AbortSignal): Promise<Map<string, MemberState>> {
    const props = await this.call({ cmd: 'show', mime: 'prop', w: this.options.balancer }, null, signal);
    const out = new Map<string, MemberState>();
    for (const m of jkMembers(props, this.options.balancer))
      out.set(m, jkMemberState(props, m) ?? { state: 'UNKNOWN', raw: '', sessions: null });
    return out;
  }

  /** Nothing to release. */
  async close(): Promise<void> {}

  private async update(member: string, vwa: '0' | '1' | '2', signal?: AbortSignal): Promise<void> {
    await this.call({ cmd: 'update', mime: 'prop', w: this.options.balancer, sw: member, vwa }, member, signal);
  }

  /** One GET; throws on HTTP errors and on `result.type=ERROR` (the status worker answers 200 even then). */
  private async call(params: Record<string, string>, member: string | null, signal?: AbortSignal): Promise<JkProps> {
    const url = new URL(this.target.url.href);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const headers: Record<string, string> = this.target.authorization
      ? { Authorization: this.target.authorization }
      : {};
    const shown = this.options.shownUrl ?? this.target.url.href;
    this.options.onRequest?.(shown, `GET ${shown}?${new URLSearchParams(params).toString()}`);
    const r = await httpRequest(url, { method: 'GET', headers }, this.timeoutMs, signal);
    if (r.status !== 200)
      throw new Error(
        `mod_jk status worker GET ${url.href} answered HTTP ${r.status}` +
          `${r.status === 401 || r.status === 403 ? ' (access denied)' : ''}`,
      );
    const props = parseJkProps(r.text);
    const result = jkResult(props);
    if (!result)
      throw new Error(
        `mod_jk status worker at ${this.target.url.href} did not answer in mime=prop format (is this ` +
          `the status worker URL?)`,
      );
    if (result.type !== 'OK') {
      if (member !== null && /could not find sub worker/i.test(result.message))
        throw await this.unknownMember(member, signal);
      throw new Error(`mod_jk status worker GET ${url.href}: ${result.type}: ${result.message}`);
    }
    return props;
  }

  private async unknownMember(member: string, signal?: AbortSignal): Promise<Error> {
    let known = '';
    try {
      known = ` (members: ${[...(await this.members(signal)).keys()].join(', ') || 'none'})`;
    } catch {
      // keep the plain message
    }
    return new Error(`mod_jk lb worker \`${this.options.balancer}\` has no member \`${member}\`${known}`);
  }
}
