/**
 * What `lrroll status` reads of the load balancer (plan.cluster.statusLb) and what `lrroll diff`
 * reads on the changed nodes (plan.cluster.diff) are plan steps: each with its request or command,
 * its deadline and its rights, and `lrroll plan` shows them (diff's with --full).
 */
import { Chalk } from 'chalk';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/plan/types.js';
import { renderPlanText } from '../../../src/render/plan-text.js';
import { loadPlan } from '../../helpers/fake-transport.js';

const dir = mkdtempSync(join(tmpdir(), 'lrroll-status-diff-steps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PLAYBOOKS = fileURLToPath(new URL('../../../playbooks/', import.meta.url));

/** Two nodes behind the load balancer written as `lb` (YAML lines under `loadBalancer:`). */
async function planWithLb(name: string, lb: string[]): Promise<Plan> {
  const file = join(dir, `${name}.yml`);
  writeFileSync(
    file,
    [
      'lrroll: 1',
      `name: ${name}`,
      'inventory:',
      '  nodes:',
      '    - name: node1',
      '      host: 10.0.0.1',
      '    - name: node2',
      '      host: 10.0.0.2',
      '      member: web2',
      'loadBalancer:',
      ...lb.map((l) => `  ${l}`),
      'change:',
      '  type: restart',
      'rollout:',
      '  minHealthy: 0',
      '',
    ].join('\n'),
  );
  return loadPlan(file);
}

const text = (plan: Plan, full: boolean): string => renderPlanText(plan, { full, chalk: new Chalk({ level: 0 }) });

describe("status's load-balancer reads in the plan", () => {
  it('HAProxy: one read of every server per instance, over `via` on that host, with the request deadline', async () => {
    const plan = await planWithLb('haproxy-pair', [
      'type: haproxy',
      'backend: liferay',
      'instances:',
      '  - name: lb-a',
      '    socket: /run/haproxy/admin.sock',
      '  - name: lb-b',
      '    socket: /run/haproxy/admin.sock',
      '    via:',
      '      host: lb-b.example',
      '      become: true',
    ]);
    expect(plan.cluster.statusLb).toEqual([
      expect.objectContaining({
        id: 'cluster/status/lb-1/read-lb-members',
        node: 'lb-a',
        runOn: 'local',
        command: null,
        api: 'show stat liferay 4 -1 (every server of liferay)',
        become: false,
        timeoutSec: plan.loadBalancer.requestTimeoutSec,
      }),
      expect.objectContaining({
        id: 'cluster/status/lb-2/read-lb-members',
        node: 'lb-b',
        runOn: 'lb',
        become: true,
        api: 'show stat liferay 4 -1 (every server of liferay)',
      }),
    ]);
    expect(text(plan, false)).toContain(
      '  load balancer: state and sessions of every member of liferay in lb-a · state and sessions of ' +
        'every member of ' +
        'liferay in lb-b',
    );
    expect(text(plan, true)).toContain('      api> show stat liferay 4 -1 (every server of liferay)');
  });

  it('Apache and mod_jk: the one GET that lists every member, the URL secret named, not filled in', async () => {
    const apache = await planWithLb('apache', [
      'type: apache',
      'url: "http://lb.example/balancer-manager/${BM_TOKEN}"',
      'balancer: liferay',
    ]);
    expect(apache.cluster.statusLb).toEqual([
      expect.objectContaining({
        api: 'GET http://lb.example/balancer-manager/${BM_TOKEN}?xml=1 (every worker of liferay)',
        secretEnv: ['BM_TOKEN'],
        runOn: 'local',
      }),
    ]);
    const jk = await planWithLb('mod-jk', ['type: mod_jk', 'url: http://lb.example/jkstatus', 'balancer: lb']);
    expect(jk.cluster.statusLb.map((s) => s.api)).toEqual([
      'GET http://lb.example/jkstatus?cmd=show&mime=prop&w=lb (every member of lb)',
    ]);
  });

  it("a command load balancer: each node's member with its own status (and sessions) command", async () => {
    const withSessions = await planWithLb('command-sessions', [
      'type: command',
      'drain: "lb-ctl drain {{member}}"',
      'enable: "lb-ctl enable {{member}}"',
      'status: "lb-ctl status {{member}} {{node}}"',
      'sessions: "lb-ctl sessions {{member}}"',
    ]);
    expect(withSessions.cluster.statusLb.map((s) => [s.id, s.command, s.runOn, s.timeoutSec])).toEqual([
      ['cluster/status/node1/read-lb-member', 'lb-ctl status node1 node1', 'local', 30],
      ['cluster/status/node1/read-lb-sessions', 'lb-ctl sessions node1', 'local', 30],
      ['cluster/status/node2/read-lb-member', 'lb-ctl status web2 node2', 'local', 30],
      ['cluster/status/node2/read-lb-sessions', 'lb-ctl sessions web2', 'local', 30],
    ]);
    const noSessions = await planWithLb('command', [
      'type: command',
      'drain: "lb-ctl drain {{member}}"',
      'enable: "lb-ctl enable {{member}}"',
      'status: "lb-ctl status {{member}}"',
    ]);
    expect(noSessions.cluster.statusLb.map((s) => s.id)).toEqual([
      'cluster/status/node1/read-lb-member',
      'cluster/status/node2/read-lb-member',
    ]);
    expect(text(noSessions, false)).toMatch(
      / {2}node2: .* · state of web2 in the load balancer \(its status command\) · /,
    );
  });

  it('none without a load balancer', async () => {
    expect((await planWithLb('none', ['type: none'])).cluster.statusLb).toEqual([]);
  });
});

describe("diff's reads in the plan", () => {
  it(
    'one entry per thing a change touches, ids unique when a change puts several files, with the ' + 'change’s rights',
    async () => {
      const plan = await loadPlan(join(PLAYBOOKS, 'osgi-config.yml'));
      expect(plan.cluster.diff.map((d) => d.node)).toEqual(['node1', 'node2', 'node3']);
      const reads = plan.cluster.diff[0]?.reads ?? [];
      expect(reads.map((r) => [r.change, r.kind, r.now.id, r.after])).toEqual([
        [0, 'file', 'cluster/diff/node1/0/file', null],
        [0, 'file', 'cluster/diff/node1/0/file-2', null],
      ]);
      const apply = plan.batches.flatMap((b) => b.nodePlans).find((np) => np.node === 'node1');
      const become = apply?.steps.find((s) => s.action === 'apply')?.become;
      expect(reads.every((r) => r.now.become === become && r.now.timeoutSec === 60 && r.now.runOn === 'node')).toBe(
        true,
      );
    },
  );

  it('an edit is read as it is and as the change would leave it; plan --full shows both commands', async () => {
    const plan = await loadPlan(join(PLAYBOOKS, 'portal-properties.yml'));
    const edit = plan.cluster.diff[0]?.reads[0];
    expect(edit).toMatchObject({ kind: 'edit', change: 0 });
    expect(edit?.now.id).toMatch(/\/0\/edit-now$/);
    expect(edit?.after?.id).toMatch(/\/0\/edit-after$/);
    const full = text(plan, true);
    const section = full.slice(full.indexOf('Read by lrroll diff'));
    expect(full).toContain('Read by lrroll diff');
    expect(section).toContain(`$ ${edit?.now.command ?? '?'}`);
    expect(section).toContain(`$ ${edit?.after?.command?.split('\n')[0] ?? '?'}`);
    expect(text(plan, false)).not.toContain('Read by lrroll diff');
  });

  it('a patch change reads the installed patches once per node', async () => {
    const plan = await loadPlan(join(PLAYBOOKS, 'fixpack.yml'));
    for (const d of plan.cluster.diff) expect(d.reads.filter((r) => r.kind === 'patches')).toHaveLength(1);
  });
});
