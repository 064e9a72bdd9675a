/**
 * The gates that follow a node's start, one step builder each: the startup marker, the HTTP probe, the cluster view,
 * the modules, the OSGi diagnostics, the settle pause and the warm-up. What each gate needs is its own type here;
 * `ResolvedHealth` (node-steps.ts) puts them together for one node.
 */
import { someNames } from '../domain/name-list.js';
import type { ExpectedView } from './cluster-view.js';
import { EXPECTED, PATTERNS, TIMINGS } from './defaults.js';
import { gogoCommand } from './gogo.js';
import { makeStep } from './step.js';
import { shq } from '../shell/quote.js';
import type { GogoCommand, LogGateCommands, Step, WaitClusterStep, WaitHttpStep, WaitOsgiStep } from './types.js';

export interface MarkerGate {
  log: string;
  timeoutSec: number;
}

export interface HttpGate {
  url: string;
  status: number[];
  bodyMatch: string | null;
  intervalSec: number;
  timeoutSec: number;
  successes: number;
  attemptSec: number;
}

export interface ClusterGate {
  log: string;
  view: ExpectedView;
  channels: string[];
  timeoutSec: number;
}

export interface ModulesGate {
  log: string;
  bundles: string[];
  timeoutSec: number;
}

export interface OsgiGate {
  port: number;
  commands: GogoCommand[];
  ignore: string[];
  intervalSec: number;
  attemptSec: number;
  successes: number;
  timeoutSec: number;
}

export interface WarmupGate {
  urls: string[];
  timeoutSec: number;
}

/**
 * The curl command the HTTP probe runs on the node: prints the body, then the status code on its own last line. `--`
 * ends the options, so no URL is ever read as one.
 */
export function httpProbeCommand(url: string, maxTimeSec = 10): string {
  return `curl -sS --max-time ${Math.max(1, Math.ceil(maxTimeSec))} -w '\\n%{http_code}' -- ${shq(url)}`;
}

export function markerGate(n: string, marker: MarkerGate, expectSec: number, commands: LogGateCommands): Step {
  return makeStep({
    action: 'wait-log-marker',
    node: n,
    title: 'wait for "Server startup in … ms" after this start',
    runOn: 'node',
    log: marker.log,
    pattern: PATTERNS.startupMarker,
    ...commands,
    timeoutSec: marker.timeoutSec,
    expectSec,
    waitsFor: `the Tomcat startup line in ${marker.log}`,
  });
}

/**
 * The cluster gate: the view must reach the nodes the plan has running when this node starts (its batch-mates that
 * start later are still down).
 */
export function clusterGate(n: string, c: ClusterGate, expectSec: number, commands: LogGateCommands): WaitClusterStep {
  const { size, clusterNodes, startOrder, laterCount, laterFirst } = c.view;
  const later =
    laterCount > 0 ? ` (${someNames(laterFirst, 3, laterCount)} ${laterCount === 1 ? 'starts' : 'start'} later)` : '';
  return makeStep<WaitClusterStep>({
    action: 'wait-cluster',
    node: n,
    title: `wait for the cluster view to reach ${size} member(s)${later}`,
    runOn: 'node',
    log: c.log,
    expectedSize: size,
    clusterNodes,
    startOrder,
    channels: c.channels,
    pattern: PATTERNS.clusterView,
    ...commands,
    timeoutSec: c.timeoutSec,
    expectSec,
    waitsFor: `"Accepted view … (${size})" or more on ${c.channels.join(' and ')}`,
  });
}

/** The modules gate: a STARTED line for every bundle the health section names or a change deploys. */
export function modulesGate(
  n: string,
  modules: ModulesGate,
  bundles: string[],
  expectSec: number,
  commands: LogGateCommands,
): Step {
  return makeStep({
    action: 'wait-modules',
    node: n,
    title: `wait for STARTED ${bundles.join(', ')}`,
    runOn: 'node',
    log: modules.log,
    bundles,
    pattern: PATTERNS.moduleStarted,
    ...commands,
    timeoutSec: modules.timeoutSec,
    expectSec,
    waitsFor: `STARTED lines for ${bundles.length} bundle(s)`,
  });
}

function inARow(successes: number): string {
  return successes > 1 ? `, ${successes} times in a row` : '';
}

export function httpGate(n: string, http: HttpGate, expectSec: number): WaitHttpStep {
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
export function osgiGate(n: string, osgi: OsgiGate): WaitOsgiStep {
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

export function settleStep(n: string, settleSec: number): Step {
  return makeStep({
    action: 'settle',
    node: n,
    title: `settle for ${settleSec}s (health.settle)`,
    seconds: settleSec,
    heartbeatSec: TIMINGS.gateHeartbeatSec,
    timeoutSec: settleSec + 5,
    expectSec: settleSec,
    waitsFor: `${settleSec}s`,
  });
}

export function warmupStep(n: string, warmup: WarmupGate): Step {
  return makeStep({
    action: 'warmup',
    node: n,
    title: `warm up ${warmup.urls.length} URL(s)`,
    runOn: 'node',
    command: warmup.urls
      .map((u) => `curl -sS -o /dev/null --max-time ${Math.ceil(warmup.timeoutSec)} -- ${shq(u)}`)
      .join(' && '),
    urls: warmup.urls,
    timeoutSec: warmup.timeoutSec,
    expectSec: EXPECTED.warmupSec,
  });
}
