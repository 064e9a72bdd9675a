import type { BakeStep, BakeWatch } from '../plan/types.js';
import type { RunState } from './context.js';
import { fillPlaceholders } from './placeholders.js';
import { failed, ok, type StepOutcome } from './run-command.js';
import { probePasses, readHttpProbe } from './http-probe.js';
import type { Transport } from './transport.js';

/**
 * The canary bake: the canary stays in rotation for `seconds` while, every `intervalSec`, each
 * canary node must answer its HTTP probe, keep its app server process running, and write no log
 * line matching the error pattern. The first problem ends the bake as a failure, so a bad canary
 * is caught in minutes rather than after the whole bake.
 */
export async function bake(step: BakeStep, run: RunState): Promise<StepOutcome> {
  const clock = run.deps.clock;
  const end = clock.now() + step.seconds * 1000;
  const watched = step.watch.map((w) => ({ w, transport: transportFor(w, run) }));
  const offsets = await Promise.all(watched.map(({ w, transport }) => logSize(w, transport, run)));
  while (!run.waitSignal.aborted) {
    const wait = Math.min(step.intervalSec * 1000, end - clock.now());
    if (wait > 0) await clock.sleep(wait, run.waitSignal);
    if (run.waitSignal.aborted) break;
    const problems = (
      await Promise.all(watched.map(({ w, transport }, i) => check(w, transport, offsets[i] ?? 0, run)))
    ).filter((p): p is string => p !== null);
    if (problems.length > 0) return failed(`the canary failed during the bake: ${problems.join('; ')}`);
    if (clock.now() >= end)
      return ok(`${step.watch.map((w) => w.node).join(', ')} stayed healthy for ${step.seconds}s`);
    run.deps.emit({
      kind: 'step-output',
      stepId: step.id,
      node: null,
      stream: 'progress',
      line: `canary healthy, ${Math.ceil((end - clock.now()) / 1000)}s of the bake left`,
    });
  }
  return failed('interrupted');
}

function transportFor(w: BakeWatch, run: RunState): Transport {
  const node = run.plan.nodes.find((n) => n.name === w.node);
  if (!node) throw new Error(`the bake watches an unknown node ${w.node}`);
  return run.deps.transportFor(node);
}

/** The log's size when the bake starts: only lines written during the bake count. */
async function logSize(w: BakeWatch, transport: Transport, run: RunState): Promise<number> {
  if (!w.logSize) return 0;
  const r = await transport.exec(w.logSize.command, {
    timeoutMs: w.logSize.timeoutSec * 1000,
    signal: run.deps.signal,
    become: w.logSize.become,
  });
  const size = Number(r.stdout.trim());
  return r.exitCode === 0 && Number.isFinite(size) ? size : 0;
}

/** One look at a canary node; the problem in one sentence, or null when it is healthy. */
async function check(w: BakeWatch, transport: Transport, offset: number, run: RunState): Promise<string | null> {
  const opts = { timeoutMs: w.checkTimeoutSec * 1000, signal: run.deps.signal };
  const alive = await transport.exec(w.statusCommand, { ...opts, become: w.statusBecome });
  if (alive.exitCode !== null && alive.exitCode !== 0 && !alive.aborted)
    return `${w.node}: its app server process is not running`;
  if (w.probeCommand) {
    const answer = readHttpProbe(await transport.exec(w.probeCommand, opts));
    if (!run.waitSignal.aborted && !probePasses(answer, w))
      return `${w.node}: ${w.url ?? 'the HTTP probe'} answered ${answer.found}, not ${w.status.join('/')}`;
  }
  if (w.errorScan) {
    const r = await transport.exec(fillPlaceholders(w.errorScan.command, { firstByte: offset + 1 }), {
      timeoutMs: w.errorScan.timeoutSec * 1000,
      signal: run.deps.signal,
      become: w.errorScan.become,
    });
    const lines = r.stdout.split('\n').filter(Boolean);
    if (r.exitCode === 0 && lines.length > 0)
      return `${w.node}: an error in ${w.log} during the bake: ${lines[0]?.slice(0, 300) ?? ''}`;
  }
  return null;
}
