import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunEndEvent, StepEndEvent } from '../../../src/execute/events.js';
import { programOf } from '../../../src/plan/service-check.js';
import type { CheckServiceStep, Plan } from '../../../src/plan/types.js';
import { createHarness, loadPlan, type Harness } from '../../helpers/fake-transport.js';

// A stop succeeds only when the process is observed gone, and preflight checks on every healthy
// node that the service's status command sees it running and that its stop/start commands exist.

const stepEnd = (h: Harness, id: string): StepEndEvent | undefined =>
  h.events.find((e): e is StepEndEvent => e.kind === 'step-end' && e.stepId === id);
const nodeStep = (plan: Plan, node: string, action: string) =>
  plan.batches
    .flatMap((b) => b.nodePlans)
    .find((np) => np.node === node)
    ?.steps.find((s) => s.action === action);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('service-stop', () => {
  it(
    'a stop command exiting 127 while the app still answers is a failure: nothing is applied, the node ' +
      'is not counted stopped',
    async () => {
      const plan = await loadPlan('playbooks/module.yml');
      const h = createHarness(plan);
      // catalina.sh is missing: the stop "fails" with 127 and the app keeps running; the pid file is
      // elsewhere, so the status command says "not running"
      h.cluster.script(
        { host: 'node1', kind: 'service-stop' },
        { exitCode: 127, stderr: 'sh: 1: /opt/liferay/tomcat-9.0.83/bin/catalina.sh: not found\n' },
      );
      h.cluster.script({ host: 'node1', kind: 'status' }, { exitCode: 1 });
      const report = await h.run();
      const stop = nodeStep(plan, 'node1', 'service-stop');
      expect(stop).toMatchObject({
        probeCommand: "curl -sS --max-time 10 -w '\\n%{http_code}' -- http://10.20.0.11:8080/c/portal/layout",
      });
      expect(stepEnd(h, stop?.id ?? '')).toMatchObject({ status: 'failed', exitCode: 127 });
      expect(stepEnd(h, stop?.id ?? '')?.detail).toBe(
        'the stop command exited with 127 (command not found); the app server still answers its health ' +
          'probe (HTTP 302) although the status command says it stopped: it is running — check ' +
          'service.stop and service.status (or pidFile)',
      );
      expect(h.cluster.callsTo('node1', 'apply', 'backup', 'service-start')).toEqual([]);
      expect(report.status).toBe('failed');
      const end = h.events[h.events.length - 1] as RunEndEvent;
      expect(end.nodes.find((n) => n.node === 'node1')).toMatchObject({
        status: 'failed',
        updated: false,
        state: expect.stringContaining('app server running'),
      });
    },
  );

  it(
    'a stop command that fails while the process is really gone (nothing answers) still counts as ' +
      'stopped, with a note',
    async () => {
      const plan = await loadPlan('playbooks/restart.yml');
      const h = createHarness(plan);
      h.cluster.script(
        { host: 'node1', kind: 'service-stop', times: 1 },
        (_call, ctx) => ((ctx.host.running = false), { exitCode: 1, stderr: 'PID file was not removed.\n' }),
      );
      const report = await h.run();
      expect(stepEnd(h, nodeStep(plan, 'node1', 'service-stop')?.id ?? '')).toMatchObject({
        status: 'ok',
        detail: 'the stop command exited with 1, but the process is gone',
      });
      expect(report.status).toBe('ok');
    },
  );
});

describe('preflight: the service is what the playbook says', () => {
  const checkOf = (plan: Plan, node: string): CheckServiceStep =>
    plan.preflight.find(
      (s): s is CheckServiceStep => s.action === 'check-service' && s.node === node,
    ) as CheckServiceStep;

  it('finds the program of a command', () => {
    expect(programOf("CATALINA_PID='/opt/x/liferay.pid' '/opt/x/tomcat 9/bin/catalina.sh' stop 20 -force")).toBe(
      '/opt/x/tomcat 9/bin/catalina.sh',
    );
    expect(programOf('systemctl stop liferay.service')).toBe('systemctl');
    expect(programOf('  A=1 B="two words" /usr/local/bin/lr-ctl start')).toBe('/usr/local/bin/lr-ctl');
    expect(programOf('')).toBeNull();
  });

  it(
    'fails on a node whose catalina.sh is missing and whose status command does not see the running app ' + '(real sh)',
    async () => {
      const plan = await loadPlan('playbooks/restart.yml');
      const check = checkOf(plan, 'node1');
      expect(check.title).toBe('the scripts service: status says running, /opt/liferay/tomcat/bin/catalina.sh found');
      const r = spawnSync('/bin/sh', ['-c', check.command ?? ''], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(
        "lrroll: /opt/liferay/tomcat/bin/catalina.sh (from the service's stop/start commands) is not " +
          'found or not executable on this node',
      );
      expect(r.stderr).toContain(
        'lrroll: the service status command says the app server is NOT running on this healthy node',
      );
    },
  );

  it('passes on a node with an executable catalina.sh and a pid file naming a live process (real sh)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrroll-service-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'home/tomcat/bin'), { recursive: true });
    writeFileSync(join(dir, 'home/tomcat/bin/catalina.sh'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, 'home/tomcat/bin/catalina.sh'), 0o755);
    writeFileSync(join(dir, 'home/liferay.pid'), `${process.pid}\n`);
    writeFileSync(
      join(dir, 'p.yml'),
      `lrroll: 1\nname: Service check\ninventory:\n  nodes:\n    - name: n1\n      transport: ` +
        `local\n      liferayHome: ${dir}/home\n    - name: n2\n      transport: local\n ` +
        `     liferayHome: ${dir}/home\nchange:\n  type: restart\n`,
    );
    const check = checkOf(await loadPlan(join(dir, 'p.yml')), 'n1');
    const r = spawnSync('/bin/sh', ['-c', check.command ?? ''], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('a failing service check refuses the run before anything changes', async () => {
    const plan = await loadPlan('playbooks/restart.yml');
    const h = createHarness(plan);
    h.cluster.script(
      { host: 'node2', kind: 'check-service' },
      {
        exitCode: 1,
        stderr:
          'lrroll: the service status command says the app server is NOT running on this healthy ' +
          'node: fix service.status (or pidFile), or lrroll cannot tell when a stop worked\n',
      },
    );
    const report = await h.run();
    expect(report.status).toBe('refused');
    expect(report.reason).toContain('node2: the scripts service: status says running');
    expect(h.cluster.calls.filter((c) => ['service-stop', 'apply', 'backup'].includes(c.kind))).toEqual([]);
  });
});
