import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LeftOut } from '../../../src/app/reconcile.js';
import { nodesAtRefusal } from '../../../src/app/refuse.js';
import type { LbDriver, MemberState } from '../../../src/execute/lb/driver.js';
import { MultiLbDriver } from '../../../src/execute/lb/instances.js';
import { currentStepId } from '../../../src/execute/step-scope.js';
import type { Transport } from '../../../src/execute/transport.js';
import type { Plan } from '../../../src/plan/types.js';
import { loadPlan } from '../../helpers/fake-transport.js';

// A run refused before changing anything says where each node stands in the load balancer, read with
// the same planned steps as `lrroll status` (plan.cluster.statusLb), under their step ids.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-refuse-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function pairPlan(): Promise<Plan> {
  const file = join(dir, 'pb.yml');
  writeFileSync(
    file,
    [
      'lrroll: 1',
      'name: refused',
      'inventory:',
      '  defaults: { transport: local, liferayHome: /opt/liferay }',
      '  nodes: [{ name: node1 }, { name: node2 }, { name: node3 }, { name: node4 }]',
      'loadBalancer:',
      '  type: haproxy',
      '  backend: liferay',
      '  instances:',
      '    - { name: lb1, socket: /run/haproxy/lb1.sock }',
      '    - { name: lb2, socket: /run/haproxy/lb2.sock }',
      'change: { type: restart }',
    ].join('\n'),
  );
  return loadPlan(file);
}

/** A load-balancer instance that answers `members` with fixed states, noting the plan step it ran under. */
function instance(states: Record<string, MemberState['state']> | Error, seen: (string | null)[]): LbDriver {
  const fail = (): never => {
    throw new Error('not used');
  };
  return {
    drain: fail,
    disable: fail,
    enable: fail,
    state: fail,
    close: async () => {},
    members: async () => {
      seen.push(currentStepId());
      if (states instanceof Error) throw states;
      return new Map(Object.entries(states).map(([m, state]) => [m, { state, raw: state, sessions: null }]));
    },
  };
}

const noTransport = {} as Transport;

describe('nodesAtRefusal', () => {
  it('reads each instance under its status step; a member out on either instance of a pair is OUT', async () => {
    const plan = await pairPlan();
    const seen: (string | null)[] = [];
    const driver = new MultiLbDriver([
      { name: 'lb1', driver: instance({ node1: 'UP', node2: 'UP', node3: 'UNKNOWN', node4: 'DRAIN' }, seen) },
      { name: 'lb2', driver: instance({ node1: 'MAINT', node2: 'UP', node3: 'UNKNOWN', node4: 'MAINT' }, seen) },
    ]);
    const nodes = await nodesAtRefusal(plan, [], { driver, transport: noTransport, secrets: {} });
    expect(seen.sort()).toEqual(plan.cluster.statusLb.map((s) => s.id).sort());
    expect(seen).toHaveLength(2);
    // As a run combines them: the state furthest out (MAINT over DRAIN), each instance named.
    expect(nodes.map((n) => [n.node, n.inRotation, n.state])).toEqual([
      ['node1', false, 'not touched by this run; OUT of the load balancer (lb1: UP, lb2: MAINT)'],
      ['node2', true, 'not touched by this run; in the load balancer'],
      ['node3', null, 'not touched by this run; load-balancer state not read'],
      ['node4', false, 'not touched by this run; OUT of the load balancer (lb1: DRAIN, lb2: MAINT)'],
    ]);
  });

  it('a run record that left a node out speaks for it when no instance answers', async () => {
    const plan = await pairPlan();
    const down = new Error('connection refused');
    const driver = new MultiLbDriver([
      { name: 'lb1', driver: instance(down, []) },
      { name: 'lb2', driver: instance(down, []) },
    ]);
    const nodes = await nodesAtRefusal(
      plan,
      [{ node: 'node2', member: 'node2', runId: 'r-1', runDir: '/x', lb: 'out' } as LeftOut],
      {
        driver,
        transport: noTransport,
        secrets: {},
      },
    );
    expect(nodes.map((n) => [n.node, n.inRotation, n.state])).toEqual([
      ['node1', null, 'not touched by this run; load-balancer state not read'],
      ['node2', false, 'not touched by this run; OUT of the load balancer since run r-1'],
      ['node3', null, 'not touched by this run; load-balancer state not read'],
      ['node4', null, 'not touched by this run; load-balancer state not read'],
    ]);
  });
});
