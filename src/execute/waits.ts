import { LrrollError } from '../errors/errors.js';
import { runningMembers, startingLater } from '../domain/cluster-members.js';
import { someNames } from '../domain/name-list.js';
import type {
  ServiceStartStep,
  SideCommand,
  Step,
  WaitClusterStep,
  WaitLogMarkerStep,
  WaitModulesStep,
} from '../plan/types.js';
import type { NodeState, RunState } from './context.js';
import { fillPlaceholders, type PlaceholderValues } from './placeholders.js';
import { failed, interrupted, lastLine, ok, transportOf, type StepOutcome } from './run-command.js';
import { runRemote } from './run-step.js';

/** Records where each log ends right before the start, so gates read only lines written by this start. */
export async function recordLogOffsets(step: ServiceStartStep, run: RunState, state: NodeState): Promise<void> {
  state.logOffsets.clear();
  for (const [i, log] of step.logs.entries()) {
    const size = step.logSizes[i];
    if (!size) throw new Error(`the plan has no size command for ${log}`);
    const r = await runSide(step, size, run);
    const bytes = r.stdout.trim();
    // Reading from 0 would let the previous start's marker pass the gate: refuse instead.
    if (!r.ok || !/^\d+$/.test(bytes))
      throw new LrrollError(
        r.code ?? 'E_STEP_FAILED',
        `cannot read the size of ${log} before the start: ${r.stderrTail || r.detail || 'no answer'}`,
        r.hint ?? undefined,
      );
    state.logOffsets.set(log, Number(bytes));
  }
}

/** What a gate is waiting for: fed each new log line, and asked to describe where it stands. */
interface LogGate {
  /** True once the line completes the gate. */
  done(line: string): boolean;
  /** What the gate has seen and still waits for, in words. */
  describe(): string;
  /** The failure when the deadline passes. */
  timedOut(): string;
}

type LogGateStep = WaitLogMarkerStep | WaitClusterStep | WaitModulesStep;

/**
 * Resolves true when the app server process is gone (the plan's status command, every
 * `processWatch.intervalSec`), false when stopped. Each tick also calls `onTick`, which the gates
 * use for their heartbeat; without a process watch the ticks come every heartbeat.
 */
async function watchProcess(
  step: LogGateStep,
  run: RunState,
  signal: AbortSignal,
  onTick: () => void,
): Promise<boolean> {
  const watch = step.processWatch;
  while (!signal.aborted) {
    await run.deps.clock.sleep((watch?.intervalSec ?? step.heartbeatSec) * 1000, signal);
    if (signal.aborted) return false;
    onTick();
    if (!watch) continue;
    const r = await runSide(step, watch, run, {}, signal);
    // Exit 0: running; a lost connection or a timeout says nothing about the process.
    if (r.exitCode !== null && r.exitCode !== 0 && !r.aborted) return true;
  }
  return false;
}

/** Runs one of a step's side commands from the plan, with its own deadline, placeholders filled. */
function runSide(
  step: Step,
  side: SideCommand,
  run: RunState,
  values: PlaceholderValues = {},
  signal: AbortSignal = run.deps.signal,
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void,
) {
  const command = fillPlaceholders(side.command, values);
  return runRemote(
    {
      kind: 'command',
      transport: transportOf(step, run),
      command,
      what: 'the command',
      options: { timeoutMs: side.timeoutSec * 1000, signal, become: side.become, ...(onLine ? { onLine } : {}) },
    },
    () => run.deps.clock.now(),
  );
}

/** Waits for the Tomcat startup line written after this start. */
export async function waitLogMarker(step: WaitLogMarkerStep, run: RunState, state: NodeState): Promise<StepOutcome> {
  const re = new RegExp(step.pattern);
  return followLogLines(step, run, state, {
    done: (line) => re.test(line),
    describe: () => `no startup line in ${step.log} yet`,
    timedOut: () => `not seen within ${step.timeoutSec}s in ${step.log}`,
  });
}

/** Waits until every channel's JGroups view has at least the members the plan has running at this point. */
export async function waitCluster(step: WaitClusterStep, run: RunState, state: NodeState): Promise<StepOutcome> {
  const re = new RegExp(step.pattern);
  const views = new Map<string, { size: number; members: string[] }>();
  const describe = (): string => describeViews(step, views, run.plan.nodes);
  return followLogLines(step, run, state, {
    done: (line) => {
      const m = re.exec(line);
      if (!m) return false;
      const channel = step.channels.find((c) => line.includes(c));
      if (channel)
        views.set(channel, {
          size: Number(m[3]),
          members: (m[4] ?? '')
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean),
        });
      return step.channels.every((c) => (views.get(c)?.size ?? 0) >= step.expectedSize);
    },
    describe,
    timedOut: () =>
      `the cluster view did not reach ${step.expectedSize} member(s) within ${step.timeoutSec}s: ${describe()}`,
  });
}

/** Waits for a STARTED line for every bundle. */
export async function waitModules(step: WaitModulesStep, run: RunState, state: NodeState): Promise<StepOutcome> {
  const re = new RegExp(step.pattern);
  const pending = new Set(step.bundles);
  return followLogLines(step, run, state, {
    done: (line) => {
      const m = re.exec(line);
      if (m?.[1]) pending.delete(m[1]);
      return pending.size === 0;
    },
    describe: () => `waiting for STARTED ${[...pending].join(', ')}`,
    timedOut: () => `not seen within ${step.timeoutSec}s in ${step.log}`,
  });
}

/**
 * A plan node is in a JGroups view when a member is named after it: its name or host, alone or with JGroups'
 * `-<number>` suffix.
 */
export function isInView(node: { name: string; host: string }, viewMembers: readonly string[]): boolean {
  const names = [node.name, node.host, node.host.split('.')[0] ?? node.host].map((n) => n.toLowerCase());
  return viewMembers.some((m) => {
    const member = m.toLowerCase();
    return names.some((n) => member === n || (member.startsWith(`${n}-`) && /^\d+$/.test(member.slice(n.length + 1))));
  });
}

/** Which members each channel's view shows and which of the plan's running nodes it still lacks. */
function describeViews(
  step: WaitClusterStep,
  views: ReadonlyMap<string, { size: number; members: string[] }>,
  nodes: ReadonlyArray<{ name: string; host: string }>,
): string {
  const seen = step.channels.map((c) => {
    const v = views.get(c);
    return v ? `${c} (${v.size}) [${v.members.join(', ')}]` : `${c}: no view yet`;
  });
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const later = startingLater(step.startOrder, step.node ?? '');
  const missing = runningMembers(step.clusterNodes, later).filter((name) => {
    const node = byName.get(name) ?? { name, host: name };
    return step.channels.some((c) => !isInView(node, views.get(c)?.members ?? []));
  });
  const notYet = later.length > 0 ? `; not expected yet (start later): ${someNames(later)}` : '';
  return (
    `sees ${seen.join(', ')}; waits for ${step.expectedSize} member(s)` +
    `${missing.length > 0 ? `, missing ${someNames(missing, 10)}` : ''}${notYet}`
  );
}

/**
 * Follows a log from the offset recorded before the start (`tail -c +N -F`), feeding each new line
 * to `done` until it returns true, the deadline passes, the app server process dies, or the run is
 * interrupted: the gate reacts to lines as they are written instead of sleeping.
 */
async function followLogLines(step: LogGateStep, run: RunState, state: NodeState, gate: LogGate): Promise<StepOutcome> {
  const offset = state.logOffsets.get(step.log) ?? 0;
  const stop = new AbortController();
  const parent = run.waitSignal;
  if (parent.aborted) return failed('interrupted');
  const relay = (): void => stop.abort();
  parent.addEventListener('abort', relay, { once: true });
  let matched = false;
  const clock = run.deps.clock;
  const since = clock.now();
  let lastSaid = since;
  const say = (line: string): void => {
    lastSaid = clock.now();
    run.deps.emit({ kind: 'step-output', stepId: step.id, node: step.node, stream: 'progress', line });
  };
  const heartbeat = (): void => {
    if (clock.now() - lastSaid >= step.heartbeatSec * 1000)
      say(
        `still waiting after ${Math.round((clock.now() - since) / 1000)}s of ${step.timeoutSec}s: ${gate.describe()}`,
      );
  };
  const tail = runSide(step, step.follow, run, { firstByte: offset + 1 }, stop.signal, (stream, line) => {
    if (stream !== 'stdout' || matched) return;
    say(line);
    if (gate.done(line)) {
      matched = true;
      stop.abort();
    }
  });
  const died = await Promise.race([watchProcess(step, run, stop.signal, heartbeat), tail.then(() => false)]);
  stop.abort();
  parent.removeEventListener('abort', relay);
  // Once the line is seen the gate has passed: the tail is stopped in the background.
  if (matched) {
    tail.catch(() => undefined);
    return ok();
  }
  const result = await tail;
  if (parent.aborted) return interrupted();
  if (died) {
    Object.assign(state, { stopped: true, starting: false });
    return failed('the app server process exited before the gate passed (see the log)');
  }
  if (result.timedOut) return failed(gate.timedOut(), null, 'E_TIMEOUT');
  if (result.exitCode === null)
    return failed(
      `the connection to ${step.node ?? 'the node'} was lost while following ${step.log}` +
        `${lastLine(result.stderr) ? `: ${lastLine(result.stderr)}` : ''}`,
      null,
      result.code ?? 'E_CONNECT',
      result.hint,
    );
  return failed(
    `the log could not be followed: ${lastLine(result.stderr) ?? `tail ended with code ${String(result.exitCode)}`}`,
    result.exitCode,
    result.code ?? 'E_STEP_FAILED',
    result.hint,
  );
}
