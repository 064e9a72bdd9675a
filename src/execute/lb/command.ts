import { renderTemplate, type TemplateScope, type TemplateVar } from '../../domain/template.js';
import type { PlanLoadBalancer } from '../../plan/types.js';
import { LbError, LrrollError } from '../../errors/errors.js';
import type { Transport } from '../transport.js';
import type { LbDriver, MemberState } from './driver.js';
import { commandMemberState, parseSessionsOutput } from './member-state.js';

/** Options of {@link CommandDriver}. */
interface CommandDriverOptions {
  /** The plan's load balancer (type `command`). */
  lb: PlanLoadBalancer;
  /** Where the commands run: the `via` host, or locally. */
  transport: Transport;
  /** Members to list in `members()` besides the values of `lb.members` (e.g. every node's member from the plan). */
  members?: readonly string[];
  /**
   * Full template scope per member (the node's scope from the plan), for status commands that use more than `member`
   * and `node`.
   */
  scopes?: ReadonlyMap<string, TemplateScope>;
  /** Values of the secret environment variables the commands reference. */
  secrets?: Readonly<Record<string, string>>;
  /** Deadline of one command in milliseconds (the plan's `commandTimeoutSec`). */
  timeoutMs: number;
}

// During a run the executor runs the plan's LB steps, which carry the drain/disable/enable
// commands rendered per node. This driver serves what happens outside a run's steps — `lrroll
// status`, and putting back a node an earlier run left out (reconcile) — by rendering the same
// templates per member. Templates may use `{{ member }}` and `{{ node }}` (the node is known only
// through `lb.members`); other variables need `scopes`.

/** The `type: command` load balancer outside a run's steps: runs the playbook's command templates per member. */
export class CommandDriver implements LbDriver {
  private readonly timeoutMs: number;

  constructor(private readonly options: CommandDriverOptions) {
    if (options.lb.type !== 'command' || !options.lb.commands)
      throw new Error('CommandDriver needs a load balancer of type `command`');
    this.timeoutMs = options.timeoutMs;
  }

  /** Runs the `drain` command for the member. */
  async drain(member: string, signal?: AbortSignal): Promise<void> {
    await this.run(this.commands().drain, member, signal, 'drain');
  }

  /** Runs the `disable` command (the hard step); without one, the member cannot be taken out hard. */
  async disable(member: string, _shutdownSessions: boolean, signal?: AbortSignal): Promise<void> {
    const disable = this.commands().disable;
    if (disable === null)
      throw new Error(`the command load balancer has no \`disable\` command: \`${member}\` cannot be taken out hard`);
    await this.run(disable, member, signal, 'disable');
  }

  /** Runs the `enable` command: puts the member back into rotation. */
  async enable(member: string, signal?: AbortSignal): Promise<void> {
    await this.run(this.commands().enable, member, signal, 'enable');
  }

  /** Runs the `status` command (and `sessions`, when configured) for the member. */
  async state(member: string, signal?: AbortSignal): Promise<MemberState> {
    const c = this.commands();
    const raw = await this.run(c.status, member, signal);
    const sessions = c.sessions ? parseSessionsOutput(await this.run(c.sessions, member, signal, 'sessions')) : null;
    return commandMemberState(raw, sessions);
  }

  /**
   * The members named in `lb.members` and `options.members`, each with its state (a failing member shows UNKNOWN with
   * the error as `raw`).
   */
  async members(signal?: AbortSignal): Promise<Map<string, MemberState>> {
    const names = [...new Set([...Object.values(this.options.lb.members), ...(this.options.members ?? [])])];
    if (names.length === 0)
      throw new Error(
        'the command load balancer cannot list its members: name them under `loadBalancer.members` ' +
          "(or pass the plan's members)",
      );
    const out = new Map<string, MemberState>();
    for (const m of names) {
      try {
        out.set(m, await this.state(m, signal));
      } catch (e) {
        if (signal?.aborted) throw e;
        out.set(m, { state: 'UNKNOWN', raw: (e as Error).message, sessions: null });
      }
    }
    return out;
  }

  /** Nothing to release: the transport belongs to the caller. */
  async close(): Promise<void> {}

  private commands(): NonNullable<PlanLoadBalancer['commands']> {
    return this.options.lb.commands as NonNullable<PlanLoadBalancer['commands']>;
  }

  private scope(member: string): TemplateScope {
    const given = this.options.scopes?.get(member);
    if (given) return given;
    const plain = (value: string): TemplateVar => ({ value, secretEnv: [] });
    const node = Object.entries(this.options.lb.members).find(([, m]) => m === member)?.[0] ?? member;
    return new Map([
      ['member', plain(member)],
      ['node', plain(node)],
    ]);
  }

  private async run(template: string, member: string, signal?: AbortSignal, what = 'status'): Promise<string> {
    const r = renderTemplate(template, this.scope(member), 'shell');
    if (r.missing.length > 0)
      throw new Error(
        `the ${what} command uses ${r.missing.map((n) => `{{ ${n} }}`).join(', ')}` +
          `, which lrroll cannot fill in outside a run's steps (only member and node)`,
      );
    const env: Record<string, string> = {};
    for (const name of r.secretEnv) {
      const v = this.options.secrets?.[name];
      if (v === undefined)
        throw new LrrollError(
          'E_SECRET_MISSING',
          `the ${what} command needs the secret \${${name}}, which was not given`,
          `export ${name} before running lrroll`,
        );
      env[name] = v;
    }
    const res = await this.options.transport.exec(r.text, {
      timeoutMs: this.timeoutMs,
      become: this.options.lb.via?.become ?? false,
      ...(r.secretEnv.length ? { env } : {}),
      ...(signal ? { signal } : {}),
    });
    if (res.aborted) throw signal?.reason instanceof Error ? signal.reason : new Error('aborted');
    if (res.timedOut)
      throw new LbError(
        `\`${r.text}\` did not finish within ${this.timeoutMs} ms on ${this.options.transport.describe}`,
      );
    if (res.exitCode !== 0)
      throw new LbError(
        `\`${r.text}\` failed on ${this.options.transport.describe} (exit ${res.exitCode ?? 'none'})` +
          `${res.stderr.trim() ? `: ${res.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
      );
    return res.stdout;
  }
}
