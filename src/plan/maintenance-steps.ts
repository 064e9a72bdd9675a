// What `lrroll clean` and `lrroll facts` run on each node, as plan steps like the lock's and
// status's: shown by `lrroll plan --full`, run through the one step runner, timed from the
// defaults table. They cover every node of the inventory; `clean` runs those of the nodes the
// plan changes, `facts` those of the nodes asked for.
import { CLUSTER_TIMINGS } from './defaults.js';
import { parseDuration } from './duration.js';
import { factsCommand } from './facts-commands.js';
import { lrrollDir } from '../domain/footprint.js';
import { footprintCommand, pruneCommand } from './hygiene.js';
import type { ResolvedNode } from './nodes.js';
import type { CleanNodeSteps, ClusterAction, ClusterStep, Placeholder } from './types-cluster.js';

function step(
  section: string,
  node: ResolvedNode,
  action: ClusterAction,
  title: string,
  command: string,
  timeout: string,
  placeholders: Placeholder[] = [],
): ClusterStep {
  // With the rights the run's own steps write with there (its prune and reads use the same).
  return {
    id: `cluster/${section}/${node.plan.name}/${action}`,
    action,
    title,
    node: node.plan.name,
    runOn: 'node',
    command,
    api: null,
    become: node.become,
    secretEnv: [],
    placeholders,
    timeoutSec: parseDuration(timeout),
    when: null,
  };
}

/** `lrroll clean` on one node: read the footprint, then (after confirmation) keep the last `{keep}` runs. */
export function cleanSteps(node: ResolvedNode): CleanNodeSteps {
  const home = node.plan.liferayHome;
  const dir = lrrollDir(home);
  return {
    node: node.plan.name,
    footprint: step(
      'clean',
      node,
      'read-footprint',
      `size of the backups and staged files in ${dir}`,
      footprintCommand(home),
      CLUSTER_TIMINGS.cleanTimeout,
    ),
    prune: step(
      'clean',
      node,
      'prune',
      `keep the backups and staged files of the last {keep} run(s) in ${dir}, remove older ones`,
      pruneCommand({ liferayHome: home, thisRun: false, staged: [], keep: '{keep}' }),
      CLUSTER_TIMINGS.cleanTimeout,
      ['keep'],
    ),
  };
}

/** `lrroll facts` on one node: one read-only command printing every fact. */
export function factsStep(node: ResolvedNode): ClusterStep {
  return step(
    'facts',
    node,
    'read-facts',
    `facts of ${node.plan.name} (Java, app server, patches, modules)`,
    factsCommand({ liferayHome: node.plan.liferayHome, tomcatHome: node.plan.tomcatHome }),
    CLUSTER_TIMINGS.factsTimeout,
  );
}
