// Nodes alike are planned alike: in every example playbook (and ten generated alike nodes), two nodes whose settings
// are the same (paths, ports, service, SSH user…), whose batches are the same size, who have the same run-once duties
// and, with the cluster-view gate, the same number of batch-mates starting after them get the very same steps — in
// their batch, in preflight, in the final steps and in the cluster sections (lock, reconcile, status, clean, facts,
// diff) — once what tells them apart is written as a placeholder: their name, host and load-balancer member, their
// batch's number and batch-mates, and the lists that describe the rest of the cluster from where they stand (the
// nodes outside the batch, the cluster's members, their batch's start order). A step that depended on anything else (a
// node's position in the inventory, another node's paths) would show here. It is also the list of what a step
// template shared by such nodes has to bind.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import type { Batch, NodePlan, Plan, PlanNode } from '../../../src/plan/types.js';
import { HAPROXY_RESTART_LINES } from '../../helpers/playbook-lines.js';

const PLAYBOOKS = fileURLToPath(new URL('../../../playbooks/', import.meta.url));
const examples = readdirSync(PLAYBOOKS)
  .filter((f) => f.endsWith('.yml'))
  .sort();

/** Lists that describe the rest of the cluster as seen from one node: different for each position by design. */
const POSITIONAL_LISTS = new Set(['others', 'startOrder', 'clusterNodes', 'batchNodes']);

async function planOf(file: string): Promise<Plan> {
  const { plan, diagnostics } = await planPlaybook(file, { vars: {}, limit: null });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  if (!plan) throw new Error(`no plan for ${file}`);
  return plan;
}

/**
 * What two nodes must share to be planned alike: every setting but who they are, the size and kind of their batch, the
 * final steps only some nodes have (the cluster-wide cache clear runs on one node), and with the cluster-view gate how
 * many of their batch start after them (the view each waits for is smaller by that many).
 */
function shapeOf(plan: Plan, nodePlan: NodePlan, node: PlanNode, batch: Batch): string {
  const { name: _name, host: _host, member: _member, ...settings } = node;
  const duties = plan.finally
    .filter((s) => s.node === node.name)
    .map((s) => s.action)
    .filter((action) => plan.nodes.some((n) => !plan.finally.some((s) => s.node === n.name && s.action === action)));
  const startingAfter = nodePlan.steps.some((s) => s.action === 'wait-cluster')
    ? batch.nodes.length - 1 - batch.nodes.indexOf(node.name)
    : null;
  return JSON.stringify({ settings, batchSize: batch.nodes.length, canary: batch.canary, duties, startingAfter });
}

/**
 * The node's steps with who it is written as placeholders (the longest value first: a host may contain the name, the
 * batch's list of names contains it).
 */
function normalised(steps: unknown, node: PlanNode, batch: Batch): string {
  let text = JSON.stringify(steps, (key, value: unknown) => (POSITIONAL_LISTS.has(key) ? '<list>' : value));
  const names: Array<[string, string]> = [
    [batch.nodes.join(', '), '{batch}'],
    [node.host, '{host}'],
    [node.name, '{name}'],
    ...(node.member ? [[node.member, '{member}'] as [string, string]] : []),
    ...batch.nodes.filter((n) => n !== node.name).map((n): [string, string] => [n, '{mate}']),
  ];
  for (const [value, placeholder] of names.sort((a, b) => b[0].length - a[0].length))
    text = text.split(value).join(placeholder);
  // A final step's id numbers it among every node's final steps.
  return text
    .split(`batch${batch.index}/`)
    .join('batch{n}/')
    .replace(/run\/finally\/\d+-/g, 'run/finally/{i}-');
}

/** What the plan holds for a node outside its batch: its preflight checks, final steps and cluster-wide entries. */
function elsewhere(plan: Plan, name: string): Record<string, unknown> {
  const mine = <T extends { node?: string | null }>(items: readonly T[]): T[] => items.filter((i) => i.node === name);
  const c = plan.cluster;
  return {
    preflight: mine(plan.preflight),
    finally: mine(plan.finally),
    lock: mine(c.lock.nodes),
    reconcile: mine(c.reconcile),
    status: mine(c.status),
    clean: mine(c.clean),
    facts: mine(c.facts),
    diff: mine(c.diff),
  };
}

/** Where two texts part, with some context on each side; null when they are the same. */
function firstDifference(a: string, b: string): { at: number; this: string; first: string } | null {
  if (a === b) return null;
  let at = 0;
  while (a[at] === b[at]) at += 1;
  const around = (text: string) => text.slice(Math.max(0, at - 120), at + 120);
  return { at, this: around(a), first: around(b) };
}

/**
 * Ten alike nodes in batches of 1, 2, 2, 2 and 3 (the last one takes the rest), with what the examples have less of:
 * the cluster-view gate (its expected size and the nodes starting later), warm-up URLs, a hook naming the node.
 */
function tenNodes(): string {
  const nodes = Array.from(
    { length: 10 },
    (_, i) => `    - name: lr-${String(i + 1).padStart(2, '0')}\n      host: 10.20.0.${101 + i}`,
  );
  return [
    'lrroll: 1',
    'name: Ten alike nodes',
    'inventory:',
    '  nodes:',
    ...nodes,
    ...HAPROXY_RESTART_LINES,
    // still the change's mapping (`type: restart` ends the lines above)
    '  reason: the invariant of alike nodes',
    'rollout:',
    '  serial: [1, 2, 2, 2, "30%"]',
    '  minHealthy: 5',
    'health:',
    '  cluster:',
    '    enabled: true',
    '  warmup:',
    '    urls:',
    '      - http://{{host}}:{{httpPort}}/web/guest/home',
    'hooks:',
    '  beforeNode:',
    '    - name: note the node',
    '      run: echo draining {{node}} at {{host}}',
    '      on: local',
    '',
  ].join('\n');
}

const generated = mkdtempSync(join(tmpdir(), 'lrroll-nodes-alike-'));
afterAll(() => rmSync(generated, { recursive: true, force: true }));

describe('nodes alike are planned alike', () => {
  it.each([...examples.map((name) => `playbooks/${name}`), 'ten alike nodes'])('%s', async (name) => {
    const file = name.startsWith('playbooks/') ? name : join(generated, 'ten.yml');
    if (!name.startsWith('playbooks/')) writeFileSync(file, tenNodes());
    const plan = await planOf(file);
    const byName = new Map(plan.nodes.map((n) => [n.name, n]));
    const groups = new Map<string, Array<{ node: string; text: string }>>();
    for (const batch of plan.batches)
      for (const nodePlan of batch.nodePlans) {
        const node = byName.get(nodePlan.node) as PlanNode;
        const key = shapeOf(plan, nodePlan, node, batch);
        const group = groups.get(key) ?? [];
        group.push({ node: node.name, text: normalised({ nodePlan, ...elsewhere(plan, node.name) }, node, batch) });
        groups.set(key, group);
      }
    let compared = 0;
    for (const group of groups.values()) {
      const [first, ...rest] = group;
      for (const other of rest) {
        compared += 1;
        expect(firstDifference(other.text, first?.text ?? ''), `${other.node} against ${first?.node}`).toBeNull();
      }
    }
    // The examples hold nodes alike: the check is not vacuous.
    if (plan.nodes.length > 2) expect(compared).toBeGreaterThan(0);
  });
});
