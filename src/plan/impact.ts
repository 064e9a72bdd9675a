import type { Change } from '../playbook/playbook.generated.js';
import { formatSeconds } from './duration.js';
import type { Batch, Estimate, PlanLoadBalancer } from './types.js';

/** Changes users can see while some nodes have them and others do not. */
const VISIBLE = new Set([
  'module',
  'theme',
  'fixpack',
  'hotfix',
  'fixpack-revert',
  'portal-properties',
  'osgi-config',
  'custom',
]);

/** What users will notice during the run, in plain sentences. */
export function userImpact(
  changes: readonly Change[],
  lb: PlanLoadBalancer,
  batches: readonly Batch[],
  clusterSize: number,
  strategy: 'rolling' | 'full',
  estimate: Estimate,
): string[] {
  const out: string[] = [];
  const down = `about ${formatSeconds(estimate.downtimeSec)} expected`;
  if (strategy === 'full') {
    out.push(
      `Full restart — DOWNTIME: the site is down from the first stop until the first node is back in ` +
        `the load balancer, ${down} (all ${clusterSize} nodes are stopped together).`,
    );
  } else {
    const largest = Math.max(0, ...batches.map((b) => b.nodes.length));
    const allOut = batches.find((b) => b.nodes.length >= clusterSize);
    if (allOut)
      out.push(
        `DOWNTIME: batch ${allOut.index} takes all ${clusterSize}` +
          ` nodes out of the load balancer at once (minHealthy 0): the site is down from the ` +
          `stops until the first node is back, ${down}.`,
      );
    else
      out.push(
        `Capacity: at most ${largest} of ${clusterSize} node(s) out of the load balancer at a time; ` +
          `each about ${formatSeconds(estimate.outOfRotationSec)}.`,
      );
  }
  if (lb.type === 'none') {
    out.push(
      'No load balancer: requests that reach a stopped node fail. Route traffic around the nodes ' +
        'yourself, or configure `loadBalancer`.',
    );
  } else if (strategy === 'full') {
    out.push(
      `Sessions: every node is drained (${drainLimit(lb)}` +
        `) and stopped, so every user loses their HTTP session and must log in again unless sessions ` +
        `are replicated outside the cluster ("Remember Me" users stay logged in). Unsaved in-memory ` +
        `state, such as auto-saved editor drafts, is lost.`,
    );
  } else {
    const hard =
      lb.drainWaitSec === null && lb.onDrainTimeout === 'fail' ? 'the node fails' : 'the member is taken out hard';
    out.push(
      `Sessions: a drained node keeps serving its sticky sessions for ${drainLimit(lb)}; then ${hard}` +
        `, and users still on it are sent to another node and must log in again unless HTTP session ` +
        `replication is configured ("Remember Me" users stay logged in). Unsaved in-memory state, such ` +
        `as auto-saved editor drafts, is lost.`,
    );
  }
  if (strategy === 'rolling' && batches.length > 1 && changes.some((c) => VISIBLE.has(c.type))) {
    out.push(
      'Mixed versions while rolling: until the last batch is done, updated and not-yet-updated nodes ' +
        'serve side by side; UI changes appear only on updated nodes and a fixed bug persists on the ' +
        'others. Sticky sessions keep each user on one version.',
    );
  }
  out.push(
    'First requests after a node starts are slow while its caches fill; it is back to full speed ' +
      'within minutes of normal use.',
  );
  return out;
}

/**
 * How long draining lasts at most, in words: the drain timeout, or the fixed wait of a load balancer that cannot count
 * sessions.
 */
function drainLimit(lb: PlanLoadBalancer): string {
  return lb.drainWaitSec === null
    ? `up to ${formatSeconds(lb.drainTimeoutSec)}`
    : `a fixed ${formatSeconds(lb.drainWaitSec)} (the load balancer cannot count sessions)`;
}
