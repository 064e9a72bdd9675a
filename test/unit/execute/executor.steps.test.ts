import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunEndEvent, StepEndEvent } from '../../../src/execute/events.js';
import type { Plan, UploadStep } from '../../../src/plan/types.js';
import { createHarness, loadPlan, type Harness } from '../../helpers/fake-transport.js';

// Single step kinds inside whole runs: upload, stop, HTTP gate, consistency check, approval, no LB.

const runEnd = (h: Harness): RunEndEvent => h.events[h.events.length - 1] as RunEndEvent;
const stepEnd = (h: Harness, id: string): StepEndEvent | undefined =>
  h.events.find((e): e is StepEndEvent => e.kind === 'step-end' && e.stepId === id);
const nodeStepId = (plan: Plan, node: string, action: string): string =>
  plan.batches
    .flatMap((b) => b.nodePlans)
    .find((np) => np.node === node)
    ?.steps.find((s) => s.action === action)?.id ?? `(no ${action})`;

describe('upload (preflight)', () => {
  it('does not upload an artifact already staged with the same checksum', async () => {
    const plan = await loadPlan('playbooks/module.yml');
    const upload = plan.preflight.find(
      (s): s is UploadStep => s.action === 'upload' && s.node === 'node2',
    ) as UploadStep;
    expect(
      createHash('sha256')
        .update(readFileSync(`playbooks/${upload.localPath}`))
        .digest('hex'),
    ).toBe(upload.sha256);
    const h = createHarness(plan);
    h.cluster.host('node2').files.set(upload.remotePath, upload.sha256);
    await h.run();
    expect(h.cluster.puts.map((p) => p.host).sort()).toEqual(['node1', 'node3']);
    expect(stepEnd(h, upload.id)).toMatchObject({
      status: 'ok',
      detail: 'already there with the same checksum: not uploaded',
    });
    expect(h.cluster.callsTo('node2', 'upload-checksum')).toHaveLength(1);
    expect(h.cluster.callsTo('node1', 'upload-checksum')).toHaveLength(2);
  });
});

describe('service-stop', () => {
  it('forces the stop when the process survives the graceful stop, and checks again', async () => {
    const plan = await loadPlan('playbooks/restart.yml');
    const h = createHarness(plan);
    // the graceful stop returns but leaves the JVM running; the kill works
    h.cluster.script({ host: 'node1', kind: 'service-stop' }, { exitCode: 0 });
    await h.run();
    expect(
      h
        .timeline('node1')
        .filter((k) => ['service-stop', 'status', 'force-stop'].includes(k))
        .slice(0, 4),
    ).toEqual(['service-stop', 'status', 'force-stop', 'status']);
    expect(stepEnd(h, nodeStepId(plan, 'node1', 'service-stop'))).toMatchObject({
      status: 'ok',
      detail: 'forced: still running after the graceful stop',
    });
    expect(h.cluster.callsTo('node1', 'service-stop')[0]?.timeoutMs).toBe(300_000);
    expect(runEnd(h).status).toBe('ok');
  });

  it('a stop command that fails while the process is gone is ok, with a note', async () => {
    const plan = await loadPlan('playbooks/restart.yml');
    const h = createHarness(plan);
    h.cluster.script({ host: 'node2', kind: 'service-stop' }, (_call, ctx) => {
      ctx.host.running = false;
      return { exitCode: 1, stderr: 'PID file found but no matching process was found. Stop aborted.\n' };
    });
    await h.run();
    expect(stepEnd(h, nodeStepId(plan, 'node2', 'service-stop'))).toMatchObject({
      status: 'ok',
      detail: 'the stop command exited with 1, but the process is gone',
    });
    expect(h.cluster.callsTo('node2', 'force-stop')).toEqual([]);
  });
});

describe('wait-http', () => {
  it('polls every intervalSec until the status matches', async () => {
    const plan = await loadPlan('playbooks/restart.yml');
    const h = createHarness(plan);
    h.cluster.script({ host: 'node1', kind: 'http', times: 2 }, (_call, ctx) =>
      ctx.host.startCount > 0 ? { stdout: 'starting\n503' } : undefined,
    );
    await h.run();
    const id = nodeStepId(plan, 'node1', 'wait-http');
    expect(stepEnd(h, id)).toMatchObject({ status: 'ok', detail: 'HTTP 302', durationMs: 4000 });
    expect(
      h.events.filter((e) => e.kind === 'step-output' && e.stepId === id).map((e) => (e as { line: string }).line),
    ).toEqual(['http://node1:8080/c/portal/layout: HTTP 503', 'http://node1:8080/c/portal/layout: HTTP 503']);
  });

  it('fails at its deadline with the last answer', async () => {
    const plan = await loadPlan('playbooks/restart.yml');
    const h = createHarness(plan);
    h.cluster.script({ host: 'node1', kind: 'http' }, (_call, ctx) =>
      ctx.host.startCount > 0
        ? { exitCode: 28, stderr: 'curl: (28) Operation timed out after 10001 milliseconds with 0 bytes received\n' }
        : undefined,
    );
    await h.run();
    const end = stepEnd(h, nodeStepId(plan, 'node1', 'wait-http'));
    expect(end?.status).toBe('failed');
    expect(end?.detail).toMatch(
      /^http:\/\/node1:8080\/c\/portal\/layout did not answer 200\/302 within 300s \(last: .*\(28\) Operation timed out after 10001 milliseconds with 0 bytes received\)$/,
    );
    expect(runEnd(h).nodes[0]).toMatchObject({ status: 'failed', inRotation: false });
  });
});

describe('after the last batch', () => {
  it('the consistency check fails the run when a node reports a different fingerprint', async () => {
    const plan = await loadPlan('playbooks/module.yml');
    const h = createHarness(plan);
    h.cluster.script(
      { host: 'node2', kind: 'fingerprint' },
      { stdout: 'patches: dxp-14-7210\nosgi/modules/com.acme.orders.service-2.1.2.jar\n' },
    );
    const report = await h.run();
    expect(report.status).toBe('failed');
    expect(report.reason).toMatch(
      /^after the last batch: every node reports the same .*: drift: .*node1, node3: patches: dxp-15-7210 .* ≠ node2: patches: dxp-14-7210/,
    );
    expect(runEnd(h).nodes.every((n) => n.status === 'ok' && n.inRotation)).toBe(true);
  });
});

describe('approval between batches (portal-properties.yml: pauseBetweenBatches)', () => {
  it('a declined confirmation halts before the next batch touches anything', async () => {
    const plan = await loadPlan('playbooks/portal-properties.yml');
    const questions: string[] = [];
    const h = createHarness(plan, {
      deps: {
        confirm: async (q) => {
          questions.push(q);
          return false;
        },
      },
    });
    const report = await h.run();
    expect(questions).toHaveLength(1);
    expect(report.status).toBe('halted');
    expect(report.reason).toMatch(/^batch 2 not started: .*not confirmed/);
    expect(h.events.filter((e) => e.kind === 'node-start').map((e) => (e as { node: string }).node)).toEqual(['lr1']);
    for (const n of ['lr2', 'lr3', 'lr4', 'lr5', 'lr6'])
      expect((h.lb?.callsFor(n) ?? []).filter((c) => c.op !== 'state')).toEqual([]);
    // portal-properties nodes run their commands with sudo
    expect(h.cluster.callsTo('lr1', 'apply')[0]?.become).toBe(true);
  });
});

describe('without a load balancer (test/fixtures/playbooks/valid/secrets.yml)', () => {
  const SECRETS = { LIFERAY_ADMIN_PASSWORD: 'admin-pw', DB_PASSWORD: 'db-pw-1' };

  it('the capacity check counts the other nodes that answer the health probe', async () => {
    const plan = await loadPlan('test/fixtures/playbooks/valid/secrets.yml');
    // node1 dies after preflight: batch 2 (node2) would leave nobody serving
    const h = createHarness(plan, {
      deps: { secrets: SECRETS },
      onEvent: (e, hh) => {
        if (e.kind === 'batch-end' && e.batch === 1) hh.cluster.host('node1').running = false;
      },
    });
    const report = await h.run();
    expect(report.status).toBe('halted');
    expect(stepEnd(h, plan.batches[1]?.before[0]?.id ?? '')).toMatchObject({
      status: 'failed',
      detail:
        'only 0 healthy node(s) would stay in rotation, below minHealthy 1; not healthy or out of ' +
        'rotation: node1 (its health probe does not answer)',
    });
    expect(h.cluster.callsTo('node2', 'service-stop')).toEqual([]);
  });

  // Regression: the summary used to copy inRotation, which only LB steps change.
  it('a node left stopped is not reported as in rotation', async () => {
    const plan = await loadPlan('test/fixtures/playbooks/valid/secrets.yml');
    const h = createHarness(plan, { deps: { secrets: SECRETS } });
    h.cluster.script(
      { host: 'node1', kind: 'service-start' },
      { exitCode: 1, stderr: 'Cannot find /opt/liferay/tomcat/bin/setenv.sh\n' },
    );
    await h.run();
    expect(runEnd(h).nodes[0]).toMatchObject({
      status: 'failed',
      state: 'app server stopped, no load balancer, not updated',
    });
    expect(runEnd(h).nodes[0]?.inRotation).toBe(false);
  });
});
