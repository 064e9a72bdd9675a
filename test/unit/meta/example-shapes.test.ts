import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import type { Plan } from '../../../src/plan/types.js';

// Every example playbook plans, and its rollout shape — strategy, batch sizes, canary, pauses and
// health gates — is exercised by an end-to-end test on the real test cluster. A new example with
// a new shape fails here until an e2e test covers it (and is listed below).

/** The rollout shape of a plan, as the executor sees it. */
interface Shape {
  strategy: 'rolling' | 'full';
  /** The playbook's `serial`, as written. */
  serial: string;
  canary: boolean;
  pauseBetweenBatches: boolean;
  loadBalancer: string;
  /** The health gates of a node's start phase. */
  gates: string[];
}

/** The e2e tests and the shape of the playbook each one runs (kept in step with the test's YAML). */
const E2E: Array<{ file: string; test: string; shape: Shape }> = [
  {
    file: 'test/e2e/rolling.test.ts',
    test: 'rolls a properties + module change over 3 nodes under load with zero failed requests',
    shape: {
      strategy: 'rolling',
      serial: '1',
      canary: true,
      pauseBetweenBatches: false,
      loadBalancer: 'haproxy',
      gates: ['settle', 'wait-cluster', 'wait-http', 'wait-log-marker', 'wait-modules', 'warmup'],
    },
  },
  {
    file: 'test/e2e/rollout-shapes.test.ts',
    test: 'serial [1, 2, "50%"] with pauses and the cluster gate',
    shape: {
      strategy: 'rolling',
      serial: '[1,2,"50%"]',
      canary: false,
      pauseBetweenBatches: true,
      loadBalancer: 'haproxy',
      gates: ['settle', 'wait-cluster', 'wait-http', 'wait-log-marker'],
    },
  },
  {
    file: 'test/e2e/rollout-shapes.test.ts',
    test: 'serial 2 through a `type: command` load balancer',
    shape: {
      strategy: 'rolling',
      serial: '2',
      canary: false,
      pauseBetweenBatches: false,
      loadBalancer: 'command',
      gates: ['settle', 'wait-cluster', 'wait-http', 'wait-log-marker'],
    },
  },
  {
    file: 'test/e2e/rollout-shapes.test.ts',
    test: 'a full restart with every gate on',
    shape: {
      strategy: 'full',
      serial: '1',
      canary: false,
      pauseBetweenBatches: false,
      loadBalancer: 'haproxy',
      gates: ['settle', 'wait-cluster', 'wait-http', 'wait-log-marker', 'wait-modules', 'warmup'],
    },
  },
];

const GATES = new Set(['wait-log-marker', 'wait-http', 'wait-cluster', 'wait-modules', 'settle', 'warmup']);

function shapeOf(plan: Plan, raw: { serial?: unknown; canary?: unknown }): Shape {
  const steps = plan.batches[0]?.nodePlans[0]?.steps ?? [];
  return {
    strategy: plan.policy.strategy,
    serial: JSON.stringify(raw.serial ?? 1),
    canary: raw.canary !== undefined,
    pauseBetweenBatches: plan.policy.pauseBetweenBatches,
    loadBalancer: plan.loadBalancer.type,
    gates: [...new Set(steps.filter((s) => s.phase === 'start' && GATES.has(s.action)).map((s) => s.action))].sort(),
  };
}

/**
 * An e2e shape covers an example's when strategy and serial match, it has a canary and pauses when
 * the example does (a canary of one node with serial 1 batches like serial 1, plus a bake), and it
 * runs at least the example's gates.
 */
function covers(e2e: Shape, example: Shape): boolean {
  const sameSerial = example.strategy === 'full' || e2e.serial === example.serial;
  return (
    e2e.strategy === example.strategy &&
    sameSerial &&
    (e2e.canary || !example.canary) &&
    (e2e.pauseBetweenBatches || !example.pauseBetweenBatches) &&
    example.gates.every((g) => e2e.gates.includes(g))
  );
}

const examples = readdirSync('playbooks')
  .filter((f) => f.endsWith('.yml'))
  .sort();

describe("every example's rollout shape is exercised end to end", () => {
  it('the listed e2e tests exist', () => {
    for (const e of E2E) expect(readFileSync(e.file, 'utf8'), `${e.file}: ${e.test}`).toContain(e.test);
  });

  it.each(examples)('%s', async (name) => {
    const { plan, diagnostics } = await planPlaybook(`playbooks/${name}`, { vars: {}, limit: null });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    if (!plan) throw new Error(`${name} does not plan`);
    const raw = /^rollout:\n((?:[ #].*\n|\n)*)/m.exec(readFileSync(`playbooks/${name}`, 'utf8'))?.[1] ?? '';
    const serial = /^ {2}serial: (.+)$/m.exec(raw)?.[1]?.replace(/\s/g, '');
    const shape = shapeOf(plan, {
      serial: serial === undefined ? undefined : JSON.parse(serial.replace(/'/g, '"')),
      canary: /^ {2}canary:/m.test(raw) ? true : undefined,
    });
    const by = E2E.filter((e) => covers(e.shape, shape));
    expect(
      by.map((e) => e.test),
      `no e2e test runs the shape of ${name}: ${JSON.stringify(shape)}`,
    ).not.toEqual([]);
  });
});
