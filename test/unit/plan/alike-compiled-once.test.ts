// Nodes alike are compiled once (node-shape-compile.ts): the plan must be the very plan of compiling every node as
// itself — the same steps, the same diagnostics, the same hash — on every example and on generated clusters that vary
// what a node's steps depend on: serial 1, 2 and a percentage, rolling and full, paths that name the node, hosts
// written as addresses, as names or not at all, each load-balancer type, hooks that name the node, host and batch,
// the cluster gate, rollback and halt, a canary. And the copy must be what runs: most nodes come from a template.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { planPlaybook, type PlanOutcome } from '../../../src/app/use-cases.js';

const PLAYBOOKS = fileURLToPath(new URL('../../../playbooks/', import.meta.url));
const JAR = 'com.acme.orders.service-2.1.3.jar';
const dir = mkdtempSync(join(tmpdir(), 'lrroll-alike-'));
mkdirSync(join(dir, 'artifacts'));
copyFileSync(join(PLAYBOOKS, 'artifacts', JAR), join(dir, 'artifacts', JAR));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Cluster {
  nodes: number;
  hosts: 'none' | 'ipv4' | 'names';
  lb: 'haproxy' | 'apache' | 'mod_jk' | 'command' | 'none';
  serial: number | string;
  strategy?: 'rolling' | 'full';
  clusterGate?: boolean;
  onFailure?: 'rollback' | 'halt';
  canary?: boolean;
  /** Node names, when not `lr-01` … */
  names?: string[];
}

const LB: Record<Cluster['lb'], string[]> = {
  haproxy: ['  type: haproxy', '  socket: /run/haproxy/admin.sock', '  backend: liferay'],
  apache: ['  type: apache', '  url: http://lb.internal/balancer-manager', '  balancer: liferay'],
  mod_jk: ['  type: mod_jk', '  url: http://lb.internal/jkstatus', '  balancer: loadbalancer'],
  command: [
    '  type: command',
    '  drain: /usr/local/bin/lb-ctl drain {{member}}',
    '  enable: /usr/local/bin/lb-ctl enable {{member}}',
    '  status: /usr/local/bin/lb-ctl status {{member}}',
    '  sessions: /usr/local/bin/lb-ctl sessions {{member}}',
  ],
  none: ['  type: none'],
};

function playbook(c: Cluster): string {
  const names = c.names ?? Array.from({ length: c.nodes }, (_, i) => `lr-${String(i + 1).padStart(2, '0')}`);
  const nodes = names.flatMap((name, i) => [
    `    - name: ${name}`,
    ...(c.hosts === 'ipv4' ? [`      host: 10.20.${i >> 4}.${(i % 200) + 11}`] : []),
    ...(c.hosts === 'names' ? [`      host: ${name}.prod.example.net`] : []),
    // One node unlike the others: its own port, so its shape is its own.
    ...(i === 2 ? ['      httpPort: 8081'] : []),
  ]);
  return [
    'lrroll: 1',
    'name: Nodes alike',
    'inventory:',
    '  defaults:',
    '    liferayHome: /opt/liferay/{{node}}',
    '    tomcatHome: /opt/liferay/{{node}}/tomcat',
    '  nodes:',
    ...nodes,
    'loadBalancer:',
    ...LB[c.lb],
    'change:',
    '  type: module',
    `  artifact: artifacts/${JAR}`,
    '  deployTo: modules',
    '  replaces: com.acme.orders.service-*.jar',
    '  dataChanges: compatible',
    'rollout:',
    `  strategy: ${c.strategy ?? 'rolling'}`,
    `  serial: ${JSON.stringify(c.serial)}`,
    `  minHealthy: ${c.strategy === 'full' ? 0 : 1}`,
    `  onFailure: ${c.onFailure ?? 'rollback'}`,
    ...(c.canary ? ['  canary:', '    nodes: 1', '    bake: 10s'] : []),
    'health:',
    '  http:',
    '    url: http://{{host}}:{{httpPort}}/c/portal/layout',
    ...(c.clusterGate ? ['  cluster:', '    enabled: true'] : []),
    '  warmup:',
    '    urls:',
    '      - http://{{host}}:{{httpPort}}/web/guest/home?from={{node}}',
    'hooks:',
    '  beforeNode:',
    '    - name: note the node',
    '      run: echo draining {{node}} at {{host}} as {{member}} under {{liferayHome}}',
    '      on: local',
    '  afterNode:',
    '    - name: tell the chat',
    '      webhook: https://chat.example.net/hooks/{{node}}',
    '',
  ].join('\n');
}

/** The plan and diagnostics of one playbook, compiled both ways. */
async function bothWays(file: string): Promise<{ once: PlanOutcome; each: PlanOutcome }> {
  const once = await planPlaybook(file, { vars: {}, limit: null, readGit: false });
  const each = await planPlaybook(file, { vars: {}, limit: null, readGit: false, compileAlikeOnce: false });
  return { once, each };
}

function expectSamePlan({ once, each }: { once: PlanOutcome; each: PlanOutcome }): void {
  expect(once.diagnostics.map((d) => [d.severity, d.code, d.summary, d.source])).toEqual(
    each.diagnostics.map((d) => [d.severity, d.code, d.summary, d.source]),
  );
  expect(JSON.stringify(once.plan)).toBe(JSON.stringify(each.plan));
  expect(JSON.stringify([...once.previews])).toBe(JSON.stringify([...each.previews]));
  // A template that gave its first node anything but its own steps would be a bug, not a reason to fall back.
  expect(Object.keys(once.shapes?.refused ?? {})).not.toContain('differs');
  expect(Object.keys(once.shapes?.refused ?? {})).not.toContain('own values left');
  expect(each.shapes?.fromTemplate ?? 0).toBe(0);
}

const examples = readdirSync(PLAYBOOKS)
  .filter((f) => f.endsWith('.yml'))
  .sort();

describe('nodes alike compiled once give the plan of every node compiled as itself', () => {
  it.each(examples)('playbooks/%s', async (name) => {
    const both = await bothWays(join(PLAYBOOKS, name));
    expectSamePlan(both);
    const nodes = both.each.plan?.batches.reduce((n, b) => n + b.nodes.length, 0) ?? 0;
    expect((both.once.shapes?.compiled ?? 0) + (both.once.shapes?.fromTemplate ?? 0)).toBe(nodes);
  });

  const clusters: Array<[string, Cluster, number]> = [
    ['serial 1, HAProxy, no hosts', { nodes: 8, hosts: 'none', lb: 'haproxy', serial: 1 }, 6],
    ['serial 2, Apache, address hosts', { nodes: 9, hosts: 'ipv4', lb: 'apache', serial: 2 }, 5],
    ['"30%", mod_jk, named hosts', { nodes: 10, hosts: 'names', lb: 'mod_jk', serial: '30%' }, 6],
    ['serial 2, command load balancer', { nodes: 8, hosts: 'names', lb: 'command', serial: 2, onFailure: 'halt' }, 5],
    ['serial 1, no load balancer', { nodes: 6, hosts: 'ipv4', lb: 'none', serial: 1 }, 4],
    ['full restart, HAProxy', { nodes: 6, hosts: 'names', lb: 'haproxy', serial: 1, strategy: 'full' }, 4],
    [
      'serial 3 with the cluster gate and a canary',
      { nodes: 10, hosts: 'ipv4', lb: 'haproxy', serial: 3, clusterGate: true, canary: true },
      4,
    ],
    [
      'full restart with the cluster gate (each node its own place)',
      { nodes: 5, hosts: 'none', lb: 'haproxy', serial: 1, strategy: 'full', clusterGate: true },
      0,
    ],
  ];
  it.each(clusters)('%s', async (label, cluster, fromTemplate) => {
    const file = join(dir, `${label.replace(/\W+/g, '-')}.yml`);
    writeFileSync(file, playbook(cluster));
    const both = await bothWays(file);
    expect(both.each.plan, JSON.stringify(both.each.diagnostics.map((d) => d.summary))).toBeDefined();
    expectSamePlan(both);
    expect(both.once.shapes?.fromTemplate).toBeGreaterThanOrEqual(fromTemplate);
  });

  it('names a template cannot stand for (capitals, a digit run with letters) are compiled as themselves', async () => {
    const file = join(dir, 'odd-names.yml');
    const names = ['Lr-One', 'lr-two', 'lr-three', '1a-four', 'lr-five', 'lr-six'];
    writeFileSync(file, playbook({ nodes: 6, hosts: 'names', lb: 'haproxy', serial: 1, names }));
    const both = await bothWays(file);
    expectSamePlan(both);
    // lr-two, lr-five and lr-six are alike (lr-three has its own port); the others are compiled as themselves.
    expect(both.once.shapes).toMatchObject({ compiled: 4, fromTemplate: 2 });
  });
});
