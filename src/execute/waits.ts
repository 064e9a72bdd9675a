import { shq } from '../plan/shell.js';
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

/** Resolves true when the app server process is gone (checked every 2 s), false when stopped. */
async function watchProcess(step: WaitLogMarkerStep | WaitClusterStep | WaitModulesStep, run: RunState, signal: AbortSignal): Promise<boolean> {
  const node = run.plan.batches.flatMap((b) => b.nodePlans).find((np) => np.node === step.node);
  const stopStep = node?.steps.find((s) => s.action === 'service-stop');
  if (!stopStep || stopStep.action !== 'service-stop') return new Promise(() => undefined);
  while (!signal.aborted) {
    await run.deps.clock.sleep(2000, signal);
    if (signal.aborted) return false;
    const r = await transportOf(step, run).exec(stopStep.statusCommand, { timeoutMs: 15_000, signal, become: stopStep.become }).catch(() => null);
    if (r && r.exitCode !== null && r.exitCode !== 0 && !r.aborted) return true;
  }
  return false;
}

/** Waits for the Tomcat startup line written after this start. */
export async function waitLogMarker(step: WaitLogMarkerStep, run: RunState, state: NodeState): Promise<StepOutcome> {
  const re = new RegExp(step.pattern);
  return followLogLines(step, run, state, (line) => re.test(line));
}

/** Waits until every channel's JGroups view has the expected member count. */
export async function waitCluster(step: WaitClusterStep, run: RunState, state: NodeState): Promise<StepOutcome> {
  const re = new RegExp(step.pattern);
  const sizes = new Map<string, number>();
  return followLogLines(step, run, state, (line) => {
    const m = re.exec(line);
    if (!m) return false;
    const channel = step.channels.find((c) => line.includes(c));
    if (channel) sizes.set(channel, Number(m[3]));
    return step.channels.every((c) => sizes.get(c) === step.expectedSize);
  });
}

/** Waits for a STARTED line for every bundle. */
export async function waitModules(step: WaitModulesStep, run: RunState, state: NodeState): Promise<StepOutcome> {
  const re = new RegExp(step.pattern);
  const pending = new Set(step.bundles);
  return followLogLines(step, run, state, (line) => {
    const m = re.exec(line);
    if (m?.[1]) pending.delete(m[1]);
    return pending.size === 0;
  });
}

/**
 * Follows a log from the offset recorded before the start (`tail -c +N -F`), feeding each new line
 * to `done` until it returns true, the deadline passes, the app server process dies, or the run is
 * interrupted: the gate reacts to lines as they are written instead of sleeping.
 */
async function followLogLines(step: WaitLogMarkerStep | WaitClusterStep | WaitModulesStep, run: RunState, state: NodeState, done: (line: string) => boolean): Promise<StepOutcome> {
  const offset = state.logOffsets.get(step.log) ?? 0;
  const stop = new AbortController();
  const parent = run.waitSignal;
  if (parent.aborted) return failed('interrupted');
  const relay = (): void => stop.abort();
  parent.addEventListener('abort', relay, { once: true });
  let matched = false;
  const transport = transportOf(step, run);
  const tail = transport.exec(`exec tail -c +${offset + 1} -F ${shq(step.log)} 2>/dev/null`, {
    timeoutMs: step.timeoutSec * 1000,
    signal: stop.signal,
    become: step.become,
    onLine: (stream, line) => {
      if (stream !== 'stdout' || matched) return;
      run.deps.emit({ kind: 'step-output', stepId: step.id, node: step.node, stream: 'progress', line });
      if (done(line)) {
        matched = true;
        stop.abort();
      }
    },
  });
  const died = await Promise.race([watchProcess(step, run, stop.signal), tail.then(() => false)]);
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
    state.stopped = true;
    return failed('the app server process exited before the gate passed (see the log)');
  }
  if (result.timedOut) return failed(`not seen within ${step.timeoutSec}s in ${step.log}`);
  if (result.exitCode === null) return failed(`the connection to ${step.node ?? 'the node'} was lost while following ${step.log}${lastLine(result.stderr) ? `: ${lastLine(result.stderr)}` : ''}`);
  return failed(`the log could not be followed: ${lastLine(result.stderr) ?? `tail ended with code ${String(result.exitCode)}`}`);
}

