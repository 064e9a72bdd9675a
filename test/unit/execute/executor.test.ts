import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEndEvent, RunEvent, StepEndEvent, StepStartEvent } from '../../../src/execute/events.js';
import type { Plan } from '../../../src/plan/types.js';
import type { FakeLb } from '../../helpers/fake-lb.js';
import { createHarness, loadPlan } from '../../helpers/fake-transport.js';
import { HAPROXY_RESTART_LINES } from '../../helpers/playbook-lines.js';

// The executor against real compiled plans, with fake transports, a fake LB and virtual time.
// Assertions read the recorded event list and the fakes' call logs, never rendered text.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let validateEvent: ValidateFunction;

beforeAll(() => {
  const schema = JSON.parse(readFileSync(`${ROOT}schemas/events.schema.json`, 'utf8')) as object;
  validateEvent = new Ajv({ allErrors: true, strict: true, discriminator: true, allowUnionTypes: true }).compile(
    schema,
  );
});

const starts = (events: RunEvent[], node?: string): StepStartEvent[] =>
  events.filter((e): e is StepStartEvent => e.kind === 'step-start' && (node === undefined || e.node === node));
const ends = (events: RunEvent[]): StepEndEvent[] => events.filter((e): e is StepEndEvent => e.kind === 'step-end');
const runEnd = (events: RunEvent[]): RunEndEvent => events[events.length - 1] as RunEndEvent;
const indexOf = (events: RunEvent[], pred: (e: RunEvent) => boolean): number => events.findIndex(pred);
const startIndex = (events: RunEvent[], stepId: string): number =>
  indexOf(events, (e) => e.kind === 'step-start' && e.stepId === stepId);
const endIndex = (events: RunEvent[], stepId: string): number =>
  indexOf(events, (e) => e.kind === 'step-end' && e.stepId === stepId);

/**
 * Every event matches events.schema.json; run-start first, run-end last; every start has one end, later, and time never
 * goes back.
 */
function expectWellFormed(events: RunEvent[]): void {
  for (const e of events)
    expect(validateEvent(e), `${JSON.stringify(e)}: ${JSON.stringify(validateEvent.errors)}`).toBe(true);
  expect(events[0]?.kind).toBe('run-start');
  expect(events[events.length - 1]?.kind).toBe('run-end');
  expect(events.filter((e) => e.kind === 'run-start' || e.kind === 'run-end')).toHaveLength(2);
  const pairs: Array<[RunEvent['kind'], RunEvent['kind'], (e: RunEvent) => string]> = [
    ['step-start', 'step-end', (e) => (e as StepStartEvent).stepId],
    ['node-start', 'node-end', (e) => `${(e as { node: string }).node}`],
    ['batch-start', 'batch-end', (e) => `${(e as { batch: number }).batch}`],
    ['phase-start', 'phase-end', (e) => `${(e as { phase: string }).phase}`],
  ];
  for (const [open, close, key] of pairs) {
    const opened = new Map<string, number>();
    events.forEach((e, i) => {
      if (e.kind === open) {
        expect(opened.has(key(e)), `${open} ${key(e)} twice`).toBe(false);
        opened.set(key(e), i);
      }
      if (e.kind === close) {
        expect(opened.has(key(e)), `${close} ${key(e)} without ${open}`).toBe(true);
        opened.delete(key(e));
      }
    });
    expect([...opened.keys()], `${open} without ${close}`).toEqual([]);
  }
  const times = events.map((e) => Date.parse(e.at));
  expect(times).toEqual([...times].sort((a, b) => a - b));
}

/** The most members out of rotation at once, from the driver's call log (drain/disable take out, enable puts back). */
function maxOutAtOnce(lb: FakeLb): number {
  const out = new Set<string>();
  let max = 0;
  for (const c of lb.calls) {
    if (!c.member) continue;
    if (c.op === 'drain' || c.op === 'disable') out.add(c.member);
    if (c.op === 'enable') out.delete(c.member);
    max = Math.max(max, out.size);
  }
  return max;
}

const KEY_CALLS = ['lb:drain', 'lb:disable', 'service-stop', 'backup', 'apply', 'verify', 'service-start', 'lb:enable'];

describe('a successful rolling run (playbooks/module.yml, 3 nodes, serial 1)', () => {
  let plan: Plan;
  let h: ReturnType<typeof createHarness>;

  beforeAll(async () => {
    plan = await loadPlan('playbooks/module.yml');
    h = createHarness(plan);
    await h.run();
  });

  it('emits, per node, exactly the plan’s steps in the plan’s order', () => {
    for (const np of plan.batches.flatMap((b) => b.nodePlans)) {
      const nodeSteps = starts(h.events, np.node).filter((e) => e.batch !== null);
      expect(nodeSteps.map((e) => e.stepId)).toEqual(np.steps.map((s) => s.id));
      expect(nodeSteps.map((e) => e.action)).toEqual(np.steps.map((s) => s.action));
    }
    expect(
      starts(h.events)
        .filter((e) => e.stepId.startsWith('preflight/'))
        .map((e) => e.stepId)
        .sort(),
    ).toEqual(plan.preflight.map((s) => s.id).sort());
    expect(
      starts(h.events)
        .filter((e) => e.stepId.startsWith('run/finally/'))
        .map((e) => e.stepId),
    ).toEqual(plan.finally.map((s) => s.id));
    expect(ends(h.events).filter((e) => e.status !== 'ok')).toEqual([]);
  });

  it('emits a well-formed stream: schema-valid, run-start first, run-end last, every start ended', () => {
    expectWellFormed(h.events);
    expect(h.events.filter((e) => e.kind === 'batch-start').map((e) => (e as { nodes: string[] }).nodes)).toEqual([
      ['node1'],
      ['node2'],
      ['node3'],
    ]);
  });

  it('ends ok with every node ok, in rotation and updated', () => {
    const end = runEnd(h.events);
    expect(end).toMatchObject({ kind: 'run-end', status: 'ok', reason: null });
    expect(end.nodes.map((n) => n.node)).toEqual(['node1', 'node2', 'node3']);
    for (const n of end.nodes) {
      expect(n).toMatchObject({ status: 'ok', inRotation: true, updated: true, failedStep: null });
      expect(n.outOfRotationMs).toBeGreaterThan(0);
      expect(n.state).toBe('app server running, in the load balancer, updated');
    }
  });

  it('drains → waits → stops → backs up → applies → starts → enables each node, one node after the other', () => {
    for (const node of ['node1', 'node2', 'node3']) {
      const t = h.timeline(node);
      expect(t.filter((w) => KEY_CALLS.includes(w))).toEqual(KEY_CALLS);
      const drained = t.indexOf('lb:drain');
      expect(t.slice(drained + 1, t.indexOf('lb:disable'))).toContain('lb:state');
      // the log size is recorded right before the start, and the gate follows the log after it
      expect(t.slice(t.indexOf('verify'), t.indexOf('service-start') + 1).filter((w) => w !== 'status')).toEqual([
        'verify',
        'log-size',
        'service-start',
      ]);
      expect(t.slice(t.indexOf('service-start'), t.indexOf('lb:enable'))).toEqual(
        expect.arrayContaining(['log-tail', 'http']),
      );
    }
    const firstDrain = (m: string): number => h.lb?.callsFor(m, 'drain')[0]?.seq ?? -1;
    const lastEnable = (m: string): number => h.lb?.callsFor(m, 'enable').at(-1)?.seq ?? -1;
    expect(lastEnable('node1')).toBeLessThan(firstDrain('node2'));
    expect(lastEnable('node2')).toBeLessThan(firstDrain('node3'));
    expect(maxOutAtOnce(h.lb as FakeLb)).toBe(1);
  });

  it('uploads the artifact to every node during preflight, before any node is drained', () => {
    const upload = plan.preflight.find((s) => s.action === 'upload');
    expect(h.cluster.puts.map((p) => [p.host, p.remotePath])).toEqual(
      expect.arrayContaining(
        ['node1', 'node2', 'node3'].map((n) => [n, upload?.action === 'upload' ? upload.remotePath : '']),
      ),
    );
    expect(h.cluster.puts).toHaveLength(3);
    const firstDrain = Math.min(...(h.lb?.callsFor('node1', 'drain') ?? []).map((c) => c.seq));
    for (const p of h.cluster.puts) expect(p.seq).toBeLessThan(firstDrain);
  });

  it('runs the consistency check once on every node after the last batch', () => {
    for (const node of ['node1', 'node2', 'node3']) {
      expect(h.cluster.callsTo(node, 'fingerprint')).toHaveLength(1);
      expect(h.cluster.callsTo(node, 'fingerprint')[0]?.seq).toBeGreaterThan(
        h.lb?.callsFor('node3', 'enable')[0]?.seq ?? Infinity,
      );
    }
  });
});

describe('nodes of one batch start one at a time, in batch order', () => {
  let plan: Plan;
  let h: ReturnType<typeof createHarness>;

  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lrroll-batch3-'));
    const file = join(dir, 'serial3.yml');
    writeFileSync(
      file,
      [
        'lrroll: 1',
        'name: Batch of three',
        'inventory:',
        '  nodes:',
        '    - name: node1',
        '    - name: node2',
        '    - name: node3',
        ...HAPROXY_RESTART_LINES,
        'rollout:',
        '  serial: 3',
        '  minHealthy: 0',
        '',
      ].join('\n'),
    );
    plan = await loadPlan(file);
    h = createHarness(plan);
    // node1 takes a while to write its startup marker: the others must wait for it
    h.cluster.host('node1').startupDelayMs = 90_000;
    h.cluster.host('node2').startupDelayMs = 30_000;
    await h.run();
  });

  it('compiles to one batch of three', () => {
    expect(plan.batches.map((b) => b.nodes)).toEqual([['node1', 'node2', 'node3']]);
    expect(runEnd(h.events).status).toBe('ok');
    expectWellFormed(h.events);
  });

  it('drains and stops the whole batch before the first start', () => {
    const lastStop = Math.max(
      ...['node1', 'node2', 'node3'].flatMap((n) => h.cluster.callsTo(n, 'service-stop').map((c) => c.seq)),
    );
    const firstStart = Math.min(
      ...['node1', 'node2', 'node3'].flatMap((n) => h.cluster.callsTo(n, 'service-start').map((c) => c.seq)),
    );
    expect(lastStop).toBeLessThan(firstStart);
    expect(maxOutAtOnce(h.lb as FakeLb)).toBe(3);
  });

  it('starts node2 only after node1’s health gate passed, and node3 only after node2’s', () => {
    const ids = (n: string): Record<string, string> =>
      Object.fromEntries(
        (plan.batches[0]?.nodePlans.find((np) => np.node === n)?.steps ?? []).map((s) => [s.action, s.id]),
      );
    const [n1, n2, n3] = [ids('node1'), ids('node2'), ids('node3')];
    const ev = h.events;
    expect(
      starts(ev)
        .filter((e) => e.action === 'service-start')
        .map((e) => e.node),
    ).toEqual(['node1', 'node2', 'node3']);
    for (const [prev, next] of [
      [n1, n2],
      [n2, n3],
    ] as const) {
      for (const gate of ['wait-log-marker', 'wait-http']) {
        const passed = endIndex(ev, prev[gate] ?? '');
        expect(ev[passed]).toMatchObject({ status: 'ok' });
        expect(startIndex(ev, next['service-start'] ?? '')).toBeGreaterThan(passed);
      }
    }
    // the call log agrees: no start command reaches node2 before node1 answered its last HTTP probe
    const lastProbe1 = h.cluster.callsTo('node1', 'http').at(-1)?.seq ?? Infinity;
    expect(h.cluster.callsTo('node2', 'service-start')[0]?.seq).toBeGreaterThan(lastProbe1);
    expect(ends(ev).find((e) => e.stepId === n1['wait-log-marker'])?.durationMs ?? 0).toBeGreaterThanOrEqual(90_000);
  });
});

describe('strategy: full (playbooks/full-restart.yml)', () => {
  let plan: Plan;
  let h: ReturnType<typeof createHarness>;

  beforeAll(async () => {
    plan = await loadPlan('playbooks/full-restart.yml');
    h = createHarness(plan);
    h.cluster.host('node3').startupDelayMs = 10_000;
    await h.run();
  });

  it('ends ok with every node back', () => {
    expect(plan.policy.strategy).toBe('full');
    expect(plan.batches).toHaveLength(1);
    expect(runEnd(h.events)).toMatchObject({ status: 'ok' });
    expect(runEnd(h.events).nodes.every((n) => n.status === 'ok' && n.inRotation && n.updated)).toBe(true);
    expectWellFormed(h.events);
  });

  it('starts no node before every node finished its prepare phase', () => {
    const ev = h.events;
    const lastPrepareEnd = Math.max(
      ...(plan.batches[0]?.nodePlans ?? []).flatMap((np) =>
        np.steps.filter((s) => s.phase === 'prepare').map((s) => endIndex(ev, s.id)),
      ),
    );
    const firstStart = Math.min(
      ...starts(ev)
        .filter((e) => e.action === 'service-start')
        .map((e) => ev.indexOf(e)),
    );
    expect(lastPrepareEnd).toBeGreaterThan(0);
    expect(firstStart).toBeGreaterThan(lastPrepareEnd);
    const lastApply = Math.max(
      ...['node1', 'node2', 'node3'].flatMap((n) => h.cluster.callsTo(n, 'verify').map((c) => c.seq)),
    );
    const firstStartCmd = Math.min(
      ...['node1', 'node2', 'node3'].flatMap((n) => h.cluster.callsTo(n, 'service-start').map((c) => c.seq)),
    );
    expect(firstStartCmd).toBeGreaterThan(lastApply);
  });

  it('starts the first node alone until it is up, then the others one at a time', () => {
    const ev = h.events;
    const np = plan.batches[0]?.nodePlans ?? [];
    const settle = (i: number): string => np[i]?.steps.find((s) => s.action === 'settle')?.id ?? '';
    const start = (i: number): string => np[i]?.steps.find((s) => s.action === 'service-start')?.id ?? '';
    expect(startIndex(ev, start(1))).toBeGreaterThan(endIndex(ev, settle(0)));
    expect(startIndex(ev, start(2))).toBeGreaterThan(endIndex(ev, settle(1)));
  });

  it('runs the beforeRun hook before the first drain and the afterRun hook after the last node is back', () => {
    const hooks = h.cluster.callsTo('local', 'hook');
    expect(hooks.map((c) => c.command)).toEqual([
      plan.beforeRun[0]?.command,
      plan.finally.find((s) => s.action === 'hook')?.command,
    ]);
    const drains = (h.lb?.calls ?? []).filter((c) => c.op === 'drain').map((c) => c.seq);
    const enables = (h.lb?.calls ?? []).filter((c) => c.op === 'enable').map((c) => c.seq);
    expect(hooks[0]?.seq).toBeLessThan(Math.min(...drains));
    expect(hooks[1]?.seq).toBeGreaterThan(Math.max(...enables));
  });
});
