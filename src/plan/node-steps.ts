import type { SourceLocation } from '../errors/diagnostics.js';
import type { Health } from '../playbook/playbook.generated.js';
import type { ChangeSteps } from './changes.js';
import { expectedView } from './cluster-view.js';
import { DEFAULTS, EXPECTED, TIMINGS } from './defaults.js';
import { parseDuration } from './duration.js';
import {
  clusterGate,
  httpGate,
  httpProbeCommand,
  markerGate,
  modulesGate,
  osgiGate,
  settleStep,
  warmupStep,
  type ClusterGate,
  type HttpGate,
  type MarkerGate,
  type ModulesGate,
  type OsgiGate,
  type WarmupGate,
} from './health-gates.js';
import type { NodeLbSteps } from './lb.js';
import { returnSteps } from './lb-health-up.js';
import type { ResolvedNode } from './nodes.js';
import { checkRegex } from './inputs.js';
import { forensicsStep, restoreStep, revertStep } from './recovery-steps.js';
import { type Templater } from './scope.js';
import { applyStep, backupStep, verifyStep } from './change-apply-steps.js';
import { makeStep } from './step.js';
import { logGateCommands, logSizeCommand } from './log-commands.js';
import type { LogGateCommands, NodeStep, ServiceStartStep, ServiceStopStep, Step, StepPhase } from './types.js';

/** Health gates resolved for one node. */
export interface ResolvedHealth {
  marker: MarkerGate | null;
  http: HttpGate | null;
  cluster: ClusterGate | null;
  modules: ModulesGate;
  osgi: OsgiGate | null;
  settleSec: number;
  warmup: WarmupGate | null;
  expectedStartSec: number;
}

/**
 * Where a node stands in the run, for the gates that depend on it: every node of the cluster, and the start order of
 * the node's batch.
 */
interface RunPosition {
  clusterNodes: readonly string[];
  startOrder: readonly string[];
}

/** Resolves the health section for a node (templates in paths and URLs). */
export function resolveHealth(
  h: Health | undefined,
  node: ResolvedNode,
  position: RunPosition,
  t: Templater,
  locate: (path: string[]) => SourceLocation,
): ResolvedHealth {
  const p = (tpl: string, path: string[]): string => t.path(tpl, node.scope, locate(path), node.plan.name, 'absolute');
  const url = (tpl: string, path: string[]): string => t.url(tpl, node.scope, locate(path), node.plan.name).text;
  const d = DEFAULTS.health;
  const marker = h?.startupMarker?.enabled ?? d.startupMarkerEnabled;
  const http = h?.http?.enabled ?? d.httpEnabled;
  const cluster = h?.cluster?.enabled ?? d.clusterEnabled;
  const o = h?.osgi ?? {};
  return {
    marker: marker
      ? {
          log: p(h?.startupMarker?.log ?? d.startupMarkerLog, ['startupMarker', 'log']),
          timeoutSec: parseDuration(h?.startupMarker?.timeout ?? d.startupMarkerTimeout),
        }
      : null,
    http: http
      ? {
          url: url(h?.http?.url ?? d.httpUrl, ['http', 'url']),
          status: h?.http?.status ?? [...d.httpStatus],
          bodyMatch: bodyMatch(h?.http?.bodyMatch, t, locate(['http', 'bodyMatch'])),
          intervalSec: parseDuration(h?.http?.interval ?? d.httpInterval),
          timeoutSec: parseDuration(h?.http?.timeout ?? d.httpTimeout),
          successes: h?.http?.successes ?? d.httpSuccesses,
          attemptSec: parseDuration(h?.http?.attemptTimeout ?? d.httpAttemptTimeout),
        }
      : null,
    cluster: cluster
      ? {
          log: p(h?.cluster?.log ?? d.clusterLog, ['cluster', 'log']),
          view: expectedView(
            position.clusterNodes,
            position.startOrder,
            node.plan.name,
            h?.cluster?.expectedSize ?? null,
          ),
          channels: h?.cluster?.channels ?? [...d.clusterChannels],
          timeoutSec: parseDuration(h?.cluster?.timeout ?? d.clusterTimeout),
        }
      : null,
    modules: {
      log: p(h?.modules?.log ?? d.modulesLog, ['modules', 'log']),
      bundles: h?.modules?.bundles ?? [],
      timeoutSec: parseDuration(h?.modules?.timeout ?? d.modulesTimeout),
    },
    osgi:
      (o.enabled ?? d.osgiEnabled)
        ? {
            port: o.port ?? d.osgiPort,
            commands: o.commands ?? [...d.osgiCommands],
            ignore: o.ignore ?? [],
            intervalSec: parseDuration(o.interval ?? d.osgiInterval),
            attemptSec: parseDuration(o.attemptTimeout ?? d.osgiAttemptTimeout),
            successes: o.successes ?? d.osgiSuccesses,
            timeoutSec: parseDuration(o.timeout ?? d.osgiTimeout),
          }
        : null,
    settleSec: parseDuration(h?.settle ?? d.settle),
    warmup: h?.warmup?.urls?.length
      ? {
          urls: h.warmup.urls.map((u, i) => url(u, ['warmup', 'urls', String(i)])),
          timeoutSec: parseDuration(h.warmup.timeout ?? d.warmupTimeout),
        }
      : null,
    expectedStartSec: expectedStart(
      h,
      marker ? parseDuration(h?.startupMarker?.timeout ?? d.startupMarkerTimeout) : Infinity,
    ),
  };
}

/**
 * The body pattern of the HTTP probe, checked now so a typo fails `validate` rather than the gate of a node already
 * restarted.
 */
function bodyMatch(source: string | undefined, t: Templater, where: SourceLocation): string | null {
  if (source === undefined) return null;
  const checked = checkRegex(source);
  if (!checked.ok) t.invalid('E_REGEX', `\`health.http.bodyMatch\` ${checked.problem}`, checked.hint, where);
  return source;
}

/**
 * The declared start time, else the default capped by the startup gate's deadline (a node that must start within 60 s
 * is not expected to take 3 min).
 */
function expectedStart(h: Health | undefined, markerTimeoutSec: number): number {
  if (h?.expectedStartTime !== undefined) return parseDuration(h.expectedStartTime);
  return Math.min(parseDuration(DEFAULTS.health.expectedStartTime), markerTimeoutSec);
}

/** One decimal: shares of a few seconds must not round to 0 or double. */
const tenth = (sec: number): number => Math.round(sec * 10) / 10;

/** Inputs for one node's sequence. */
interface NodeSequenceInput {
  node: ResolvedNode;
  changes: ChangeSteps[];
  lb: NodeLbSteps | null;
  health: ResolvedHealth;
  beforeNode: Step[];
  afterNode: Step[];
  /** Rolling: the capacity check again, right before the node leaves the load balancer (empty for a full restart). */
  recheck: Step[];
}

/** The ordered steps of SPEC §4 for one node, each tagged with its phase. */
export function nodeSequence(input: NodeSequenceInput): NodeStep[] {
  const { node, changes, lb, health } = input;
  const out: NodeStep[] = [];
  const add = (phase: StepPhase, ...steps: Step[]): void => {
    for (const s of steps) out.push(Object.assign(s, { phase })); // every step here is freshly built for this node
  };
  add('prepare', ...input.beforeNode, ...input.recheck);
  if (lb) add('prepare', lb.drain, lb.waitDrained);
  for (const [i, c] of changes.entries())
    if (c.whileRunning) add('prepare', ...applyStep(node, c, i), ...verifyStep(node, c, i));
  add('prepare', stopStep(node, health));
  const paths = [...new Set(changes.flatMap((c) => c.backupPaths))];
  if (paths.length > 0) add('prepare', backupStep(node, paths, `${node.plan.liferayHome}/.lrroll/backups`));
  for (const [i, c] of changes.entries())
    if (!c.whileRunning) add('prepare', ...applyStep(node, c, i), ...verifyStep(node, c, i));
  add('start', startStep(node, health), ...healthSteps(node, health, changes));
  // HAProxy's `health up` only follows a passed HTTP probe (loadBalancer.healthUpAfterProbe).
  if (lb) add('return', ...returnSteps(lb, health.http !== null));
  add('return', ...input.afterNode);
  return out;
}

function stopStep(node: ResolvedNode, health: ResolvedHealth): ServiceStopStep {
  const s = node.service;
  // A stop rarely takes longer than the start: a node declared to start in seconds stops in seconds.
  const expectSec = tenth(Math.min(EXPECTED.stopSec, s.stopTimeoutSec, health.expectedStartSec));
  return makeStep<ServiceStopStep>({
    action: 'service-stop',
    node: node.plan.name,
    title: `stop the app server (${s.type})`,
    runOn: 'node',
    command: s.stop,
    become: s.become,
    secretEnv: s.secretEnv,
    forceCommand: s.forceStop,
    statusCommand: s.status,
    probeCommand: health.http ? httpProbeCommand(health.http.url) : null,
    checkTimeoutSec: TIMINGS.remoteCheckSec,
    probeTimeoutSec: TIMINGS.probeSec,
    timeoutSec: s.stopTimeoutSec + 30,
    expectSec,
    waitsFor:
      `the process to exit (forced after ${s.stopTimeoutSec}s): the status command says stopped` +
      `${health.http ? ` and nothing answers ${health.http.url}` : ''}`,
  });
}

function startStep(node: ResolvedNode, health: ResolvedHealth): ServiceStartStep {
  const s = node.service;
  const logs = [
    ...new Set([health.marker?.log, health.cluster?.log, health.modules.log].filter((l): l is string => !!l)),
  ];
  return makeStep<ServiceStartStep>({
    action: 'service-start',
    node: node.plan.name,
    title: `start the app server (${s.type})`,
    runOn: 'node',
    command: s.start,
    become: s.become,
    secretEnv: s.secretEnv,
    logs,
    logSizes: logs.map((l) => logSizeCommand(l, s.become)),
    timeoutSec: s.startTimeoutSec,
    expectSec: startCommandSec(health),
    waitsFor: 'the start command to return (log positions are recorded first)',
  });
}

/** The start command itself returns quickly (it launches the JVM): a tenth of the start time, at most 5 s. */
const startCommandSec = (h: ResolvedHealth): number => tenth(Math.min(5, h.expectedStartSec * 0.1));

/**
 * The health gates share the declared start time left after the start command; none is expected past its own deadline.
 */
function healthSteps(node: ResolvedNode, h: ResolvedHealth, changes: ChangeSteps[]): Step[] {
  const n = node.plan.name;
  const steps: Step[] = [];
  const gate = (log: string, timeoutSec: number): LogGateCommands =>
    logGateCommands(log, false, timeoutSec, node.service);
  const gates = h.expectedStartSec - startCommandSec(h);
  const startShare = (share: number, timeoutSec = Infinity): number => tenth(Math.min(gates * share, timeoutSec));
  if (h.marker)
    steps.push(markerGate(n, h.marker, startShare(0.9, h.marker.timeoutSec), gate(h.marker.log, h.marker.timeoutSec)));
  if (h.http) steps.push(httpGate(n, h.http, h.marker ? startShare(0.05, 2) : startShare(0.9, h.http.timeoutSec)));
  if (h.cluster)
    steps.push(
      clusterGate(n, h.cluster, startShare(0.05, h.cluster.timeoutSec), gate(h.cluster.log, h.cluster.timeoutSec)),
    );
  const bundles = [...new Set([...h.modules.bundles, ...changes.flatMap((c) => c.bundles)])];
  if (bundles.length > 0)
    steps.push(
      modulesGate(
        n,
        h.modules,
        bundles,
        startShare(0.05, h.modules.timeoutSec),
        gate(h.modules.log, h.modules.timeoutSec),
      ),
    );
  if (h.osgi) steps.push(osgiGate(n, h.osgi));
  if (h.settleSec > 0) steps.push(settleStep(n, h.settleSec));
  if (h.warmup) steps.push(warmupStep(n, h.warmup));
  return steps;
}

/**
 * The rollback of one node (with `onFailure: rollback`): forensics first, then back to how it was, healthy and in the
 * load balancer.
 */
export function rollbackSequence(node: ResolvedNode, steps: readonly NodeStep[], health: ResolvedHealth): NodeStep[] {
  // A shallow copy is enough: plan steps are never changed after compiling (only ids are assigned).
  const copy = (s: NodeStep): NodeStep => ({ ...s, pointOfNoReturn: false });
  const out: NodeStep[] = [{ ...forensicsStep(node, forensicsLog(health)), phase: 'prepare' }];
  const stop = steps.find((s) => s.action === 'service-stop');
  if (stop) out.push(copy(stop));
  const backup = steps.find((s) => s.action === 'backup');
  if (backup && backup.action === 'backup') out.push({ ...restoreStep(node, backup), phase: 'prepare' });
  for (const apply of [...steps].reverse()) {
    if (apply.action !== 'apply' || !apply.revertCommand) continue;
    out.push({ ...revertStep(node, apply, apply.revertCommand), phase: 'prepare' });
  }
  // Modules the failed change deployed are not expected after the restore: keep only the other gates.
  for (const s of steps)
    if ((s.phase === 'start' && s.action !== 'wait-modules') || s.phase === 'return')
      if (s.action !== 'hook') out.push(copy(s));
  return out;
}

/** With `onFailure: halt`: what a failed node leaves for the post-mortem (the node itself stays as it is). */
export function haltSequence(node: ResolvedNode, health: ResolvedHealth): NodeStep[] {
  return [{ ...forensicsStep(node, forensicsLog(health)), phase: 'prepare' }];
}

/** The log the forensics show the end of: the startup marker's, else the modules'. */
const forensicsLog = (health: ResolvedHealth): string => health.marker?.log ?? health.modules.log;
