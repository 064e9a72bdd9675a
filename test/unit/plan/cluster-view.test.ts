import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runningMembers, startingLater } from '../../../src/domain/cluster-members.js';
import { someNames } from '../../../src/domain/name-list.js';
import { expectedView } from '../../../src/plan/cluster-view.js';
import type { Batch, CheckCapacityStep, Plan, WaitClusterStep } from '../../../src/plan/types.js';
import { loadPlan } from '../../helpers/fake-transport.js';

// The cluster-view gate expects the nodes the plan has running when the node starts: in a batch
// of two or more (and in a full restart) the batch-mates that start later are still down.

const later = (g: WaitClusterStep): string[] => startingLater(g.startOrder, g.node ?? '');

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
    expect(v.laterCount).toBe(down.length);
    expect(v.laterFirst).toEqual(down.slice(0, 3));
    expect(v.clusterNodes).toBe(all);
    expect(v.startOrder).toBe(order);
    expect(runningMembers(v.clusterNodes, startingLater(order, node))).toEqual(all.filter((n) => !down.includes(n)));
  });
});

describe('the compiled cluster gate', () => {
  it('serial 2 on five nodes: each first node of a batch waits for 4 members, the second for 5', async () => {
    const plan = await loadPlan('test/fixtures/playbooks/valid/cluster-gate-serial2.yml');
    expect(plan.batches.map((b) => b.nodes)).toEqual([['node1', 'node2'], ['node3', 'node4'], ['node5']]);
    expect(gates(plan).map((g) => [g.node, g.expectedSize, later(g)])).toEqual([
      ['node1', 4, ['node2']],
      ['node2', 5, []],
      ['node3', 4, ['node4']],
      ['node4', 5, []],
      ['node5', 5, []],
    ]);
    const first = gates(plan)[0] as WaitClusterStep;
    expect(runningMembers(first.clusterNodes, later(first))).toEqual(['node1', 'node3', 'node4', 'node5']);
    expect(first?.title).toBe('wait for the cluster view to reach 4 member(s) (node2 starts later)');
  });

  it('a full restart expects the nodes started so far: 1, 2, 3', async () => {
    const plan = await loadPlan('test/fixtures/playbooks/valid/cluster-gate-full.yml');
    expect(gates(plan).map((g) => [g.node, g.expectedSize, runningMembers(g.clusterNodes, later(g))])).toEqual([
      ['node1', 1, ['node1']],
      ['node2', 2, ['node1', 'node2']],
      ['node3', 3, ['node1', 'node2', 'node3']],
    ]);
  });

  it('a rollback restarts the node with the same expectation (its later batch-mates are still down)', async () => {
    const plan = await loadPlan('playbooks/fixpack.yml');
    const np = plan.batches[0]?.nodePlans[0];
    const inRollback = np?.rollback.find((s) => s.action === 'wait-cluster');
    expect(inRollback).toMatchObject({ expectedSize: 4, startOrder: [np?.node] });
  });
});

describe('a cluster gate in a large batch', () => {
  it('holds the one list of the cluster in every gate, one start order per batch, and names at most three nodes starting later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrroll-cluster-gate-'));
    try {
      const nodes = Array.from({ length: 60 }, (_, i) => `    - name: node${i + 1}`).join('\n');
      const file = join(dir, 'large.yml');
      writeFileSync(
        file,
        readFileSync('test/fixtures/playbooks/valid/cluster-gate-serial2.yml', 'utf8')
          .replace(/nodes:\n(    - name: node\d+\n)+/, `nodes:\n${nodes}\n`)
          .replace(/serial: 2/, 'serial: "50%"'),
      );
      const plan = await loadPlan(file);
      const all = gates(plan);
      expect(all).toHaveLength(60);
      // One list, not one per gate: per gate, the plan grew with the square of the nodes.
      expect(new Set(all.map((g) => g.clusterNodes)).size).toBe(1);
      expect(all[0]?.clusterNodes).toHaveLength(60);
      // And one start order per batch, not a list of the nodes starting later per gate (the square of the batch).
      expect(new Set(all.map((g) => g.startOrder)).size).toBe(2);
      expect(all.map((g) => later(g).length)).toEqual([
        ...Array.from({ length: 30 }, (_, i) => 29 - i),
        ...Array.from({ length: 30 }, (_, i) => 29 - i),
      ]);
      expect(all[0]?.expectedSize).toBe(31);
      expect(all[0]?.title).toBe(
        'wait for the cluster view to reach 31 member(s) (node2, node3, node4 and 26 more start later)',
      );
      expect(Math.max(...all.map((g) => g.title.length))).toBeLessThan(120);
      // The capacity checks of a batch (before it, and again before each node's drain) name the batch too: one list
      // per batch, and a title with at most three of its nodes.
      const checks = (b: Batch): CheckCapacityStep[] =>
        [...b.before, ...b.nodePlans.flatMap((np) => np.steps)].filter(
          (s): s is CheckCapacityStep => s.action === 'check-capacity',
        );
      for (const b of plan.batches) {
        expect(checks(b)).toHaveLength(31);
        expect(new Set(checks(b).map((c) => c.batchNodes)).size).toBe(1);
        expect(checks(b)[0]?.batchNodes).toEqual(b.nodes);
      }
      const first = checks(plan.batches[0] as Batch);
      expect(first[1]?.title).toBe(
        're-check right before the drain: at least 3 healthy node(s) stay while node1, node2, node3 and 27 more are out',
      );
      expect(Math.max(...first.map((c) => c.title.length))).toBeLessThan(120);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('someNames lists up to three names, then how many more', () => {
    expect(someNames([])).toBe('');
    expect(someNames(['a', 'b', 'c'])).toBe('a, b, c');
    expect(someNames(['a', 'b', 'c', 'd', 'e'])).toBe('a, b, c and 2 more');
  });
});
