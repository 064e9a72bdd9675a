// The cluster's run lock as plan steps. On each node the lock is `<liferayHome>/.lrroll/lock/`,
// created with `mkdir` (atomic, so exactly one operator wins) and holding `owner` (who, where,
// which run), everything under `umask 077`. It is held on EVERY node of the inventory (not only
// the nodes --limit selects), taken one node at a time in an order fixed by the nodes' addresses
// and homes — not by how an inventory lists them — so two runs of the same cluster meet on the
// first node they share and only one gets past it.
import { shq } from '../shell/quote.js';
import { CLUSTER_TIMINGS } from './defaults.js';
import { parseDuration } from './duration.js';
import type { ClusterAction, ClusterStep, LockNodeSteps, Placeholder, PlanLock } from './types-cluster.js';
import type { PlanNode } from './types.js';

/** Every node of the inventory, in one fixed order (address, port, Liferay home), each node once. */
export function lockOrder(nodes: readonly PlanNode[]): PlanNode[] {
  const key = (n: PlanNode): string => `${n.host}\u0000${String(n.port ?? '')}\u0000${n.liferayHome}`;
  const seen = new Set<string>();
  return [...nodes]
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    .filter((n) => !seen.has(key(n)) && seen.add(key(n)) !== undefined);
}

/** Shell lines that print `age=<seconds since the owner record was refreshed>` and the record. */
const PRINT_HELD = [
  'now=$(date +%s); m=$(stat -c %Y "$d/owner" 2>/dev/null || echo "$now"); echo "age=$((now - m))"',
  'cat "$d/owner" 2>/dev/null; true',
];

/** A test that succeeds when the lock's owner record names the run in `$r`. */
const OWNED = `grep -qF "\\"runId\\":\\"$r\\"" "$d/owner" 2>/dev/null`;

/** The lock's steps on every node, in lock order, with its timings. */
export function lockSection(nodes: readonly PlanNode[]): PlanLock {
  return {
    nodes: lockOrder(nodes).map(lockSteps),
    staleAfterSec: parseDuration(CLUSTER_TIMINGS.lockStaleAfter),
    refreshSec: parseDuration(CLUSTER_TIMINGS.lockRefresh),
    waitPollSec: {
      min: parseDuration(CLUSTER_TIMINGS.lockWaitPollMin),
      max: parseDuration(CLUSTER_TIMINGS.lockWaitPollMax),
    },
  };
}

function lockSteps(node: PlanNode): LockNodeSteps {
  const dir = `${node.liferayHome}/.lrroll/lock`;
  const step = (
    action: ClusterAction,
    title: string,
    lines: string[],
    placeholders: Placeholder[],
    when: string | null = null,
  ): ClusterStep => ({
    id: `cluster/lock/${node.name}/${action}`,
    action,
    title,
    node: node.name,
    runOn: 'node',
    command: ['umask 077', `d=${shq(dir)}`, ...(placeholders.includes('runId') ? ['r={runId}'] : []), ...lines].join(
      '\n',
    ),
    api: null,
    become: false,
    secretEnv: [],
    placeholders,
    timeoutSec: parseDuration(CLUSTER_TIMINGS.lockTimeout),
    when,
  });
  return {
    node: node.name,
    dir,
    take: step(
      'lock-take',
      `take the run lock on ${node.name} (mkdir ${dir}, owner {owner})`,
      [
        'mkdir -p "$(dirname "$d")" || exit 2',
        `if mkdir "$d" 2>/dev/null; then printf '%s\\n' {owner} > "$d/owner" && echo ACQUIRED; exit 0; fi`,
        'echo HELD',
        ...PRINT_HELD,
      ],
      ['owner'],
    ),
    takeOver: step(
      'lock-take-over',
      `take over the lock on ${node.name} from the interrupted run {runId} being resumed`,
      [
        `if ${OWNED}; then printf '%s\\n' {owner} > "$d/owner.tmp" ` +
          `&& mv -f "$d/owner.tmp" "$d/owner" && echo TAKEN; fi`,
      ],
      ['owner', 'runId'],
      'resume only: the lock names this run and its process is gone',
    ),
    refresh: step(
      'lock-refresh',
      `refresh the run lock on ${node.name} (still run {runId}'s?)`,
      [`if ${OWNED}; then touch "$d/owner" && echo OURS; exit 0; fi`, 'echo LOST', ...PRINT_HELD],
      ['runId'],
      'while the run holds the lock, every refresh interval',
    ),
    release: step(
      'lock-release',
      `release the run lock on ${node.name} (if run {runId} holds it)`,
      [`if ${OWNED}; then rm -rf -- "$d"; fi`],
      ['runId'],
    ),
    read: step('lock-read', `read the run lock on ${node.name}`, ['[ -d "$d" ] || exit 0', ...PRINT_HELD], []),
    break: step(
      'lock-break',
      `break the run lock on ${node.name} (only while run {heldRunId} still holds it)`,
      [
        'h={heldRunId}',
        `if [ -d "$d" ] && if [ -n "$h" ]; then grep -qF "\\"runId\\":\\"$h\\"" "$d/owner" ` +
          `2>/dev/null; else ! grep -qF '"runId":"' "$d/owner" 2>/dev/null; fi; then rm -rf -- "$d"; fi`,
      ],
      ['heldRunId'],
      'lrroll unlock, after confirmation',
    ),
  };
}
