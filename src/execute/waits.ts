import { shq } from '../shell/quote.js';
import type { ServiceStartStep, WaitClusterStep, WaitLogMarkerStep, WaitModulesStep } from '../plan/types.js';
import type { NodeState, RunState } from './context.js';
import { failed, lastLine, ok, transportOf, type StepOutcome } from './run-command.js';

/** Records where each log ends right before the start, so gates read only lines written by this start. */
export async function recordLogOffsets(step: ServiceStartStep, run: RunState, state: NodeState): Promise<void> {
  const transport = transportOf(step, run);
  state.logOffsets.clear();
  for (const log of step.logs) {
    const r = await transport.exec(`if [ -f ${shq(log)} ]; then wc -c < ${shq(log)}; else echo 0; fi`, { timeoutMs: 30_000, signal: run.deps.signal, become: step.become });
    const size = r.stdout.trim();
    // Reading from 0 would let the previous start's marker pass the gate: refuse instead.
    if (r.exitCode !== 0 || !/^\d+$/.test(size)) throw new Error(`cannot read the size of ${log} before the start: ${r.stderr.trim() || 'no answer'}`);
    state.logOffsets.set(log, Number(size));
  }
}

/** How often a gate that sees nothing new says what it still waits for, so a long wait is never silent. */
export const GATE_HEARTBEAT_MS = 10_000;

/** What a gate is waiting for: fed each new log line, and asked to describe where it stands. */
interface LogGate {
  /** True once the line completes the gate. */
  done(line: string): boolean;
  /** What the gate has seen and still waits for, in words. */
  describe(): string;
  /** The failure when the deadline passes. */
  timedOut(): string;
}

/**
 * Resolves true when the app server process is gone (checked every 2 s), false when stopped.
 * Each tick also calls `onTick`, which the gates use for their heartbeat.
 */
async function watchProcess(step: WaitLogMarkerStep | WaitClusterStep | WaitModulesStep, run: RunState, signal: AbortSignal, onTick: () => void): Promise<boolean> {
  const node = run.plan.batches.flatMap((b) => b.nodePlans).find((np) => np.node === step.node);
  const stopStep = node?.steps.find((s) => s.action === 'service-stop');
  while (!signal.aborted) {
    await run.deps.clock.sleep(2000, signal);
    if (signal.aborted) return false;
    onTick();
    if (!stopStep || stopStep.action !== 'service-stop') continue;
    const r = await transportOf(step, run).exec(stopStep.statusCommand, { timeoutMs: 15_000, signal, become: stopStep.become }).catch(() => null);
    if (r && r.exitCode !== null && r.exitCode !== 0 && !r.aborted) return true;
  }
  return false;
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
      if (channel) views.set(channel, { size: Number(m[3]), members: (m[4] ?? '').split(',').map((x) => x.trim()).filter(Boolean) });
      return step.channels.every((c) => (views.get(c)?.size ?? 0) >= step.expectedSize);
    },
    describe,
    timedOut: () => `the cluster view did not reach ${step.expectedSize} member(s) within ${step.timeoutSec}s: ${describe()}`,
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

/** A plan node is in a JGroups view when a member is named after it: its name or host, alone or with JGroups' `-<number>` suffix. */
export function isInView(node: { name: string; host: string }, viewMembers: readonly string[]): boolean {
  const names = [node.name, node.host, node.host.split('.')[0] ?? node.host].map((n) => n.toLowerCase());
  return viewMembers.some((m) => {
    const member = m.toLowerCase();
    return names.some((n) => member === n || (member.startsWith(`${n}-`) && /^\d+$/.test(member.slice(n.length + 1))));
  });
}

/** Which members each channel's view shows and which of the plan's running nodes it still lacks. */
function describeViews(step: WaitClusterStep, views: ReadonlyMap<string, { size: number; members: string[] }>, nodes: ReadonlyArray<{ name: string; host: string }>): string {
  const seen = step.channels.map((c) => {
    const v = views.get(c);
    return v ? `${c} (${v.size}) [${v.members.join(', ')}]` : `${c}: no view yet`;
  });
  const missing = step.members.filter((name) => {
    const node = nodes.find((n) => n.name === name) ?? { name, host: name };
    return step.channels.some((c) => !isInView(node, views.get(c)?.members ?? []));
  });
  const later = step.startingLater.length > 0 ? `; not expected yet (start later): ${step.startingLater.join(', ')}` : '';
  return `sees ${seen.join(', ')}; waits for ${step.expectedSize} member(s)${missing.length > 0 ? `, missing ${missing.join(', ')}` : ''}${later}`;
}

/**
 * Follows a log from the offset recorded before the start (`tail -c +N -F`), feeding each new line
 * to `done` until it returns true, the deadline passes, the app server process dies, or the run is
 * interrupted: the gate reacts to lines as they are written instead of sleeping.
 */
async function followLogLines(step: WaitLogMarkerStep | WaitClusterStep | WaitModulesStep, run: RunState, state: NodeState, gate: LogGate): Promise<StepOutcome> {
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
    if (clock.now() - lastSaid >= GATE_HEARTBEAT_MS) say(`still waiting after ${Math.round((clock.now() - since) / 1000)}s of ${step.timeoutSec}s: ${gate.describe()}`);
  };
  const transport = transportOf(step, run);
  const tail = transport.exec(`exec tail -c +${offset + 1} -F ${shq(step.log)} 2>/dev/null`, {
    timeoutMs: step.timeoutSec * 1000,
    signal: stop.signal,
    become: step.become,
    onLine: (stream, line) => {
      if (stream !== 'stdout' || matched) return;
      say(line);
      if (gate.done(line)) {
        matched = true;
        stop.abort();
      }
    },
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
  if (parent.aborted) return failed('interrupted');
  if (died) {
    Object.assign(state, { stopped: true, starting: false });
    return failed('the app server process exited before the gate passed (see the log)');
  }
  if (result.timedOut) return failed(gate.timedOut());
  if (result.exitCode === null) return failed(`the connection to ${step.node ?? 'the node'} was lost while following ${step.log}${lastLine(result.stderr) ? `: ${lastLine(result.stderr)}` : ''}`);
  return failed(`the log could not be followed: ${lastLine(result.stderr) ?? `tail ended with code ${String(result.exitCode)}`}`);
}

