/**
 * Preflight's prerequisite checks (check-sudo, check-tools) refuse the run with the exact reason,
 * before anything changes: sudo that asks for a password none was configured for, a rejected
 * password, a user not allowed to sudo, a missing program, a tail without -F.
 */
import { describe, expect, it } from 'vitest';
import type { RunEndEvent } from '../../../src/execute/events.js';
import { createHarness, loadPlan, type Harness } from '../../helpers/fake-transport.js';

const runEnd = (h: Harness): RunEndEvent => h.events[h.events.length - 1] as RunEndEvent;
const CHANGING = ['service-stop', 'force-stop', 'service-start', 'backup', 'apply'];

/** A harness with every secret the plan names set (their values do not matter here). */
async function harness(playbook: string): Promise<Harness> {
  const plan = await loadPlan(playbook);
  return createHarness(plan, { deps: { secrets: Object.fromEntries(plan.secrets.map((n) => [n, 'value'])) } });
}

async function refusedWith(playbook: string, breakIt: (h: Harness) => void): Promise<string> {
  const h = await harness(playbook);
  breakIt(h);
  const report = await h.run();
  expect(report.status).toBe('refused');
  expect(h.cluster.calls.filter((c) => CHANGING.includes(c.kind))).toEqual([]);
  return runEnd(h).reason ?? '';
}

describe('check-sudo', () => {
  it('a node whose sudo asks for a password when none is configured: that exact reason', async () => {
    const reason = await refusedWith('playbooks/portal-properties.yml', (h) =>
      h.cluster.script({ kind: 'check-sudo' }, { exitCode: 1, stderr: 'sudo: a password is required\n' }),
    );
    expect(reason).toMatch(
      /^preflight failed, nothing was changed: \S+: sudo works as root, without a password \(sudo -n\): sudo asks for a password on this node and none is configured: set `become: \{ password: "\$\{SUDO_PASSWORD\}" \}`/,
    );
  });

  it.each([
    ['a rejected password', 'Sorry, try again.\nsudo: 3 incorrect password attempts\n', /sudo rejected the password/],
    [
      'a user not in sudoers',
      'liferay is not in the sudoers file.  This incident will be reported.\n',
      /this user may not use sudo on this node/,
    ],
    ['no sudo at all', 'sh: 1: sudo: not found\n', /sudo is not installed on this node/],
  ])('%s', async (_what, stderr, reason) => {
    expect(
      await refusedWith('playbooks/portal-properties.yml', (h) =>
        h.cluster.script({ kind: 'check-sudo' }, { exitCode: stderr.includes('not found') ? 127 : 1, stderr }),
      ),
    ).toMatch(reason);
  });

  it('passes when sudo answers, and the node goes on', async () => {
    const h = await harness('playbooks/portal-properties.yml');
    const report = await h.run();
    expect(report.status).toBe('ok');
    expect(h.cluster.calls.filter((c) => c.kind === 'check-sudo').every((c) => c.become === true)).toBe(true);
  });
});

describe('check-tools', () => {
  it('names the programs missing on the node', async () => {
    const reason = await refusedWith('playbooks/module.yml', (h) =>
      h.cluster.script(
        { host: 'node2', kind: 'check-tools' },
        { exitCode: 1, stderr: 'lrroll: not installed on this node: curl unzip\n' },
      ),
    );
    expect(reason).toMatch(/node2: installed on the node: .*: not installed on this node: curl unzip$/);
  });

  it('runs once per node, before any other check of that node', async () => {
    const h = await harness('playbooks/module.yml');
    await h.run();
    for (const node of h.plan.nodes.map((n) => n.name)) {
      const kinds = h.cluster.callsTo(node).map((c) => c.kind);
      expect(kinds.filter((k) => k === 'check-tools')).toHaveLength(1);
      expect(kinds[0]).toBe('check-tools');
    }
  });
});
