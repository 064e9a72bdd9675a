// The rolling benchmark's analysis (the floor, the overhead split) and its report; see bench/README.md.

import { cpus, loadavg } from 'node:os';
import { ROOT, median, ms, pctOf, sum, table } from './harness.mjs';

/** The target: lrroll's overhead as a share of the floor. */
export const TARGET_PCT = 5;
/** Health-gate step actions (between service-start and lb-enable). */
const GATES = new Set(['wait-log-marker', 'wait-http', 'wait-cluster', 'wait-modules', 'settle', 'warmup']);
/** Node steps that are exactly one short SSH command (their duration ≈ the cost of one remote command). */
const ONE_COMMAND = new Set(['backup', 'apply', 'wait-http']);

/** SSH commands a step runs on the critical path (estimate from src/execute: one exec per command). */
function execsOf(step, events) {
  switch (step.action) {
    case 'check-reachable':
    case 'check-node-healthy':
    case 'check-disk':
    case 'backup':
    case 'apply':
    case 'verify':
      return 1;
    case 'service-stop':
      return 2; // stop command + status command
    case 'service-start':
      return 2; // log offset (wc -c) + start command
    case 'wait-http':
      return (
        1 + events.filter((e) => e.kind === 'step-output' && e.stepId === step.id && e.stream === 'progress').length
      );
    case 'consistency-check':
      return step.nodes ?? 0;
    default:
      return 0; // LB steps use the local admin socket; wait-log-marker's exec overlaps the start
  }
}

/** Figures of one run from lrroll's events, the sims' logs and the HAProxy samples. */
export function analyse(raw, sims, timeline, lockExecs) {
  const { events, tSpawn, tExit } = raw;
  const T = (e) => Date.parse(e.at);
  const ends = new Map(events.filter((e) => e.kind === 'step-end').map((e) => [e.stepId, e]));
  const steps = events
    .filter((e) => e.kind === 'step-start')
    .map((s) => {
      const end = ends.get(s.stepId);
      return {
        id: s.stepId,
        action: s.action,
        node: s.node,
        batch: s.batch,
        t0: T(s),
        t1: end ? T(end) : NaN,
        dur: end?.durationMs ?? NaN,
      };
    });
  const one = (kind, pred = () => true) => events.find((e) => e.kind === kind && pred(e));
  const all = (kind) => events.filter((e) => e.kind === kind);
  const runStart = T(one('run-start'));
  const runEnd = T(one('run-end'));
  const batchStarts = all('batch-start').map(T);
  const batchEnds = all('batch-end').map(T);
  const wall = tExit - tSpawn;
  const problems = [];

  const nodes = all('node-start').map((ns) => {
    const name = ns.node;
    const nodeStart = T(ns);
    const nodeEnd = T(one('node-end', (e) => e.node === name));
    const own = steps.filter((s) => s.node === name && s.batch !== null && s.t0 >= nodeStart && s.t0 <= nodeEnd);
    const step = (action) => {
      const s = own.find((x) => x.action === action);
      if (!s) throw new Error(`${name}: no ${action} step in the events`);
      return s;
    };
    const drain = step('lb-drain');
    const drained = step('lb-wait-drained');
    const stop = step('service-stop');
    const start = step('service-start');
    const marker = step('wait-log-marker');
    const enable = step('lb-enable');
    const waitUp = step('lb-wait-up');
    const gates = own.filter((s) => GATES.has(s.action) && s.t0 >= start.t0 && s.t1 <= enable.t0);
    const lastGate = gates[gates.length - 1] ?? marker;
    const sim = (event, after) => {
      const e = sims.find((x) => x.node === name && x.event === event && x.t >= after);
      if (!e) throw new Error(`${name}: no sim event=${event} after ${new Date(after).toISOString()}`);
      return e.t;
    };
    const simStop = sim('stop', stop.t0);
    const simExit = sim('exit', simStop);
    const simStart = sim('start', simExit);
    const simReady = sim('ready', simStart);
    const tl = timeline.get(name) ?? [];
    // Drain: HAProxy's sessions on the server when lb-drain returned; if > 0, the first sample with 0.
    const atDrain = [...tl].reverse().find((x) => x.t <= drain.t1);
    let drainZero = drain.t1;
    if (atDrain && atDrain.scur > 0) drainZero = tl.find((x) => x.t > drain.t1 && x.scur === 0)?.t ?? drained.t1;
    drainZero = Math.min(Math.max(drainZero, drain.t1), drained.t1);
    // LB rise: the first sample after lb-enable with a plain `UP` (what lb-wait-up waits for too).
    let lbUp = tl.find((x) => x.t >= enable.t0 && x.status === 'UP')?.t ?? waitUp.t1;
    lbUp = Math.min(Math.max(lbUp, enable.t1), waitUp.t1);

    const floor = {
      drain: drainZero - drain.t1,
      stop: simExit - simStop,
      start: simReady - simStart,
      rise: lbUp - enable.t1,
    };
    const seg = {
      lbDrain: drain.t1 - nodeStart + (drained.t1 - drainZero), // drain + MAINT commands, drain polling
      toSigterm: simStop - drained.t1, // stop step: SSH exec + catalina.sh until the SIGTERM lands
      stopDetect: stop.t1 - simExit, // catalina.sh's 0.1 s poll + lrroll's status command
      stopped: start.t0 - stop.t1, // backup + apply (+ verify) while stopped
      startLaunch: simStart - start.t0, // log offsets + start command + process launch
      markerReaction: marker.t1 - simReady, // ready line → wait-log-marker step-end
      gatesAfterMarker: lastGate.t1 - marker.t1, // wait-http (and any later gate)
      enable: enable.t1 - lastGate.t1,
      upReaction: waitUp.t1 - lbUp, // HAProxy UP → lb-wait-up step-end
      tail: nodeEnd - waitUp.t1,
    };
    for (const [k, v] of Object.entries({ ...floor, ...seg }))
      if (v < -5) problems.push(`${name}: ${k} = ${v} ms (events out of the expected order)`);
    const floorMs = sum(Object.values(floor));
    const durMs = nodeEnd - nodeStart;
    const intervals = [
      [drain.t1, drainZero],
      [simStop, simExit],
      [simStart, simReady],
      [enable.t1, lbUp],
    ];
    const floorOverlap = (s) => sum(intervals.map(([a, b]) => Math.max(0, Math.min(b, s.t1) - Math.max(a, s.t0))));
    return {
      name,
      durMs,
      floor,
      floorMs,
      overheadMs: durMs - floorMs,
      seg,
      readyToGatesMs: lastGate.t1 - simReady,
      stopStepMs: stop.dur,
      steps: own.map((s) => ({ action: s.action, dur: s.dur, floor: floorOverlap(s), execs: execsOf(s, events) })),
      timeline: {
        nodeStart,
        drainDone: drain.t1,
        drainZero,
        drained: drained.t1,
        stopStep: stop.t0,
        simStop,
        simExit,
        stopDone: stop.t1,
        startStep: start.t0,
        simStart,
        simReady,
        marker: marker.t1,
        gates: lastGate.t1,
        enabled: enable.t1,
        lbUp,
        waitUp: waitUp.t1,
        nodeEnd,
      },
    };
  });

  const nodeSpan = sum(nodes.map((n) => n.durMs));
  const batchSpan = sum(batchStarts.map((b, i) => (batchEnds[i] ?? b) - b));
  const betweenBatches = sum(batchStarts.slice(1).map((b, i) => b - (batchEnds[i] ?? b)));
  const run = {
    cliStart: runStart - tSpawn, // process start, load + validate + plan, until run-start
    preflight: (batchStarts[0] ?? runStart) - runStart, // SSH connect + checks (nodes in parallel)
    batchGates: batchSpan - nodeSpan + betweenBatches, // check-capacity before each batch
    final: runEnd - (batchEnds[batchEnds.length - 1] ?? runEnd), // consistency check
    exit: tExit - runEnd, // closing connections, process exit
  };
  const floorMs = sum(nodes.map((n) => n.floorMs));
  const overheadMs = wall - floorMs;
  const accounted = sum(Object.values(run)) + sum(nodes.map((n) => n.overheadMs));
  if (Math.abs(accounted - overheadMs) > 5)
    problems.push(`overhead parts add up to ${accounted} ms, not ${overheadMs} ms`);
  const phaseSteps = (prefix) =>
    steps.filter((s) => s.id.startsWith(prefix)).map((s) => ({ action: s.action, node: s.node, dur: s.dur }));
  // Critical-path SSH commands: preflight runs the nodes in parallel (count the longest chain), the rest is sequential.
  const planNodes = one('run-start')?.nodes ?? [];
  const execs = (s) =>
    execsOf({ ...s, nodes: s.action === 'consistency-check' ? planNodes.length : undefined }, events);
  const preflightChains = new Map();
  for (const s of steps.filter((x) => x.id.startsWith('preflight/')))
    preflightChains.set(s.node, (preflightChains.get(s.node) ?? 0) + execs(s));
  const criticalExecs =
    Math.max(0, ...preflightChains.values()) +
    sum(steps.filter((x) => !x.id.startsWith('preflight/')).map(execs)) +
    lockExecs;
  return {
    wall,
    floorMs,
    overheadMs,
    overheadPct: (100 * overheadMs) / floorMs,
    nodes,
    run,
    preflightSteps: phaseSteps('preflight/'),
    finalSteps: phaseSteps('run/finally/'),
    criticalExecs,
    problems,
  };
}

// ---------------------------------------------------------------------------------------------
// report

export function report(opts, env, runs, loads) {
  const out = [];
  const p = (s = '') => out.push(s);
  const med = (f) => median(runs.map(f));
  const nodeNames = runs[0].nodes.map((n) => n.name);
  const nodeMed = (name, f) => median(runs.map((r) => f(r.nodes.find((n) => n.name === name))));

  p('# lrroll rolling benchmark');
  p();
  p(
    `${opts.runs} run(s) of \`lrroll run … --yes --output json\` ` +
      `(portal-properties change, serial 1, settle 0s, drainTimeout 4s,`,
  );
  p(
    `pollInterval ${opts.lbPoll}, health.http.interval ${opts.httpInterval}) on ${opts.nodes}` +
      ` nodes behind HAProxy (check ${opts.checks ?? 'inter 300ms fall 2 rise 2'}` +
      `${opts.healthUp ? `, healthUpAfterProbe ${opts.healthUp}` : ''}),`,
  );
  p(
    `sim startMs ${opts.startMs} / stopMs ${opts.stopMs}, load ${opts.rps} req/s from ${opts.users}` +
      ` sticky users through HAProxy. Medians over the runs.`,
  );
  p(
    `lrroll ${env.version} from ${env.source === ROOT ? '' : `${env.source}/`}dist/ built ` +
      `${env.distBuilt}${env.snapshot ? ' (a copy taken at the start)' : ' (in place)'}; node ` +
      `${process.version}, ${cpus().length} CPU(s), ${env.haproxyVersion}; HAProxy sampled every ` +
      `${opts.sampleMs} ms.`,
  );
  p(
    `Load average (1 min) at the start ${env.loadBefore.toFixed(2)}, at the end ` +
      `${loadavg()[0].toFixed(2)}: everything (lrroll, sshd, sims, HAProxy, the ` +
      `load) shares these CPUs.`,
  );
  p();
  p('## Environment');
  p();
  p(
    `- SSH via lrroll's SshTransport (node1): connect ${ms(env.ssh.connectMs)}` +
      `, one command (\`true\`) ${ms(env.ssh.execMs)} (median of 10, idle cluster)`,
  );
  if (env.shell) {
    p(
      `- remote login shell ${env.shell.shell}: \`-c true\` ${ms(env.shell.plainMs)}, ` +
        `${ms(env.shell.sshdMs)} as sshd runs it (SSH_CLIENT set → ~/.bashrc sourced):`,
    );
    p(
      `  ${ms(env.shell.rcMs)} of every SSH command here is ${env.shell.home}` +
        `/.bashrc — this machine's, not lrroll's (the test "hosts" share it)`,
    );
  }
  p();

  p('## Wall time against the floor');
  p();
  p(
    'floor = Σ nodes (drain with sessions open + process stop + process start to ready + LB rise); ' +
      'overhead = wall − floor',
  );
  p();
  const rows = [['run', 'wall', 'floor', 'overhead', 'of floor', 'failed requests', 'status']];
  runs.forEach((r, i) =>
    rows.push([
      `#${i + 1}`,
      ms(r.wall),
      ms(r.floorMs),
      ms(r.overheadMs),
      pctOf(r.overheadMs, r.floorMs),
      `${loads[i].failed} / ${loads[i].total}`,
      r.status,
    ]),
  );
  rows.push([
    'median',
    ms(med((r) => r.wall)),
    ms(med((r) => r.floorMs)),
    ms(med((r) => r.overheadMs)),
    `${med((r) => r.overheadPct).toFixed(1)} %`,
    `${sum(loads.map((l) => l.failed))} / ${sum(loads.map((l) => l.total))} (all runs)`,
    '',
  ]);
  p(table(rows));
  p();
  const pct = med((r) => r.overheadPct);
  p(
    `TARGET  lrroll's overhead < ${TARGET_PCT} % of the floor: ${pct < TARGET_PCT ? 'PASS' : 'FAIL'}` +
      ` (median ${pct.toFixed(1)} %, ${ms(med((r) => r.overheadMs))} over ${ms(med((r) => r.floorMs))})`,
  );
  p();

  p('## Per node (medians)');
  p();
  const nrows = [['node', 'drain', 'stop', 'start→ready', 'LB rise', 'floor', 'node wall', 'overhead', 'of floor']];
  for (const name of nodeNames) {
    const f = (g) => nodeMed(name, g);
    nrows.push([
      name,
      ms(f((n) => n.floor.drain)),
      ms(f((n) => n.floor.stop)),
      ms(f((n) => n.floor.start)),
      ms(f((n) => n.floor.rise)),
      ms(f((n) => n.floorMs)),
      ms(f((n) => n.durMs)),
      ms(f((n) => n.overheadMs)),
      pctOf(
        f((n) => n.overheadMs),
        f((n) => n.floorMs),
      ),
    ]);
  }
  p(table(nrows));
  p(
    '  node wall = node-start → node-end; the run-level parts (CLI start, preflight, final checks…) ' +
      'are in the breakdown below.',
  );
  p();
  p('Latencies per node (medians):');
  p();
  const lrows = [
    [
      'node',
      'stop step',
      'sim stop→exit',
      'ready→marker end',
      'ready→gates end',
      'UP→wait-up end',
      'SIGTERM delay',
      'exit→stop end',
    ],
  ];
  for (const name of nodeNames) {
    const f = (g) => nodeMed(name, g);
    lrows.push([
      name,
      ms(f((n) => n.stopStepMs)),
      ms(f((n) => n.floor.stop)),
      ms(f((n) => n.seg.markerReaction)),
      ms(f((n) => n.readyToGatesMs)),
      ms(f((n) => n.seg.upReaction)),
      ms(f((n) => n.seg.toSigterm)),
      ms(f((n) => n.seg.stopDetect)),
    ]);
  }
  p(table(lrows));
  p();

  p('## Where the overhead goes (median per run, all nodes summed)');
  p();
  const nodeSum = (r, k) => sum(r.nodes.map((n) => n.seg[k]));
  const parts = [
    [`CLI start: load, validate, plan${env.lock ? ', run lock' : ''} (spawn → run-start)`, (r) => r.run.cliStart],
    ['preflight: SSH connect + checks, nodes in parallel', (r) => r.run.preflight],
    ['per-step latency: LB drain/MAINT commands + drain polling', (r) => nodeSum(r, 'lbDrain')],
    ['per-step latency: stop step start → SIGTERM', (r) => nodeSum(r, 'toSigterm')],
    ['per-step latency: process exit → stop step end', (r) => nodeSum(r, 'stopDetect')],
    ['per-step latency: backup + apply while stopped', (r) => nodeSum(r, 'stopped')],
    ['per-step latency: start step → process up (log offsets, start cmd)', (r) => nodeSum(r, 'startLaunch')],
    ['health-gate reaction: ready line → wait-log-marker end', (r) => nodeSum(r, 'markerReaction')],
    ['health-gate reaction: marker end → last gate end (wait-http)', (r) => nodeSum(r, 'gatesAfterMarker')],
    ['per-step latency: last gate → lb-enable end', (r) => nodeSum(r, 'enable')],
    ['LB-UP reaction: HAProxy UP → lb-wait-up end', (r) => nodeSum(r, 'upReaction')],
    ['per-step latency: after lb-wait-up → node-end', (r) => nodeSum(r, 'tail')],
    ['batch gates: check-capacity, between batches', (r) => r.run.batchGates],
    ['final checks: consistency check (run-end)', (r) => r.run.final],
    [`exit: run-end → process exit${env.lock ? ' (lock release, disconnect)' : ''}`, (r) => r.run.exit],
  ];
  const over = med((r) => r.overheadMs);
  const prow = [['part', 'median', 'of overhead', 'of floor']];
  for (const [label, f] of parts)
    prow.push([
      label,
      ms(med(f)),
      pctOf(med(f), over),
      pctOf(
        med(f),
        med((r) => r.floorMs),
      ),
    ]);
  prow.push([
    'total overhead',
    ms(over),
    '',
    pctOf(
      over,
      med((r) => r.floorMs),
    ),
  ]);
  p(table(prow));
  p('  (medians of each part need not add up exactly to the median total)');
  p();
  const groups = [
    ['CLI start + exit', (r) => r.run.cliStart + r.run.exit],
    ['preflight', (r) => r.run.preflight],
    [
      'per-step SSH/LB latency',
      (r) =>
        sum(
          ['lbDrain', 'toSigterm', 'stopDetect', 'stopped', 'startLaunch', 'enable', 'tail'].map((k) => nodeSum(r, k)),
        ) + r.run.batchGates,
    ],
    ['health-gate reaction', (r) => nodeSum(r, 'markerReaction') + nodeSum(r, 'gatesAfterMarker')],
    ['LB-UP reaction', (r) => nodeSum(r, 'upReaction')],
    ['final checks', (r) => r.run.final],
  ];
  const grows = [['group', 'median', 'of overhead']];
  for (const [label, f] of groups) grows.push([label, ms(med(f)), pctOf(med(f), over)]);
  p(table(grows));
  p();
  const fixed = med((r) => sum(Object.values(r.run)));
  const perNode = median(runs.flatMap((r) => r.nodes.map((n) => n.overheadMs)));
  p(
    `Fixed per run (CLI start, preflight, batch gates, final checks, exit): ${ms(fixed)}` +
      `; per node (node-start → node-end minus its floor): ${ms(perNode)}.`,
  );
  p(
    `The overhead does not grow with the floor: with the same overhead, a ${opts.nodes}` +
      `-node roll whose app servers take S s to start`,
  );
  p(
    `stays under ${TARGET_PCT} % once S ≳ ` +
      Math.ceil(
        ((fixed + opts.nodes * perNode) / (TARGET_PCT / 100) / opts.nodes -
          (med((r) => r.floorMs) / opts.nodes - opts.startMs)) /
          1000,
      ) +
      ` s (here ${(opts.startMs / 1000).toFixed(1)} s).`,
  );
  p();
  const execs = med((r) => r.criticalExecs);
  const oneCmd = median(
    runs.flatMap((r) =>
      r.nodes.flatMap((n) => n.steps.filter((s) => ONE_COMMAND.has(s.action) && s.execs === 1).map((s) => s.dur)),
    ),
  );
  p(
    `SSH commands on the critical path (counted from the steps` +
      `${env.lock ? ', + 2 for the run lock' : ''}, see README): ${execs} per run.`,
  );
  p(
    `One SSH command during the runs (median of the backup, apply and wait-http steps): ${ms(oneCmd)}` +
      `; at idle: ${ms(env.ssh.execMs)}.`,
  );
  p(
    `  ${execs} × ${ms(oneCmd)} ≈ ${ms(execs * oneCmd)} = ${pctOf(execs * oneCmd, over)}` +
      ` of the overhead is starting remote commands one after another.`,
  );
  if (env.shell) {
    // both are noisy; ~/.bashrc cannot cost more than the whole command
    const rcEach = Math.min(env.shell.rcMs, oneCmd);
    const rc = execs * rcEach;
    p(
      `  Of that, about ${ms(rc)} (${execs} × ${ms(rcEach)}) is this machine's ${env.shell.home}` +
        `/.bashrc; without it the overhead would be about`,
    );
    p(
      `  ${ms(over - rc)} = ${pctOf(
        over - rc,
        med((r) => r.floorMs),
      )} of the floor (an estimate, not used for PASS/FAIL).`,
    );
  }
  p();

  p('## Step durations (median per node, all runs)');
  p();
  const byAction = new Map();
  for (const r of runs)
    for (const n of r.nodes) for (const s of n.steps) byAction.set(s.action, [...(byAction.get(s.action) ?? []), s]);
  const srows = [['node step', 'duration', 'floor inside', 'overhead']];
  for (const [action, list] of byAction)
    srows.push([
      action,
      ms(median(list.map((s) => s.dur))),
      ms(median(list.map((s) => s.floor))),
      ms(median(list.map((s) => s.dur - s.floor))),
    ]);
  const run1 = (list) => {
    const m = new Map();
    for (const s of list) m.set(s.action, [...(m.get(s.action) ?? []), s.dur]);
    return m;
  };
  for (const [action, durs] of run1(runs.flatMap((r) => r.preflightSteps)))
    srows.push([`preflight ${action}`, ms(median(durs)), '', '']);
  for (const [action, durs] of run1(runs.flatMap((r) => r.finalSteps)))
    srows.push([`final ${action}`, ms(median(durs)), '', '']);
  p(table(srows));
  p('  each column is its own median; "floor inside" = the part of the step inside the floor intervals above');
  p();

  p('## Load through HAProxy');
  p();
  loads.forEach((l, i) => {
    const first = l.failures
      .slice(0, 3)
      .map((f) => `${f.node ?? '?'}: ${f.status ?? f.error}`)
      .join('; ');
    p(
      `  run #${i + 1}: ${l.total} requests, ${l.failed} failed` +
        `${l.failed ? ` (${first}${l.failed > 3 ? '; …' : ''})` : ''}, ${l.switches} node switches`,
    );
  });
  p(`  failed requests, all runs: ${sum(loads.map((l) => l.failed))}`);
  const problems = runs.flatMap((r, i) => r.problems.map((x) => `run #${i + 1}: ${x}`));
  if (problems.length) {
    p();
    p('## Measurement warnings');
    for (const x of problems) p(`  ${x}`);
  }
  if (opts.verbose) {
    p();
    p('## Timelines (ms since node-start)');
    runs.forEach((r, i) => {
      for (const n of r.nodes) {
        const t0 = n.timeline.nodeStart;
        p(
          `  run #${i + 1} ${n.name}: ${Object.entries(n.timeline)
            .map(([k, v]) => `${k} ${v - t0}`)
            .join(', ')}`,
        );
      }
    });
  }
  return out.join('\n');
}

/** With `--health-up both`: the runs with and without `health up`, side by side, medians over each mode's runs. */
export function healthUpComparison(results) {
  const of = (mode) => results.filter((r) => r.healthUp === mode);
  const nodes = (mode, f) => median(of(mode).flatMap((r) => r.nodes.map(f)));
  const row = (label, f, perNode = true) => {
    const on = perNode ? nodes('on', f) : median(of('on').map(f));
    const off = perNode ? nodes('off', f) : median(of('off').map(f));
    return [label, ms(on), ms(off), off > 0 ? (on / off).toFixed(2) : 'n/a'];
  };
  return [
    '',
    `## healthUpAfterProbe on vs off (${of('on').length} + ${of('off').length} alternating runs, medians)`,
    '',
    table([
      ['figure', 'on', 'off', 'on / off'],
      row('wall time per run', (r) => r.wall, false),
      row('per node: drain → back UP (node wall)', (n) => n.durMs),
      row('per node: lb-enable done → HAProxy plain UP', (n) => n.floor.rise),
      row('per node: overhead over its floor', (n) => n.overheadMs),
    ]),
  ].join('\n');
}
