import { resolve } from 'node:path';
import { RUN_ID_VAR } from '../domain/run-id.js';
import type { HookStep, ServiceStopStep, Step, UploadStep } from '../plan/types.js';
import type { NodeState, RunState } from './context.js';
import { bake } from './bake.js';
import { readHttpProbe } from './http-probe.js';
import { runLbStep } from './lb-steps.js';
import { runPreflightCheck } from './preflight.js';
import { waitHttp, waitOsgi } from './probes.js';
import {
  failed,
  lastLine,
  interrupted,
  ok,
  outcomeOf,
  runCommand,
  transportOf,
  type StepOutcome,
} from './run-command.js';
import { recordLogOffsets, waitCluster, waitLogMarker, waitModules } from './waits.js';

/** Runs one step of the plan; `state` is the node's state for node steps, null for run-level steps. */
export async function executeStep(step: Step, run: RunState, state: NodeState | null): Promise<StepOutcome> {
  switch (step.action) {
    case 'check-sudo':
    case 'check-tools':
    case 'check-reachable':
    case 'check-node-healthy':
    case 'check-service':
    case 'check-disk':
    case 'check-schema-version':
    case 'check-patch-level':
    case 'check-java-version':
    case 'check-release':
      return runPreflightCheck(step, run);
    case 'upload':
      return upload(step, run);
    case 'check-lb-member':
    case 'check-capacity':
    case 'lb-drain':
    case 'lb-wait-drained':
    case 'lb-enable':
    case 'lb-health-up':
    case 'lb-wait-up':
      return runLbStep(step, run, state);
    case 'service-stop':
      return stop(step, run, state);
    case 'service-start': {
      if (state) await recordLogOffsets(step, run, state);
      const r = outcomeOf(await runCommand(step, step.command, run), 'the start command');
      if (r.status === 'ok' && state) Object.assign(state, { stopped: false, starting: true });
      return r;
    }
    case 'backup':
    case 'restore':
      // The plan's backup folder ends with $LRROLL_RUN_ID: this run's own copy.
      return outcomeOf(
        await runCommand(step, step.command, run, { vars: { [RUN_ID_VAR]: run.deps.runId } }),
        step.action,
      );
    case 'verify':
    case 'warmup':
    case 'cache-clear':
    case 'revert':
    case 'forensics':
      return outcomeOf(await runCommand(step, step.command, run), step.action);
    case 'prune': {
      // The run's own backup folder and record are named by its run id; the last line says what was kept, removed and
      // left.
      const r = await runCommand(step, step.command, run, { vars: { [RUN_ID_VAR]: run.deps.runId } });
      return r.exitCode === 0
        ? ok(lastLine(r.stdout) ?? null)
        : outcomeOf(r, 'removing older backups and staged files');
    }
    case 'apply': {
      const r = outcomeOf(await runCommand(step, step.command, run), 'the change');
      if (r.status === 'ok' && state) state.updated = true;
      return r;
    }
    case 'wait-log-marker':
      return state ? waitLogMarker(step, run, state) : failed('no node state');
    case 'wait-cluster':
      return state ? waitCluster(step, run, state) : failed('no node state');
    case 'wait-modules':
      return state ? waitModules(step, run, state) : failed('no node state');
    case 'wait-http':
      return waitHttp(step, run);
    case 'wait-osgi':
      return waitOsgi(step, run);
    case 'settle':
      return waitFor(step, run);
    case 'bake':
      return bake(step, run);
    case 'hook':
      return hook(step, run);
    case 'confirm':
      return (await run.deps.confirm(step.question))
        ? ok('confirmed')
        : failed('not confirmed: stopped at the operator’s request');
    case 'consistency-check':
      return consistency(step, run);
  }
}

async function stop(step: ServiceStopStep, run: RunState, state: NodeState | null): Promise<StepOutcome> {
  const transport = transportOf(step, run);
  // The step's deadline leaves room for the forced stop after the graceful one.
  const graceful = await runCommand(step, step.command, run, {
    timeoutMs: Math.max(1, step.timeoutSec - step.checkTimeoutSec) * 1000,
  });
  const checkMs = step.checkTimeoutSec * 1000;
  const status = await transport.exec(step.statusCommand, {
    timeoutMs: checkMs,
    signal: run.deps.signal,
    become: step.become,
  });
  if (status.exitCode === null)
    return failed('cannot tell whether the app server stopped (the status command did not finish)');
  let note: string | null = null;
  if (status.exitCode === 0) {
    await runCommand(step, step.forceCommand, run, { timeoutMs: checkMs });
    note = 'forced: still running after the graceful stop';
    const again = await transport.exec(step.statusCommand, {
      timeoutMs: checkMs,
      signal: run.deps.signal,
      become: step.become,
    });
    if (again.exitCode !== 1 && again.exitCode !== null && again.exitCode !== 0)
      note = `status check exited ${again.exitCode}`;
    if (again.exitCode === 0) return failed('the app server is still running after the forced stop');
    if (again.exitCode === null) return failed('cannot tell whether the app server stopped after the forced stop');
  } else if (graceful.exitCode !== 0 && graceful.exitCode !== null) {
    note = `the stop command exited with ${graceful.exitCode}, but the process is gone`;
  }
  // The status command may be wrong (another pid file, a unit that does not run the app): only a
  // probe that finds nothing listening confirms that the process is gone.
  const answer = await stillAnswers(step, run);
  if (answer !== null) {
    const cmd =
      graceful.exitCode === 0
        ? ''
        : `the stop command exited with ${graceful.exitCode ?? 'no exit code'}` +
          `${graceful.exitCode === 127 ? ' (command not found)' : ''}; `;
    return failed(
      `${cmd}the app server still answers its health probe (${answer}` +
        `) although the status command says it stopped: it is running — check service.stop and ` +
        `service.status (or pidFile)`,
      graceful.exitCode,
    );
  }
  if (state) Object.assign(state, { stopped: true, starting: false });
  return ok(note);
}

/**
 * What the node's HTTP probe gets after a stop: null when nothing listens (curl cannot connect) or there is no probe,
 * else the answer.
 */
async function stillAnswers(step: ServiceStopStep, run: RunState): Promise<string | null> {
  if (step.probeCommand === null) return null;
  const answer = readHttpProbe(
    await runCommand(step, step.probeCommand, run, { quiet: true, timeoutMs: step.probeTimeoutSec * 1000 }),
  );
  // Could not connect: nothing listens on the port any more.
  return answer.refused ? null : answer.found;
}

/** A fixed wait (settle, canary bake), saying every 10 s how long is left so a long bake is never silent. */
async function waitFor(step: Extract<Step, { action: 'settle' }>, run: RunState): Promise<StepOutcome> {
  const clock = run.deps.clock;
  const until = clock.now() + step.seconds * 1000;
  for (let left = until - clock.now(); left > 0 && !run.waitSignal.aborted; left = until - clock.now()) {
    if (left < step.seconds * 1000)
      run.deps.emit({
        kind: 'step-output',
        stepId: step.id,
        node: step.node,
        stream: 'progress',
        line: `${Math.ceil(left / 1000)}s left`,
      });
    await clock.sleep(Math.min(left, step.heartbeatSec * 1000), run.waitSignal);
  }
  return run.waitSignal.aborted ? interrupted() : ok();
}

async function upload(step: UploadStep, run: RunState): Promise<StepOutcome> {
  const transport = transportOf(step, run);
  const before = await runCommand(step, step.command, run, {
    quiet: true,
    timeoutMs: step.checksumTimeoutSec * 1000,
  });
  if (before.exitCode === 0 && before.stdout.trim() === step.sha256)
    return ok('already there with the same checksum: not uploaded');
  await transport.put(resolve(run.deps.baseDir, step.localPath), step.remotePath, {
    timeoutMs: step.timeoutSec * 1000,
    signal: run.deps.signal,
  });
  const after = await runCommand(step, step.command, run, {
    quiet: true,
    timeoutMs: step.checksumTimeoutSec * 1000,
  });
  if (after.stdout.trim() !== step.sha256)
    return failed(
      `checksum mismatch after upload: expected ${step.sha256}, got ${after.stdout.trim() || after.stderr.trim()}`,
    );
  return ok('uploaded, checksum verified');
}

/** A hook with neither a command nor a request does nothing: there is nothing to send and nothing that can fail. */
const NOTHING_TO_RUN: StepOutcome = {
  status: 'skipped',
  detail: 'nothing to run: the hook has neither a command nor a request',
  exitCode: null,
  code: null,
  hint: null,
};

async function hook(step: HookStep, run: RunState): Promise<StepOutcome> {
  const outcome = step.request
    ? await webhook(step, run)
    : step.command === null
      ? NOTHING_TO_RUN
      : outcomeOf(await runCommand(step, step.command, run), 'the hook');
  if (outcome.status === 'failed' && step.continueOnError)
    return { ...outcome, status: 'ok', detail: `failed, continuing (continueOnError): ${outcome.detail ?? ''}` };
  return outcome;
}

/** Fills `${NAME}` secret references in webhook URLs, headers and bodies at the last moment. */
function fill(text: string, run: RunState): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => run.deps.secrets[name] ?? whole);
}

async function webhook(step: HookStep, run: RunState): Promise<StepOutcome> {
  const req = step.request;
  if (!req) return failed('no request');
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, fill(v, run)]));
  const timeout = AbortSignal.timeout(step.timeoutSec * 1000);
  try {
    const res = await run.deps.fetch(fill(req.url, run), {
      method: req.method,
      headers,
      body: req.report ? run.deps.reportSummary() : req.body === null ? null : fill(req.body, run),
      signal: AbortSignal.any([timeout, run.deps.signal]),
    });
    return res.ok ? ok(`HTTP ${res.status}`) : failed(`the webhook answered HTTP ${res.status}`);
  } catch (err) {
    return failed(`the webhook failed: ${(err as Error).message}`);
  }
}

async function consistency(step: Extract<Step, { action: 'consistency-check' }>, run: RunState): Promise<StepOutcome> {
  const prints = new Map<string, string[]>();
  const read = await Promise.all(
    step.nodes.map(async (name) => {
      const node = run.plan.nodes.find((n) => n.name === name);
      const command = step.fingerprintCommands[name];
      if (!node || command === undefined) return null;
      const r = await run.deps
        .transportFor(node)
        .exec(command, { timeoutMs: step.fingerprintTimeoutSec * 1000, signal: run.deps.signal });
      return { name, key: r.exitCode === 0 ? r.stdout.trim() : `(could not read: ${r.stderr.trim()})` };
    }),
  );
  for (const r of read) if (r) prints.set(r.key, [...(prints.get(r.key) ?? []), r.name]);
  if (prints.size <= 1) return ok(`${step.nodes.length} node(s) agree`);
  const groups = [...prints.entries()].map(
    ([print, nodes]) => `${nodes.join(', ')}: ${print.split('\n').slice(0, 3).join(' | ')}`,
  );
  return failed(`drift: the nodes do not report the same patch level, modules and properties — ${groups.join(' ≠ ')}`);
}
