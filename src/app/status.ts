import { shownState } from '../execute/lb/instances.js';
import type { Emit, EventInput, NodeStatusRow } from '../execute/events.js';
import { readHttpProbe } from '../execute/http-probe.js';
import { maskDeep, maskingEmit, secretMask } from '../execute/secrets.js';
import type { Transport } from '../execute/transport.js';
import type { Plan, PlanNode } from '../plan/types.js';
import { readClusterLock } from './cluster-lock.js';
import { planLbDriver, planSecrets, sshSettings, TransportPool, type Transports } from './execute.js';
import { describeHolder, type HeldLock } from './lock.js';
import { findLeftOut } from './reconcile.js';
import { runPlannedCommand } from './step-exec.js';
import { readLbMembers, type InstanceMembers } from './status-lb.js';
import type { SshFiles } from './ssh-files.js';

/** Reads every node's state and its load-balancer member without changing anything (no reconcile, no lock). */
export async function readStatus(
  plan: Plan,
  env: Readonly<Record<string, string | undefined>>,
  emit: Emit = () => undefined,
  sshFiles?: SshFiles,
  transports?: Transports,
): Promise<NodeStatusRow[]> {
  const pool = transports ?? new TransportPool(sshSettings(env, false, sshFiles), env);
  const lbTransport = pool.forLb(plan);
  const secrets = planSecrets(plan, env);
  // A command load balancer is read with the plan's own commands (readLbMembers), not a driver.
  const lb = planLbDriver(plan, pool, secrets);
  // A load balancer's error can quote its URL, which may hold a secret: nothing printed carries one.
  const mask = secretMask(Object.values(secrets));
  const masked = maskingEmit(emit, mask);
  try {
    for (const l of findLeftOut(plan, env)) {
      const owner = l.live
        ? `run ${l.runId}, which is still running on this host`
        : `run ${l.runId}, which ended or was interrupted; the next ` +
          `\`lrroll run\` or \`lrroll resume\` puts it back once it is healthy`;
      masked({
        kind: 'reconcile',
        node: l.node,
        runId: l.runId,
        result: l.live ? 'left-out' : 'pending',
        stepId: null,
        stepIds: [],
        text: `note: ${l.node} was left out of the load balancer by ${owner}`,
      });
    }
    const [members, locks] = await Promise.all([
      readLbMembers(plan, lb, lbTransport, secrets),
      readClusterLock(plan, (n) => pool.forNode(n)),
    ]);
    for (const e of describeLocks(locks)) masked(e);
    // --limit shows the nodes it names: the plan holds the others' steps for no one.
    const shown = plan.limit ? plan.nodes.filter((n) => plan.limit?.includes(n.name)) : plan.nodes;
    const rows = maskDeep(
      await Promise.all(shown.map((n) => readNode(plan, n, pool.forNode(n), members, secrets))),
      mask,
    );
    for (const row of rows) masked({ kind: 'node-status', row });
    return rows;
  } finally {
    await lb?.close().catch(() => undefined);
    await pool.closeAll();
  }
}

/** One `held` event per run that holds the cluster lock, naming the nodes it holds it on. */
function describeLocks(
  locks: Awaited<ReturnType<typeof readClusterLock>>,
): Array<Extract<EventInput, { kind: 'lock' }>> {
  const byHolder = new Map<string, { held: HeldLock; nodes: string[]; stepId: string; stepIds: string[] }>();
  for (const l of locks) {
    if (!l.held) continue;
    const key = l.held.owner?.runId ?? '?';
    const entry = byHolder.get(key) ?? { held: l.held, nodes: [], stepId: l.node.steps.read.id, stepIds: [] };
    entry.nodes.push(l.node.steps.node);
    entry.stepIds.push(l.node.steps.read.id);
    byHolder.set(key, entry);
  }
  return [...byHolder.values()].map((e) => ({
    kind: 'lock',
    state: 'held',
    nodes: e.nodes,
    stepId: e.stepId,
    stepIds: e.stepIds,
    holder: e.held.owner?.runId ?? null,
    text: `note: the cluster is locked (on ${e.nodes.join(', ')}) by ${describeHolder(e.held)}`,
  }));
}

/** The member's state in each instance, and over all of them. */
function memberStates(
  member: string,
  lbs: readonly InstanceMembers[],
): Pick<NodeStatusRow, 'lbState' | 'lbStates' | 'lbUp' | 'sessions'> {
  if (lbs.length === 0) return { lbState: '-', lbStates: [], lbUp: false, sessions: '-' };
  // An instance that could not be read shows `?`; why is said once, under the table (lbError).
  const each = lbs.map((l) => ({
    name: l.instance,
    state:
      typeof l.members === 'string'
        ? { state: 'UNKNOWN' as const, raw: '?', sessions: null }
        : (l.members.get(member) ?? { state: 'UNKNOWN' as const, raw: 'not found', sessions: null }),
  }));
  const all = shownState(each, lbs.length);
  return {
    lbState: all.raw,
    lbStates: each.map((e) => ({ instance: e.name, state: e.state.raw })),
    lbUp: all.state === 'UP',
    sessions: all.sessions === null ? '-' : String(all.sessions),
  };
}

/** Why the load balancer (each instance that failed, by name when there are several) could not be read, or null. */
function lbErrorOf(lbs: readonly InstanceMembers[]): string | null {
  const failed = lbs.filter((l): l is InstanceMembers & { members: string } => typeof l.members === 'string');
  if (failed.length === 0) return null;
  return failed.map((l) => (lbs.length > 1 ? `${l.instance}: ${l.members}` : l.members)).join('; ');
}

async function readNode(
  plan: Plan,
  n: PlanNode,
  transport: Transport,
  lbs: readonly InstanceMembers[],
  secrets: Readonly<Record<string, string>>,
): Promise<NodeStatusRow> {
  const member = n.member ?? n.name;
  const row: NodeStatusRow = {
    node: n.name,
    host: n.host,
    reachable: false,
    app: '?',
    http: '-',
    patches: '-',
    member: plan.loadBalancer.type === 'none' ? '-' : member,
    ...memberStates(member, lbs),
    problem: null,
    lbError: lbErrorOf(lbs),
  };
  try {
    await transport.connect();
    row.reachable = true;
  } catch (err) {
    row.problem = (err as Error).message;
    return row;
  }
  const steps = plan.cluster.status.find((x) => x.node === n.name);
  if (!steps) return row;
  if (steps.app)
    row.app = (await runPlannedCommand(transport, steps.app, { secrets })).exitCode === 0 ? 'running' : 'stopped';
  if (steps.http) {
    const answer = readHttpProbe(await runPlannedCommand(transport, steps.http));
    row.http = answer.status === null ? 'no answer' : String(answer.status);
  }
  const info = await runPlannedCommand(transport, steps.patches);
  row.patches = info.stdout.trim() || '-';
  return row;
}

/**
 * Formats the status rows as a table, one line per node; with several load-balancer instances, one state column per
 * instance (`LB <name>`).
 */
export function formatStatus(rows: readonly NodeStatusRow[]): string {
  const instances = rows[0]?.lbStates.map((s) => s.instance) ?? [];
  const perInstance = instances.length > 1;
  const head = [
    'NODE',
    'HOST',
    'SSH',
    'APP',
    'HTTP',
    'PATCHES',
    'LB MEMBER',
    ...(perInstance ? instances.map((i) => `LB ${i}`) : ['LB STATE']),
    'SESSIONS',
  ];
  const data = rows.map((r) => [
    r.node,
    r.host,
    r.reachable ? 'ok' : 'UNREACHABLE',
    r.app,
    r.http,
    r.patches,
    r.member,
    ...(perInstance ? r.lbStates.map((s) => s.state) : [r.lbState]),
    r.sessions,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...data.map((d) => (d[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  // The load balancer's error is the same for every row: said once, under the table.
  const lbErrors = [...new Set(rows.map((r) => r.lbError).filter((e): e is string => e !== null))].map(
    (e) => `load balancer: ${e}`,
  );
  const problems = [...rows.filter((r) => r.problem).map((r) => `${r.node}: ${r.problem}`), ...lbErrors];
  return `${[line(head), ...data.map(line)].join('\n')}\n${problems.length ? `\n${problems.join('\n')}\n` : ''}`;
}

/** Why the cluster is not all healthy and in rotation, one sentence per finding (empty when it is). */
export function statusProblems(rows: readonly NodeStatusRow[], hasLb: boolean): string[] {
  const out: string[] = [];
  const lbError = rows.find((r) => r.lbError !== null)?.lbError;
  if (hasLb && lbError) out.push('the load balancer could not be read, so no node is known to be in rotation');
  for (const r of rows) {
    if (!r.reachable) out.push(`${r.node} is not reachable over SSH`);
    else if (r.app === 'stopped') out.push(`${r.node}'s app server is not running`);
    else if (r.http !== '-' && !['200', '302'].includes(r.http)) out.push(`${r.node}'s HTTP probe answered ${r.http}`);
    if (hasLb && !lbError && !r.lbUp)
      out.push(
        `${r.node} is ${r.lbState === 'not found' ? 'not a member of' : `${r.lbState} in`} the load balancer, not UP`,
      );
  }
  return out;
}
