import type { ChalkInstance } from 'chalk';
import { formatSeconds } from '../plan/duration.js';
import type { Batch, NodePlan, Plan, Step } from '../plan/types.js';
import { clusterAfter, clusterBefore, clusterReads } from './plan-cluster.js';
import { verdictDetails, verdictHeadline } from './plan-verdict.js';

/** Options of the text view. */
interface PlanTextOptions {
  /**
   * Show every node's steps and every command in full (default: identical nodes grouped, commands cut to their first
   * line).
   */
  full: boolean;
  chalk: ChalkInstance;
}

/**
 * Renders a plan for people: the verdict (and any override) first, then the header, each change's verdict, impact,
 * estimate, preflight, batches and final steps.
 */
export function renderPlanText(plan: Plan, options: PlanTextOptions): string {
  const c = options.chalk;
  const out: string[] = [];
  out.push(
    ...verdictHeadline(plan, c),
    ...header(plan, c),
    '',
    ...verdictDetails(plan, c),
    '',
    c.bold('User impact'),
    ...plan.impact.map((l) => `  - ${l}`),
    '',
  );
  out.push(
    `${c.bold('Estimate')}: ~${formatSeconds(plan.estimate.expectedSec)} expected, ` +
      `${formatSeconds(plan.estimate.worstCaseSec)} at worst; each node out of rotation ~` +
      `${formatSeconds(plan.estimate.outOfRotationSec)}`,
    '',
  );
  out.push(c.bold('Preflight') + c.dim(' (before anything changes; uploads run on all nodes in parallel)'));
  out.push(...preflight(plan, c, options.full), '');
  out.push(
    c.bold('Before the first batch'),
    ...clusterBefore(plan, c, options.full),
    ...plan.beforeRun.map((s) => stepLine(s, c, options.full, '  ')),
    '',
  );
  const shown = new Map<string, string>();
  for (const b of plan.batches) out.push(...batch(plan, b, c, options.full, shown), '');
  out.push(
    c.bold('After the last batch (once)'),
    ...plan.finally.map((s) => stepLine(s, c, options.full, '  ')),
    ...clusterAfter(plan, c, options.full),
    '',
  );
  if (plan.onFailure.length > 0)
    out.push(c.bold('On failure'), ...plan.onFailure.map((s) => stepLine(s, c, options.full, '  ')), '');
  out.push(...clusterReads(plan, c, options.full), '');
  out.push(c.dim(`plan ${plan.hash} · format ${plan.formatVersion} · run it with: ${runCommandFor(plan)}`));
  return `${out.join('\n')}\n`;
}

function header(plan: Plan, c: ChalkInstance): string[] {
  const p = plan.policy;
  const git = plan.source.gitCommit
    ? ` @ ${plan.source.gitCommit.slice(0, 10)}` +
      `${plan.source.gitDirty ? c.yellow(' (uncommitted changes in the working tree)') : ''}`
    : c.dim(' (not in git)');
  const lb = plan.loadBalancer;
  // Several instances (an HA pair): each named, with where it is reached.
  const at = (endpoint: string, via: typeof lb.via): string => `${endpoint}${via ? ` via ssh ${via.host}` : ''}`;
  const where =
    lb.instances.length > 1
      ? `${lb.pool} on ${lb.instances.length} instances: ` +
        `${lb.instances.map((i) => `${i.name} ${at(i.endpoint, i.via)}`).join(', ')} `
      : `${lb.endpoint}${lb.pool ? ` ${lb.pool}` : ''}${lb.via ? ` via ssh ${lb.via.host}` : ''} `;
  const lbText =
    lb.type === 'none'
      ? c.yellow('none')
      : `${lb.type} ${where}(` +
        (lb.drainWaitSec === null
          ? `drain ≤ ${formatSeconds(lb.drainTimeoutSec)}, then ${lb.onDrainTimeout}`
          : `drain: a fixed ${formatSeconds(lb.drainWaitSec)} wait, no session count`) +
        `)`;
  const lines = [
    `${c.bold('Plan:')} ${plan.name}  ${c.dim(`hash ${plan.hash.slice(0, 12)}`)}`,
    `${c.bold('Playbook:')} ${plan.source.file}${git}`,
  ];
  if (plan.description)
    lines.push(
      ...plan.description
        .trim()
        .split('\n')
        .map((l) => c.dim(`  ${l}`)),
    );
  lines.push(
    `${c.bold('Strategy:')} ${p.strategy} · ${plan.nodes.length} node(s) · ${plan.batches.length}` +
      ` batch(es) · min healthy ${p.minHealthy} · failure budget ${p.maxFailures} · on failure: ` +
      `${p.onFailure}` +
      (p.window
        ? ` · window ${p.window.days.join(',')} ${p.window.start}–${p.window.end} ${p.window.timezone}` +
          ` (${p.window.source})`
        : ''),
    `${c.bold('Load balancer:')} ${lbText}`,
  );
  // The `via` form's command on each LB host; the run fills in `{request}` (one runtime API command, quoted).
  for (const i of lb.instances.filter((x) => x.wrapper))
    lines.push(
      c.dim(
        `  ${lb.instances.length > 1 ? `${i.name}: ` : ''}each request (≤ ` +
          `${formatSeconds(lb.requestTimeoutSec)}): ${i.wrapper ?? ''}`,
      ),
    );
  if (plan.limit) {
    const changed = new Set(plan.batches.flatMap((b) => b.nodes));
    const unchanged = plan.nodes.filter((n) => !changed.has(n.name)).map((n) => n.name);
    lines.push(
      c.yellow(
        `${c.bold('Limited')} (--limit ${plan.limit.join(',')}): ` +
          `${changed.size} of ${plan.nodes.length} node(s) are changed; ` +
          `${unchanged.join(', ') || 'no other node'} stay as they are (they still count for capacity)`,
      ),
    );
  }
  if (Object.keys(plan.vars).length > 0)
    lines.push(
      `${c.bold('--var:')} ${Object.entries(plan.vars)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
  const sets = Object.entries(plan.overrides ?? {});
  if (sets.length > 0)
    lines.push(`${c.bold('Set for this run (--set):')} ${sets.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  if (plan.secrets.length > 0)
    lines.push(`${c.bold('Secrets from the environment:')} ${plan.secrets.join(', ')} ${c.dim('(never printed)')}`);
  return lines;
}

function preflight(plan: Plan, c: ChalkInstance, full: boolean): string[] {
  const byNode = new Map<string, Step[]>();
  for (const s of plan.preflight) byNode.set(s.node ?? '', [...(byNode.get(s.node ?? '') ?? []), s]);
  if (full)
    return [...byNode.entries()].flatMap(([node, steps]) => [
      `  ${c.cyan(node)}`,
      ...steps.map((s) => stepLine(s, c, true, '    ')),
    ]);
  const shown = new Map<string, string>();
  return [...byNode.entries()].map(([node, steps]) => {
    const shape = shapeOf(plan, node, steps);
    const first = shown.get(shape);
    if (first) return `  ${c.cyan(node)}: ${c.dim(`the same ${steps.length} checks as ${first}`)}`;
    shown.set(shape, node);
    return `  ${c.cyan(node)}: ${steps.map((s) => s.title).join(' · ')}`;
  });
}

function batch(plan: Plan, b: Batch, c: ChalkInstance, full: boolean, shown: Map<string, string>): string[] {
  const title = `Batch ${b.index}/${plan.batches.length}${b.canary ? ' (canary)' : ''}: ${b.nodes.join(', ')}`;
  const lines = [c.bold.underline(title)];
  if (b.startAfterAllPrepared) lines.push(c.dim('  every node is stopped and changed before the first one starts'));
  else if (b.nodes.length > 1)
    lines.push(c.dim('  nodes are drained and changed together, then started one at a time in this order'));
  lines.push(...b.before.map((s) => stepLine(s, c, full, '  ')));
  for (const np of b.nodePlans) lines.push(...nodeBlock(plan, np, c, full, shown));
  lines.push(...b.after.map((s) => stepLine(s, c, full, '  ')));
  return lines;
}

function nodeBlock(plan: Plan, np: NodePlan, c: ChalkInstance, full: boolean, shown: Map<string, string>): string[] {
  const shape = shapeOf(plan, np.node, np.steps, [...np.rollback, ...(np.onHalt ?? [])]);
  const first = shown.get(shape);
  if (!full && first)
    return [
      `  ${c.cyan(np.node)}: ` +
        `${c.dim(`the same ${np.steps.length} steps as ${first}, with its own name, host and member`)}`,
    ];
  shown.set(shape, np.node);
  const lines = [
    `  ${c.cyan(np.node)}`,
    ...np.steps.map((s, i) => stepLine(s, c, full, '    ', `${String(i + 1).padStart(2, '0')} ${phaseTag(s.phase)} `)),
  ];
  if (np.rollback.length > 0) {
    lines.push(
      `    ${c.yellow('on failure after the stop (rollback):')} ${np.rollback.map((s) => s.action).join(' → ')}`,
    );
    if (full) lines.push(...np.rollback.map((s, i) => stepLine(s, c, true, '      ', `R${i + 1} `)));
  }
  const onHalt = np.onHalt ?? [];
  if (onHalt.length > 0) {
    lines.push(`    ${c.yellow('on failure after the drain (halt):')} ${onHalt.map((s) => s.title).join(' → ')}`);
    if (full) lines.push(...onHalt.map((s, i) => stepLine(s, c, true, '      ', `H${i + 1} `)));
  }
  return lines;
}

function phaseTag(phase: string): string {
  return phase === 'prepare' ? '    ' : phase === 'start' ? '▶   ' : '↩   ';
}

/** A node's steps with its own name, host and member replaced, to find nodes that do the same. */
function shapeOf(plan: Plan, name: string, steps: readonly Step[], rollback: readonly Step[] = []): string {
  const node = plan.nodes.find((n) => n.name === name);
  // A cluster gate's `clusterNodes` and a capacity check's `others` name every other node; the gate's size
  // and `startOrder`, and the check's `batchNodes`, already tell them apart.
  const derived = (s: Step, k: string): boolean =>
    (s.action === 'wait-cluster' && k === 'clusterNodes') || (s.action === 'check-capacity' && k === 'others');
  const strip = (s: Step): object =>
    Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'id' && !derived(s, k)));
  let text = JSON.stringify([steps.map(strip), rollback.map(strip)]);
  for (const token of [node?.member, node?.host, name]
    .filter((t): t is string => !!t)
    .sort((a, b) => b.length - a.length)) {
    text = text.split(token).join('\u0000');
  }
  return text;
}

function stepLine(s: Step, c: ChalkInstance, full: boolean, indent: string, prefix = ''): string {
  const where = s.runOn === 'node' || (!s.command && !s.api) ? '' : c.dim(` [${s.runOn}]`);
  const timing = c.dim(` (≤ ${formatSeconds(s.timeoutSec)})`);
  const flags = `${s.pointOfNoReturn ? c.red(' [point of no return]') : ''}${s.become ? c.dim(' [sudo]') : ''}`;
  const lines = [`${indent}${prefix}${s.title}${where}${timing}${flags}`];
  const detail = indent + ' '.repeat(prefix.length) + '  ';
  if (s.api) lines.push(`${detail}${c.magenta('api>')} ${s.api}`);
  if (s.command) lines.push(...commandLines(s.command, c, full, detail));
  if (s.action === 'service-stop' && full) lines.push(`${detail}${c.dim('if still running:')} ${s.forceCommand}`);
  // The hard step runs once the sessions reach 0, and at the timeout unless that fails the node.
  if (s.action === 'lb-wait-drained' && s.hardCommand) lines.push(`${detail}${c.dim('then:')} ${s.hardCommand}`);
  if (full) lines.push(...sideLines(s, c, detail));
  return lines.join('\n');
}

/** The commands a step runs besides its own (`{firstByte}` is filled at run time): shown with --full. */
function sideLines(s: Step, c: ChalkInstance, detail: string): string[] {
  if (s.action === 'service-start') return s.logSizes.map((l) => `${detail}${c.dim('before, log size:')} ${l.command}`);
  if (s.action !== 'wait-log-marker' && s.action !== 'wait-cluster' && s.action !== 'wait-modules') return [];
  const watch = s.processWatch
    ? [`${detail}${c.dim(`every ${formatSeconds(s.processWatch.intervalSec)}, process:`)} ${s.processWatch.command}`]
    : [];
  return [`${detail}${c.dim('follows:')} ${s.follow.command}`, ...watch];
}

function commandLines(command: string, c: ChalkInstance, full: boolean, indent: string): string[] {
  const lines = command.split('\n');
  if (full) return lines.map((l, i) => `${indent}${c.dim(i === 0 ? '$' : ' ')} ${l}`);
  const first = lines[0] ?? '';
  const cut = first.length > 110 ? `${first.slice(0, 107)}...` : first;
  return [
    `${indent}${c.dim('$')} ${cut}` +
      `${lines.length > 1 ? c.dim(` … (+${lines.length - 1} lines; --full shows all)`) : ''}`,
  ];
}

/** The `lrroll run` command that runs this same plan: the same playbook, `--limit` and `--var`, and its hash. */
function runCommandFor(plan: Plan): string {
  return [...commandFor(plan, 'run'), '--plan-hash', plan.hash.slice(0, 12)].map(shellWord).join(' ');
}

/** The `lrroll plan` command that shows this plan again (same playbook, `--limit` and `--var`). */
export function planCommandFor(plan: Plan): string {
  return commandFor(plan, 'plan').map(shellWord).join(' ');
}

function commandFor(plan: Plan, command: 'run' | 'plan'): string[] {
  const words = ['lrroll', command, plan.source.file];
  if (plan.limit) words.push('--limit', plan.limit.join(','));
  for (const [k, v] of Object.entries(plan.vars)) words.push('--var', `${k}=${v}`);
  return words;
}

/** A word as a POSIX shell reads it back unchanged: as is when it is plain, else in single quotes. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
