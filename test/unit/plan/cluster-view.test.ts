import { describe, expect, it } from 'vitest';
import { expectedView } from '../../../src/plan/cluster-view.js';
import type { Plan, WaitClusterStep } from '../../../src/plan/types.js';
import { loadPlan } from '../../helpers/fake-transport.js';

// The cluster-view gate expects the nodes the plan has running when the node starts: in a batch
// of two or more (and in a full restart) the batch-mates that start later are still down.

const gates = (plan: Plan): WaitClusterStep[] =>
  plan.batches
    .flatMap((b) => b.nodePlans.flatMap((np) => np.steps))
    .filter((s): s is WaitClusterStep & { phase: 'start' } => s.action === 'wait-cluster');

describe('expectedView', () => {
  const all = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];
  it.each([
    ['serial 1', ['n3'], 'n3', null, 6, []],
    ['serial 2, first of the batch', ['n3', 'n4'], 'n3', null, 5, ['n4']],
    ['serial 2, second of the batch', ['n3', 'n4'], 'n4', null, 6, []],
    ['"50%": first of three', ['n4', 'n5', 'n6'], 'n4', null, 4, ['n5', 'n6']],
    ['full restart: first node', all, 'n1', null, 1, ['n2', 'n3', 'n4', 'n5', 'n6']],
    ['full restart: third node', all, 'n3', null, 3, ['n4', 'n5', 'n6']],
    ['declared size 8 (two members outside the inventory), first of two', ['n1', 'n2'], 'n1', 8, 7, ['n2']],
  ])('%s', (_, order, node, declared, size, down) => {
    const v = expectedView(all, order, node, declared);
    expect(v.size).toBe(size);
    expect(v.down).toEqual(down);
    expect(v.members).toEqual(all.filter((n) => !down.includes(n)));
  });
});

describe('the compiled cluster gate', () => {
  it('serial 2 on five nodes: each first node of a batch waits for 4 members, the second for 5', async () => {
    const plan = await loadPlan('test/fixtures/playbooks/valid/cluster-gate-serial2.yml');
    expect(plan.batches.map((b) => b.nodes)).toEqual([['node1', 'node2'], ['node3', 'node4'], ['node5']]);
    expect(gates(plan).map((g) => [g.node, g.expectedSize, g.startingLater])).toEqual([
      ['node1', 4, ['node2']],
      ['node2', 5, []],
      ['node3', 4, ['node4']],
      ['node4', 5, []],
      ['node5', 5, []],
    ]);
    const first = gates(plan)[0];
    expect(first?.members).toEqual(['node1', 'node3', 'node4', 'node5']);
    expect(first?.title).toBe('wait for the cluster view to reach 4 member(s) (node2 starts later)');
  });

  it('a full restart expects the nodes started so far: 1, 2, 3', async () => {
    const plan = await loadPlan('test/fixtures/playbooks/valid/cluster-gate-full.yml');
    expect(gates(plan).map((g) => [g.node, g.expectedSize, g.members])).toEqual([
      ['node1', 1, ['node1']],
      ['node2', 2, ['node1', 'node2']],
      ['node3', 3, ['node1', 'node2', 'node3']],
    ]);
  });

  it('a rollback restarts the node with the same expectation (its later batch-mates are still down)', async () => {
    const plan = await loadPlan('playbooks/fixpack.yml');
    const np = plan.batches[0]?.nodePlans[0];
    const inRollback = np?.rollback.find((s) => s.action === 'wait-cluster');
    expect(inRollback).toMatchObject({ expectedSize: 4, startingLater: [] });
  });
});
