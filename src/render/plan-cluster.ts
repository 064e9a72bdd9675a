import type { ChalkInstance } from 'chalk';
import { formatSeconds } from '../plan/duration.js';
import type { ClusterStep, Plan } from '../plan/types.js';

// The plan's steps around the batches, for `lrroll plan`: the lock and the reconcile before the
// first batch, the lock's release after the last, and what `status` and `unlock` read and do.
// `{name}` placeholders are shown as they are: their values exist only when the run starts.

/** The lock and the reconcile, first in "Before the first batch". */
export function clusterBefore(plan: Plan, c: ChalkInstance, full: boolean): string[] {
  const lock = plan.cluster.lock;
  const lines = [
    `  take the cluster's run lock on every node of the inventory, in this order, as owner ` +
      `${c.cyan('{owner}')} ` +
      c.dim(
        `(≤ ${formatSeconds(lock.nodes[0]?.take.timeoutSec ?? 0)} each; stale after ` +
          `${formatSeconds(lock.staleAfterSec)} without a refresh; --lock-wait retries every ` +
          `${short(lock.waitPollSec.min)}–${short(lock.waitPollSec.max)}` +
          `; a lock another run holds is never broken, and what was taken is given back)`,
      ),
    ...lock.nodes.map((n, i) => `    ${String(i + 1).padStart(2, '0')} ${c.cyan(n.node)} ${n.dir}`),
  ];
  if (full) lines.push(...lock.nodes.flatMap((n) => [n.take, n.takeOver].map((s) => clusterStepLine(s, c, '      '))));
  else lines.push(...clusterCommand(lock.nodes[0]?.take ?? null, c, `    ${c.dim('each:')}`));
  if (plan.cluster.reconcile.length === 0) return lines;
  lines.push(
    `  reconcile: every node an earlier run left out of the load balancer is put back ` +
      `${c.yellow('only at run time, when')} that run no longer runs and the node's app ` +
      `server runs and its probe passes; otherwise it stays out and the run says why`,
  );
  for (const r of plan.cluster.reconcile) {
    const steps = [r.app, r.http, r.putBack, r.waitUp].filter((s): s is ClusterStep => s !== null);
    if (full) lines.push(`    ${c.cyan(r.node)}`, ...steps.map((s) => clusterStepLine(s, c, '      ')));
    else lines.push(`    ${c.cyan(r.node)}: ${steps.map((s) => s.title).join(' · ')}`);
  }
  return lines;
}

/** The lock's release, last in "After the last batch". */
export function clusterAfter(plan: Plan, c: ChalkInstance, full: boolean): string[] {
  const lock = plan.cluster.lock;
  const lines = [
    `  release the cluster's run lock on every node where run ${c.cyan('{runId}')} holds it ` +
      c.dim(
        `(also when the run fails or is interrupted; while held it is refreshed every ` +
          `${formatSeconds(lock.refreshSec)}, and a run whose lock was broken or taken ` +
          `stops like on Ctrl-C)`,
      ),
  ];
  if (full) lines.push(...lock.nodes.flatMap((n) => [n.refresh, n.release].map((s) => clusterStepLine(s, c, '    '))));
  else lines.push(...clusterCommand(lock.nodes[0]?.release ?? null, c, `    ${c.dim('each:')}`));
  return lines;
}

/** What `lrroll status` and `lrroll unlock` read and do (they change nothing else). */
export function clusterReads(plan: Plan, c: ChalkInstance, full: boolean): string[] {
  const lines = [
    c.bold('Read by lrroll status and lrroll unlock') +
      c.dim(' (status changes nothing; unlock breaks the lock after confirmation)'),
  ];
  // A plan recorded before status's load-balancer reads were steps has none.
  const lbReads = plan.cluster.statusLb ?? [];
  const group = (name: string, steps: ClusterStep[]): string[] =>
    full
      ? [`  ${c.cyan(name)}`, ...steps.map((x) => clusterStepLine(x, c, '    '))]
      : [`  ${c.cyan(name)}: ${steps.map((x) => x.title).join(' · ')}`];
  for (const s of plan.cluster.status) {
    const lock = plan.cluster.lock.nodes.find((n) => n.node === s.node);
    // A command load balancer is read per node, with the node's own status (and sessions) command.
    const member = lbReads.filter((x) => x.node === s.node && x.action !== 'read-lb-members');
    const steps = [lock?.read, s.app, s.http, s.patches, ...member, lock?.break].filter((x): x is ClusterStep => !!x);
    lines.push(...group(s.node, steps));
  }
  const instances = lbReads.filter((x) => x.action === 'read-lb-members');
  if (instances.length > 0) lines.push(...group('load balancer', instances));
  return full ? [...lines, ...maintenanceReads(plan, c), ...diffReads(plan, c)] : lines;
}

/** What `lrroll diff` reads on each node the plan changes (`--full` only: not part of a run). */
function diffReads(plan: Plan, c: ChalkInstance): string[] {
  const nodes = (plan.cluster.diff ?? []).filter((d) => d.reads.length > 0);
  if (nodes.length === 0) return [];
  return [
    c.bold('Read by lrroll diff') +
      c.dim(' (changes nothing; reads with the rights the change writes with, on the nodes the plan changes)'),
    ...nodes.flatMap((d) => [
      `  ${c.cyan(d.node)}`,
      ...d.reads.flatMap((r) => [r.now, r.after]).flatMap((x) => (x ? [clusterStepLine(x, c, '    ')] : [])),
    ]),
  ];
}

/** What `lrroll clean` and `lrroll facts` run on each node (`--full` only: they are not part of a run). */
function maintenanceReads(plan: Plan, c: ChalkInstance): string[] {
  const lines = [
    c.bold('Run by lrroll clean and lrroll facts') +
      c.dim(
        ' (facts changes nothing; clean removes after confirmation, holding the run lock, on the ' +
          'nodes the plan changes)',
      ),
  ];
  for (const f of plan.cluster.facts) {
    const clean = plan.cluster.clean.find((x) => x.node === f.node);
    const steps = [clean?.footprint, clean?.prune, f].filter((x): x is ClusterStep => !!x);
    lines.push(`  ${c.cyan(f.node)}`, ...steps.map((x) => clusterStepLine(x, c, '    ')));
  }
  return lines;
}

function clusterStepLine(s: ClusterStep, c: ChalkInstance, indent: string): string {
  const where = s.runOn === 'node' ? '' : c.dim(` [${s.runOn}]`);
  const lines = [
    `${indent}${s.title}${where}${c.dim(` (≤ ${formatSeconds(s.timeoutSec)})`)}${s.become ? c.dim(' [sudo]') : ''}`,
  ];
  if (s.when) lines.push(`${indent}  ${c.yellow('when:')} ${s.when}`);
  if (s.api) lines.push(`${indent}  ${c.magenta('api>')} ${s.api}`);
  if (s.command) lines.push(...s.command.split('\n').map((l, i) => `${indent}  ${c.dim(i === 0 ? '$' : ' ')} ${l}`));
  return lines.join('\n');
}

function clusterCommand(s: ClusterStep | null, c: ChalkInstance, prefix: string): string[] {
  if (!s?.command) return [];
  const lines = s.command.split('\n');
  return [
    `${prefix} ${c.dim('$')} ${lines.join('; ').slice(0, 100)}… ` +
      `${c.dim(`(${lines.length} lines; --full shows every node's)`)}`,
  ];
}

/** Seconds for people, keeping sub-second values (`200ms`). */
function short(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)}ms` : formatSeconds(seconds);
}
