import type { SourceLocation } from '../errors/diagnostics.js';
import type { Health } from '../playbook/playbook.generated.js';
import type { ChangeSteps } from './changes.js';
import { expectedView, type ExpectedView } from './cluster-view.js';
import { DEFAULTS, EXPECTED, PATTERNS, TIMINGS } from './defaults.js';
import { parseDuration } from './duration.js';
import type { NodeLbSteps } from './lb.js';
import { returnSteps } from './lb-health-up.js';
import type { ResolvedNode } from './nodes.js';
import { checkRegex } from './inputs.js';
import { type Templater } from './scope.js';
import { backupCommand, restoreCommand } from './shell/backup.js';
import { RUN_ID_VAR } from '../domain/run-id.js';
import { shq } from '../shell/quote.js';
import { makeStep } from './step.js';
import { logGateCommands, logSizeCommand } from './log-commands.js';
import { gogoCommand } from './gogo.js';
import type {
  ApplyStep,
  BackupStep,
  ForensicsStep,
  GogoCommand,
  LogGateCommands,
  NodeStep,
  RestoreStep,
  RevertStep,
  ServiceStartStep,
  ServiceStopStep,
  Step,
  StepPhase,
  VerifyStep,
  WaitClusterStep,
  WaitHttpStep,
  WaitOsgiStep,
} from './types.js';

/** Health gates resolved for one node. */
export interface ResolvedHealth {
  marker: { log: string; timeoutSec: number } | null;
  http: {
    url: string;
    status: number[];
    bodyMatch: string | null;
    intervalSec: number;
    timeoutSec: number;
    successes: number;
    attemptSec: number;
  } | null;
  cluster: { log: string; view: ExpectedView; channels: string[]; timeoutSec: number } | null;
  modules: { log: string; bundles: string[]; timeoutSec: number };
  osgi: {
    port: number;
    commands: GogoCommand[];
    ignore: string[];
    intervalSec: number;
    attemptSec: number;
    successes: number;
    timeoutSec: number;
  } | null;
  settleSec: number;
  warmup: { urls: string[]; timeoutSec: number } | null;
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

/**
 * The curl command the HTTP probe runs on the node: prints the body, then the status code on its own last line. `--`
 * ends the options, so no URL is ever read as one.
 */
export function httpProbeCommand(url: string, maxTimeSec = 10): string {
  return `curl -sS --max-time ${Math.max(1, Math.ceil(maxTimeSec))} -w '\\n%{http_code}' -- ${shq(url)}`;
}

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

/**
 * Backs up into `<backups>/$LRROLL_RUN_ID`: every run has its own copy, so a rollback restores the state from before
 * this run.
 */
function backupStep(node: ResolvedNode, paths: string[], backups: string): BackupStep {
  const backupDir = `${backups}/$${RUN_ID_VAR}`;
  return makeStep<BackupStep>({
    action: 'backup',
    node: node.plan.name,
    title: `back up ${paths.length} path(s) to ${backupDir}`,
    runOn: 'node',
    command: backupCommand(paths, backups, true),
    become: node.become,
    paths,
    backupDir,
    restoreCommand: restoreCommand(backups, true),
    timeoutSec: 600,
    expectSec: EXPECTED.backupSec,
  });
}

function applyStep(node: ResolvedNode, c: ChangeSteps, index: number): ApplyStep[] {
  if (!c.apply) return [];
  return [
    makeStep<ApplyStep>({
      action: 'apply',
      node: node.plan.name,
      title: `apply: ${c.title}`,
      runOn: 'node',
      command: c.apply.command,
      become: node.become,
      secretEnv: c.apply.secretEnv,
      change: index,
      changeType: c.type,
      revertCommand: c.apply.revert,
      pointOfNoReturn: c.apply.pointOfNoReturn,
      timeoutSec: c.apply.timeoutSec,
      expectSec: c.apply.expectSec,
    }),
  ];
}

function verifyStep(node: ResolvedNode, c: ChangeSteps, index: number): VerifyStep[] {
  if (!c.verify) return [];
  return [
    makeStep<VerifyStep>({
      action: 'verify',
      node: node.plan.name,
      title: `verify: ${c.verify.title}`,
      runOn: 'node',
      command: c.verify.command,
      become: node.become,
      change: index,
      timeoutSec: 300,
      expectSec: EXPECTED.verifySec,
    }),
  ];
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
    steps.push(
      makeStep({
        action: 'wait-log-marker',
        node: n,
        title: 'wait for "Server startup in … ms" after this start',
        runOn: 'node',
        log: h.marker.log,
        pattern: PATTERNS.startupMarker,
        ...gate(h.marker.log, h.marker.timeoutSec),
        timeoutSec: h.marker.timeoutSec,
        expectSec: startShare(0.9, h.marker.timeoutSec),
        waitsFor: `the Tomcat startup line in ${h.marker.log}`,
      }),
    );
  if (h.http) steps.push(httpGate(n, h.http, h.marker ? startShare(0.05, 2) : startShare(0.9, h.http.timeoutSec)));
  if (h.cluster)
    steps.push(
      clusterStep(n, h.cluster, startShare(0.05, h.cluster.timeoutSec), gate(h.cluster.log, h.cluster.timeoutSec)),
    );
  const bundles = [...new Set([...h.modules.bundles, ...changes.flatMap((c) => c.bundles)])];
  if (bundles.length > 0)
    steps.push(
      makeStep({
        action: 'wait-modules',
        node: n,
        title: `wait for STARTED ${bundles.join(', ')}`,
        runOn: 'node',
        log: h.modules.log,
        bundles,
        pattern: PATTERNS.moduleStarted,
        ...gate(h.modules.log, h.modules.timeoutSec),
        timeoutSec: h.modules.timeoutSec,
        expectSec: startShare(0.05, h.modules.timeoutSec),
        waitsFor: `STARTED lines for ${bundles.length} bundle(s)`,
      }),
    );
  if (h.osgi) steps.push(osgiGate(n, h.osgi));
  if (h.settleSec > 0)
    steps.push(
      makeStep({
        action: 'settle',
        node: n,
        title: `settle for ${h.settleSec}s (health.settle)`,
        seconds: h.settleSec,
        heartbeatSec: TIMINGS.gateHeartbeatSec,
        timeoutSec: h.settleSec + 5,
        expectSec: h.settleSec,
        waitsFor: `${h.settleSec}s`,
      }),
    );
  if (h.warmup)
    steps.push(
      makeStep({
        action: 'warmup',
        node: n,
        title: `warm up ${h.warmup.urls.length} URL(s)`,
        runOn: 'node',
        command: h.warmup.urls
          .map((u) => `curl -sS -o /dev/null --max-time ${Math.ceil(h.warmup?.timeoutSec ?? 60)} -- ${shq(u)}`)
          .join(' && '),
        urls: h.warmup.urls,
        timeoutSec: h.warmup.timeoutSec,
        expectSec: EXPECTED.warmupSec,
      }),
    );
  return steps;
}

/**
 * The cluster gate: the view must reach the nodes the plan has running when this node starts (its batch-mates that
 * start later are still down).
 */
function clusterStep(
  n: string,
  c: NonNullable<ResolvedHealth['cluster']>,
  expectSec: number,
  commands: LogGateCommands,
): WaitClusterStep {
  const { size, members, down } = c.view;
  const later = down.length > 0 ? ` (${down.join(', ')} ${down.length === 1 ? 'starts' : 'start'} later)` : '';
  return makeStep<WaitClusterStep>({
    action: 'wait-cluster',
    node: n,
    title: `wait for the cluster view to reach ${size} member(s)${later}`,
    runOn: 'node',
    log: c.log,
    expectedSize: size,
    members,
    startingLater: down,
    channels: c.channels,
    pattern: PATTERNS.clusterView,
    ...commands,
    timeoutSec: c.timeoutSec,
    expectSec,
    waitsFor: `"Accepted view … (${size})" or more on ${c.channels.join(' and ')}`,
  });
}

function inARow(successes: number): string {
  return successes > 1 ? `, ${successes} times in a row` : '';
}

function httpGate(n: string, http: NonNullable<ResolvedHealth['http']>, expectSec: number): WaitHttpStep {
  const answer = `${http.status.join(' or ')}${http.bodyMatch ? ` with a body matching /${http.bodyMatch}/` : ''}`;
  return makeStep<WaitHttpStep>({
    action: 'wait-http',
    node: n,
    title: `wait for ${http.url} → ${http.status.join('/')}${inARow(http.successes)}`,
    runOn: 'node',
    command: httpProbeCommand(http.url, http.attemptSec),
    url: http.url,
    status: http.status,
    bodyMatch: http.bodyMatch,
    intervalSec: http.intervalSec,
    successes: http.successes,
    attemptSec: http.attemptSec,
    attemptDeadlineSec: http.attemptSec + TIMINGS.attemptGraceSec,
    timeoutSec: http.timeoutSec,
    expectSec: expectSec + (http.successes - 1) * http.intervalSec,
    waitsFor: `HTTP ${answer}${inARow(http.successes)}`,
  });
}

/** The OSGi gate: each attempt runs one Gogo session per diagnostic. */
function osgiGate(n: string, osgi: NonNullable<ResolvedHealth['osgi']>): WaitOsgiStep {
  const what = osgi.commands.map((c) => `\`${c}\``).join(' and ');
  return makeStep<WaitOsgiStep>({
    action: 'wait-osgi',
    node: n,
    title: `wait until ${what} on Gogo port ${osgi.port} find no unsatisfied component${inARow(osgi.successes)}`,
    runOn: 'node',
    command: gogoCommand(osgi.port, osgi.commands, osgi.attemptSec),
    port: osgi.port,
    commands: osgi.commands,
    ignore: osgi.ignore,
    intervalSec: osgi.intervalSec,
    successes: osgi.successes,
    attemptSec: osgi.attemptSec,
    attemptDeadlineSec: osgi.commands.length * (osgi.attemptSec + TIMINGS.attemptGraceSec),
    timeoutSec: osgi.timeoutSec,
    expectSec: EXPECTED.checkSec * osgi.successes + (osgi.successes - 1) * osgi.intervalSec,
    waitsFor: `no unsatisfied OSGi component (${what})${inARow(osgi.successes)}`,
  });
}

/**
 * The rollback of one node (with `onFailure: rollback`): forensics first, then back to how it was, healthy and in the
 * load balancer.
 */
export function rollbackSequence(node: ResolvedNode, steps: readonly NodeStep[], health: ResolvedHealth): NodeStep[] {
  // A shallow copy is enough: plan steps are never changed after compiling (only ids are assigned).
  const copy = (s: NodeStep): NodeStep => ({ ...s, pointOfNoReturn: false });
  const out: NodeStep[] = [{ ...forensicsStep(node, health), phase: 'prepare' }];
  const stop = steps.find((s) => s.action === 'service-stop');
  if (stop) out.push(copy(stop));
  const backup = steps.find((s) => s.action === 'backup');
  if (backup && backup.action === 'backup') {
    out.push({
      ...makeStep<RestoreStep>({
        action: 'restore',
        node: node.plan.name,
        title: `restore the backup from ${backup.backupDir}`,
        runOn: 'node',
        command: backup.restoreCommand,
        become: backup.become,
        backupDir: backup.backupDir,
        timeoutSec: 600,
        expectSec: EXPECTED.backupSec,
      }),
      phase: 'prepare',
    });
  }
  for (const apply of [...steps].reverse()) {
    if (apply.action !== 'apply' || !apply.revertCommand) continue;
    out.push({
      ...makeStep<RevertStep>({
        action: 'revert',
        node: node.plan.name,
        title: `revert: ${apply.title.replace(/^apply: /, '')}`,
        runOn: 'node',
        command: apply.revertCommand,
        become: apply.become,
        change: apply.change,
        timeoutSec: apply.timeoutSec,
        expectSec: apply.expectSec,
      }),
      phase: 'prepare',
    });
  }
  // Modules the failed change deployed are not expected after the restore: keep only the other gates.
  for (const s of steps)
    if ((s.phase === 'start' && s.action !== 'wait-modules') || s.phase === 'return')
      if (s.action !== 'hook') out.push(copy(s));
  return out;
}

/** With `onFailure: halt`: what a failed node leaves for the post-mortem (the node itself stays as it is). */
export function haltSequence(node: ResolvedNode, health: ResolvedHealth): NodeStep[] {
  return [{ ...forensicsStep(node, health), phase: 'prepare' }];
}

function forensicsStep(node: ResolvedNode, health: ResolvedHealth): ForensicsStep {
  const log = health.marker?.log ?? health.modules.log;
  const home = shq(node.plan.liferayHome);
  const pid = node.service.pidCommand;
  const lines = [
    `echo '== last 200 lines of ${log.replace(/'/g, '')}'; tail -n 200 ${shq(log)} 2>&1`,
    pid
      ? `p=$(${pid}); if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; ` +
        `then echo '== thread dump (kill -3)'; s=$(wc -c < ${shq(log)}` +
        `); kill -3 "$p"; sleep 3; tail -c +$((s + 1)) ${shq(log)}` +
        ` | head -n 2000; else echo '== no running JVM: no thread dump'; fi`
      : "echo '== no pid known: no thread dump'",
    `echo '== patches'; if [ -x ${home}/patching-tool/patching-tool.sh ]; then (cd ${home}` +
      `/patching-tool && ./patching-tool.sh info 2>&1 | sed -n 's/^ *Currently installed ` +
      `patches:/patches:/p'); fi`,
    `echo '== modules'; ls -l ${home}/osgi/modules ${home}/osgi/war 2>&1`,
  ];
  return makeStep<ForensicsStep>({
    action: 'forensics',
    node: node.plan.name,
    title: 'collect the last log lines, a thread dump and the patch/module state',
    runOn: 'node',
    command: lines.join('\n'),
    become: node.become,
    timeoutSec: 120,
    expectSec: 5,
  });
}
