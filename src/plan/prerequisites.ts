import { EXPECTED, STEP_DEADLINES } from './defaults.js';
import type { ResolvedNode } from './nodes.js';
import { shq } from '../shell/quote.js';
import { makeStep } from './step.js';
import { programsOf, RUNTIME_TOOLS, type ProgramsCache } from './tools.js';
import type { CheckSudoStep, CheckToolsStep, Step } from './types.js';

/** Where programs live besides the login PATH (sudo's secure_path has them): tools run under sudo are found there. */
const SBIN = '/usr/local/sbin:/usr/sbin:/sbin';

/**
 * The node's prerequisites, checked once before anything changes: sudo (when any of its steps uses
 * it), then every program its commands use. `steps` are all the steps that will run on the node;
 * `around` the commands of its steps around the batches (the lock, the reconcile's reads).
 */
export function prerequisiteSteps(
  node: ResolvedNode,
  steps: readonly Step[],
  around: readonly string[] = [],
  cache?: ProgramsCache,
): Step[] {
  const n = node.plan.name;
  const out: Step[] = [];
  const sudo = steps.some((s) => s.become);
  if (sudo) out.push(sudoStep(node));
  const tools = [
    ...new Set([
      ...programsOf([...steps.flatMap((s) => nodeCommands(s, n)), ...around], cache).required,
      ...RUNTIME_TOOLS,
      ...(sudo ? ['sudo'] : []),
    ]),
  ].sort();
  out.push(
    makeStep<CheckToolsStep>({
      action: 'check-tools',
      node: n,
      title: `installed on the node: ${tools.join(', ')}`,
      runOn: 'node',
      command: toolsCommand(tools),
      tools,
      timeoutSec: STEP_DEADLINES.checkSec,
      expectSec: EXPECTED.checkSec,
    }),
  );
  return out;
}

function sudoStep(node: ResolvedNode): CheckSudoStep {
  const { becomeUser, becomePassword } = node.plan;
  const how = becomePassword ? `with the password from ${becomePassword}` : 'without a password (sudo -n)';
  return makeStep<CheckSudoStep>({
    action: 'check-sudo',
    node: node.plan.name,
    title: `sudo works as ${becomeUser ?? 'root'}, ${how}`,
    runOn: 'node',
    command: 'true',
    become: true,
    user: becomeUser,
    passwordFrom: becomePassword,
    timeoutSec: STEP_DEADLINES.checkSec,
    expectSec: EXPECTED.checkSec,
  });
}

/** Every shell command of a step that runs on `node`. */
function nodeCommands(s: Step, node: string): string[] {
  if (s.runOn !== 'node') return [];
  // The consistency check runs each node's own fingerprint on that node: the other nodes' commands are theirs to check
  // (reading them all on every node made planning quadratic in the cluster size).
  const extra =
    s.action === 'service-stop'
      ? [s.forceCommand, s.statusCommand, s.probeCommand]
      : s.action === 'backup'
        ? [s.restoreCommand]
        : s.action === 'apply'
          ? [s.revertCommand]
          : s.action === 'consistency-check'
            ? [s.fingerprintCommands[node]]
            : [];
  return [s.command, ...extra].filter((c): c is string => typeof c === 'string');
}

/**
 * Looks for every program (sbin folders included) and, when logs are followed, for `tail -F`; names what is missing.
 */
function toolsCommand(tools: readonly string[]): string {
  const lines = [
    `PATH="$PATH:${SBIN}"; missing=`,
    `for t in ${tools.map(shq).join(' ')}; do command -v "$t" >/dev/null 2>&1 || missing="$missing $t"; done`,
    `if [ -n "$missing" ]; then printf 'lrroll: not installed on this node:%s\\n' "$missing" >&2; exit 1; fi`,
  ];
  if (tools.includes('tail'))
    lines.push(
      `tail --help 2>&1 | grep -q -- '-F' || { echo 'lrroll: tail on this node has no -F (follow a ` +
        `log across rotation), which the startup-log wait needs' >&2; exit 1; }`,
    );
  return lines.join('\n');
}
