import type { Clock } from '../execute/context.js';
import { EVENTS_FORMAT_VERSION } from '../execute/events.js';
import { probePasses, readHttpProbe } from '../execute/http-probe.js';
import type { LbDriver, MemberState } from '../execute/lb/driver.js';
import { commandMemberState } from '../execute/lb/member-state.js';
import { enableAndWaitUp } from '../execute/lb/wait-up.js';
import { inStep } from '../execute/step-scope.js';
import type { Transport } from '../execute/transport.js';
import type { Plan, PlanNode, ReconcileNodeSteps } from '../plan/types.js';
import { Journal, listRuns, nodeRecords, readEvents } from './journal.js';
import { isRunLive } from './liveness.js';
import { runPlannedCommand } from './step-exec.js';

/** A node an earlier run took out of the load balancer and did not put back. */
export interface LeftOut {
  node: string;
  member: string;
  runId: string;
  runDir: string;
  /** The last load-balancer state that run recorded. */
  lb: 'draining' | 'out' | 'enabled';
  /** The earlier run applied its change to the node. */
  updated: boolean;
  /** The run that left it out is still running on this host: it owns the node, nobody else touches it. */
  live: boolean;
}

/** What reconciling did for one node. */
interface ReconcileResult {
  node: string;
  runId: string;
  action: 'put-back' | 'left-out';
  /** The plan step whose result decided it, or null (a node a live run holds is not even read). */
  stepId: string | null;
  /** Every plan step it ran for this node, in order (empty when it was not touched). */
  stepIds: string[];
  detail: string;
}

/** Finds, from the run records, every node of this cluster whose latest run left it out of the load balancer. */
export function findLeftOut(plan: Plan, env: Readonly<Record<string, string | undefined>>): LeftOut[] {
  if (plan.loadBalancer.type === 'none') return [];
  const pending = new Set(plan.nodes.map((n) => n.name));
  const out: LeftOut[] = [];
  for (const { dir, meta } of listRuns(env)) {
    const mine = meta.nodes.filter((n) => pending.has(n));
    if (mine.length === 0) continue;
    let events;
    try {
      events = readEvents(dir);
    } catch {
      continue;
    }
    for (const r of nodeRecords(events, mine).values()) {
      if (r.lb === null) continue;
      pending.delete(r.node);
      if (r.lb === 'up') continue;
      const node = plan.nodes.find((n) => n.name === r.node);
      const live =
        meta.status === 'running' && meta.pid !== null && isRunLive({ host: meta.host, pid: meta.pid }) === true;
      out.push({
        node: r.node,
        member: node?.member ?? r.node,
        runId: meta.runId,
        runDir: dir,
        lb: r.lb,
        updated: r.okSteps.some((id) => /-apply$/.test(id)),
        live,
      });
    }
    if (pending.size === 0) break;
  }
  return out;
}

/**
 * What reconciling needs: transports, the LB driver (null for a command load balancer: the plan's commands put it
 * back), secrets and a clock.
 */
interface ReconcileDeps {
  transportFor(node: PlanNode): Transport;
  lbTransport: Transport;
  lb: LbDriver | null;
  secrets?: Readonly<Record<string, string>>;
  clock: Clock;
  signal: AbortSignal;
}

/**
 * Puts back every left-out node that is running and healthy (and says why the others stay out); records it in that
 * run's record.
 */
export async function reconcile(
  plan: Plan,
  leftOut: readonly LeftOut[],
  deps: ReconcileDeps,
): Promise<ReconcileResult[]> {
  const results: ReconcileResult[] = [];
  for (const l of leftOut) {
    const node = plan.nodes.find((n) => n.name === l.node);
    const steps = plan.cluster.reconcile.find((r) => r.node === l.node);
    if (!node || !steps) continue;
    const ran: string[] = [];
    const left = (stepId: string | null, detail: string): number =>
      results.push({ node: l.node, runId: l.runId, action: 'left-out', stepId, stepIds: ran, detail });
    if (l.live) {
      left(null, `is out of the load balancer for run ${l.runId}, which is still running on this host: not touched`);
      continue;
    }
    const health = await healthy(steps, deps.transportFor(node), deps, ran);
    if (health !== null) {
      left(health.stepId, `left out of the load balancer by run ${l.runId}; not put back: ${health.why}`);
      continue;
    }
    try {
      const seen = await putBack(steps, l.member, deps, ran);
      const journal = Journal.open(l.runDir);
      journal.record({
        kind: 'lb-state',
        node: l.node,
        member: l.member,
        state: 'up',
        v: EVENTS_FORMAT_VERSION,
        at: deps.clock.iso(),
      });
      journal.close();
      results.push({
        node: l.node,
        runId: l.runId,
        action: 'put-back',
        stepId: steps.putBack.id,
        stepIds: ran,
        detail:
          `left out of the load balancer by run ${l.runId} (${l.updated ? 'updated' : 'not updated'}` +
          `); healthy, so it was put back and is UP` +
          `${plan.loadBalancer.instances.length > 1 && seen ? ` (${seen})` : ''}`,
      });
    } catch (err) {
      left(steps.putBack.id, `left out by run ${l.runId}; putting it back failed: ${(err as Error).message}`);
    }
  }
  return results;
}

/** null when the node's app server runs and its health probe passes, else why not (and the step that said so). */
async function healthy(
  steps: ReconcileNodeSteps,
  transport: Transport,
  deps: ReconcileDeps,
  ran: string[],
): Promise<{ stepId: string; why: string } | null> {
  const options = { signal: deps.signal, ...(deps.secrets ? { secrets: deps.secrets } : {}) };
  if (steps.app) {
    ran.push(steps.app.id);
    const r = await runPlannedCommand(transport, steps.app, options);
    if (r.exitCode !== 0) return { stepId: steps.app.id, why: 'its app server is not running' };
  }
  if (steps.http) {
    ran.push(steps.http.id);
    const answer = readHttpProbe(await runPlannedCommand(transport, steps.http, options));
    if (!probePasses(answer, { status: steps.status }))
      return { stepId: steps.http.id, why: `its health probe answers ${answer.answered ? answer.found : 'nothing'}` };
  }
  return null;
}

/**
 * Puts the member back (in every instance) and waits until it is settled UP; returns what the load balancer said then.
 */
async function putBack(
  steps: ReconcileNodeSteps,
  member: string,
  deps: ReconcileDeps,
  ran: string[],
): Promise<string | null> {
  const options = { signal: deps.signal, ...(deps.secrets ? { secrets: deps.secrets } : {}) };
  ran.push(steps.putBack.id, steps.waitUp.id);
  const lb = deps.lb;
  const enable = lb
    ? (): Promise<void> => inStep(steps.putBack.id, () => lb.enable(member, deps.signal))
    : async (): Promise<void> => {
        const r = await runPlannedCommand(deps.lbTransport, steps.putBack, options);
        if (!r.ok)
          throw new Error(`the enable command failed: ${r.stderrTail || r.detail || `exit ${String(r.exitCode)}`}`);
      };
  const read = lb
    ? (): Promise<MemberState> => inStep(steps.waitUp.id, () => lb.state(member, deps.signal))
    : async (): Promise<MemberState> => {
        const r = await runPlannedCommand(deps.lbTransport, steps.waitUp, options);
        return r.ok ? commandMemberState(r.stdout) : { state: 'UNKNOWN', raw: r.detail ?? '', sessions: null };
      };
  const poll = steps.pollSec * 1000;
  const r = await enableAndWaitUp(enable, read, {
    clock: deps.clock,
    signal: deps.signal,
    timeoutMs: steps.waitUp.timeoutSec * 1000,
    pollMs: poll,
    fastPollMs: poll,
    fastForMs: 0,
  });
  if (!r.up) throw new Error(`the load balancer did not report ${member} UP in time`);
  return r.last;
}
