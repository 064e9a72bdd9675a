/**
 * The steps around the batches are in the plan: the cluster lock on every node (in lock order,
 * with the owner and run id as named placeholders), the reconcile's checks and put-back, the lock's
 * release, and what `status` and `unlock` read and do — shown by `lrroll plan`, each node with its
 * own paths.
 */
import { Chalk } from 'chalk';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/plan/types.js';
import { renderPlanText } from '../../../src/render/plan-text.js';
import { fillPlaceholders } from '../../../src/shell/quote.js';
import { loadPlan } from '../../helpers/fake-transport.js';

const dir = mkdtempSync(join(tmpdir(), 'lrroll-cluster-steps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A playbook whose nodes each have their own Liferay home (listed out of lock order), rolling or full. */
async function planOf(strategy: 'rolling' | 'full', serial: number | string, lb: 'haproxy' | 'command'): Promise<Plan> {
  const file = join(dir, `${strategy}-${String(serial)}-${lb}.yml`);
  const lbLines =
    lb === 'haproxy'
      ? ['  type: haproxy', '  socket: /run/haproxy/admin.sock', '  backend: liferay']
      : [
          '  type: command',
          '  drain: lb-ctl drain {{member}}',
          '  enable: lb-ctl enable {{member}}',
          '  status: lb-ctl status {{member}}',
        ];
  writeFileSync(
    file,
    [
      'lrroll: 1',
      `name: cluster steps ${strategy}`,
      'inventory:',
      '  nodes:',
      '    - name: node2',
      '      host: 10.0.0.2',
      '      liferayHome: /srv/b/liferay',
      '    - name: node1',
      '      host: 10.0.0.1',
      '      liferayHome: /srv/a/liferay',
      '    - name: node3',
      '      host: 10.0.0.3',
      '      liferayHome: /srv/c/liferay',
      'loadBalancer:',
      ...lbLines,
      'change:',
      '  type: restart',
      'rollout:',
      `  strategy: ${strategy}`,
      `  serial: ${String(serial)}`,
      '',
    ].join('\n'),
  );
  return loadPlan(file);
}

/** The text view from the first section around the batches to the end, without the hash line. */
function sections(plan: Plan, full: boolean): string {
  const text = renderPlanText(plan, { full, chalk: new Chalk({ level: 0 }) });
  const before = text.slice(text.indexOf('Before the first batch'), text.indexOf('\nBatch 1/'));
  const after = text.slice(text.indexOf('After the last batch'), text.lastIndexOf('plan '));
  return `${before}\n…\n${after}`;
}

describe('the cluster steps in the plan', () => {
  it.each([
    ['rolling', 1, 'haproxy'],
    ['rolling', '50%', 'command'],
    ['full', 2, 'haproxy'],
  ] as const)(
    '%s, serial %s, %s: the text view (every node with its own lock folder)',
    async (strategy, serial, lb) => {
      const plan = await planOf(strategy, serial, lb);
      await expect(sections(plan, false)).toMatchFileSnapshot(
        `./__snapshots__/cluster-steps/${strategy}-${String(serial).replace('%', 'pct')}-${lb}.txt`,
      );
    },
  );

  it("--full shows every node's lock commands with its own path, and the placeholders as such", async () => {
    const text = sections(await planOf('rolling', 1, 'haproxy'), true);
    for (const home of ['/srv/a/liferay', '/srv/b/liferay', '/srv/c/liferay'])
      expect(text).toContain(`d=${home}/.lrroll/lock`);
    expect(text).toContain('printf \'%s\\n\' {owner} > "$d/owner"');
    expect(text).toContain('r={runId}');
    expect(text).toContain('h={heldRunId}');
    await expect(text).toMatchFileSnapshot('./__snapshots__/cluster-steps/rolling-full-text.txt');
  });

  it(
    'takes the lock on every node in one order (address, port, home), whatever the inventory order or ' + '--limit',
    async () => {
      const plan = await planOf('rolling', 1, 'haproxy');
      expect(plan.cluster.lock.nodes.map((n) => [n.node, n.dir])).toEqual([
        ['node1', '/srv/a/liferay/.lrroll/lock'],
        ['node2', '/srv/b/liferay/.lrroll/lock'],
        ['node3', '/srv/c/liferay/.lrroll/lock'],
      ]);
      expect(plan.cluster.lock).toMatchObject({
        staleAfterSec: 600,
        refreshSec: 10,
        waitPollSec: { min: 0.2, max: 5 },
      });
      expect(plan.cluster.lock.nodes.every((n) => n.take.timeoutSec === 30)).toBe(true);
    },
  );

  it('has a reconcile entry (checks, then a conditional put-back) and status reads for every node', async () => {
    const plan = await planOf('rolling', 1, 'command');
    expect(plan.cluster.reconcile.map((r) => r.node)).toEqual(['node2', 'node1', 'node3']);
    const r = plan.cluster.reconcile[1];
    expect(r?.putBack).toMatchObject({
      id: 'cluster/reconcile/node1/lb-put-back',
      command: 'lb-ctl enable node1',
      runOn: 'local',
      timeoutSec: 30,
    });
    expect(r?.putBack.when).toMatch(/^only when/);
    expect(r?.waitUp).toMatchObject({ command: 'lb-ctl status node1', timeoutSec: 60 });
    expect(r?.app?.timeoutSec).toBe(20);
    expect(plan.cluster.status.map((s) => [s.node, s.patches.timeoutSec, s.http?.timeoutSec])).toEqual([
      ['node2', 60, 20],
      ['node1', 60, 20],
      ['node3', 60, 20],
    ]);
    expect(plan.cluster.status[1]?.patches.command).toContain(
      "'/srv/a/liferay/patching-tool/patching-tool.sh'".replace(/'/g, ''),
    );
  });

  it('no load balancer: no reconcile, the lock all the same', async () => {
    const file = join(dir, 'none.yml');
    writeFileSync(
      file,
      [
        'lrroll: 1',
        'name: no lb',
        'inventory:',
        '  nodes:',
        '    - name: node1',
        'loadBalancer:',
        '  type: none',
        'change:',
        '  type: restart',
        'rollout:',
        '  minHealthy: 0',
        '',
      ].join('\n'),
    );
    const plan = await loadPlan(file);
    expect(plan.cluster.reconcile).toEqual([]);
    expect(plan.cluster.lock.nodes.map((n) => n.node)).toEqual(['node1']);
  });

  it(
    'a placeholder is filled in shell-quoted, only where the step declares it, and never left empty by ' + 'mistake',
    async () => {
      const take = (await planOf('rolling', 1, 'haproxy')).cluster.lock.nodes[0]?.take;
      const owner = JSON.stringify({ runId: "r'1", message: 'a $(b) c' });
      const filled = fillPlaceholders(take?.command ?? '', take?.placeholders ?? [], { owner });
      expect(filled).toContain(`printf '%s\\n' '{"runId":"r'\\''1","message":"a $(b) c"}' > "$d/owner"`);
      expect(() => fillPlaceholders(take?.command ?? '', take?.placeholders ?? [], {})).toThrow(
        'no value for the placeholder {owner}',
      );
    },
  );
});
