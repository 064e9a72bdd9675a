import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findLeftOut, reconcile } from '../../../src/app/reconcile.js';
import type { ExecResult, Transport } from '../../../src/execute/transport.js';
import type { Plan } from '../../../src/plan/types.js';
import { FakeLb } from '../../helpers/fake-lb.js';
import { FixedClock } from '../../helpers/fixed-clock.js';
import { loadPlan } from '../../helpers/fake-transport.js';

// Reconcile puts back a node an earlier run left out of the load balancer — but never one whose
// run is still running (its lrroll process alive on this host): that node is the live run's.

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'lrroll-reconcile-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** A run record whose events leave node2 drained ('out'), written by process `pid` of this host. */
function recordLeavingNode2Out(plan: Plan, pid: number): string {
  const dir = join(home, 'runs', 'R1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'meta.json'),
    JSON.stringify({
      runId: 'R1',
      planHash: plan.hash,
      name: plan.name,
      playbook: 'pb.yml',
      gitCommit: null,
      gitDirty: false,
      user: 'alice',
      host: hostname(),
      pid,
      startedAt: '2026-01-01T00:00:00Z',
      status: 'running',
      endedAt: null,
      nodes: plan.nodes.map((n) => n.name),
    }),
  );
  writeFileSync(
    join(dir, 'events.ndjson'),
    JSON.stringify({
      kind: 'lb-state',
      node: 'node2',
      member: 'node2',
      state: 'out',
      v: 1,
      at: '2026-01-01T00:00:01Z',
    }) + `\n`,
  );
  return dir;
}

function deps(lb: FakeLb, execs: string[]) {
  const transport = {
    describe: 'fake',
    connect: async () => undefined,
    close: async () => undefined,
    put: async () => undefined,
    exec: async (command: string): Promise<ExecResult> => {
      execs.push(command);
      return { exitCode: 0, stdout: 'ok\n200', stderr: '', timedOut: false, aborted: false, durationMs: 1 };
    },
  } as Transport;
  return {
    transportFor: () => transport,
    lbTransport: transport,
    lb,
    clock: new FixedClock(),
    signal: new AbortController().signal,
  };
}

describe('reconcile', () => {
  it('leaves alone a node whose run is still running on this host', async () => {
    const plan = await loadPlan('playbooks/restart.yml');
    recordLeavingNode2Out(plan, process.pid);
    const leftOut = findLeftOut(plan, { LRROLL_HOME: home });
    expect(leftOut).toMatchObject([{ node: 'node2', runId: 'R1', lb: 'out', live: true }]);
    const lb = new FakeLb(['node1', 'node2', 'node3']);
    lb.set('node2', { state: 'MAINT' });
    const execs: string[] = [];
    const results = await reconcile(plan, leftOut, deps(lb, execs));
    expect(results).toEqual([
      {
        node: 'node2',
        runId: 'R1',
        action: 'left-out',
        stepId: null,
        stepIds: [],
        detail: 'is out of the load balancer for run R1, which is still running on this host: not touched',
      },
    ]);
    expect(lb.calls).toEqual([]);
    expect(execs).toEqual([]);
  });

  it('puts back a healthy node whose run is gone, and records it in that run', async () => {
    const plan = await loadPlan('playbooks/restart.yml');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const dir = recordLeavingNode2Out(plan, Number(gone.stdout));
    const leftOut = findLeftOut(plan, { LRROLL_HOME: home });
    expect(leftOut).toMatchObject([{ node: 'node2', live: false }]);
    const lb = new FakeLb(['node1', 'node2', 'node3']);
    lb.set('node2', { state: 'MAINT' });
    const results = await reconcile(plan, leftOut, deps(lb, []));
    expect(results).toMatchObject([
      { node: 'node2', action: 'put-back', stepId: 'cluster/reconcile/node2/lb-put-back' },
    ]);
    expect(lb.callsFor('node2', 'enable')).toHaveLength(1);
    expect(readFileSync(join(dir, 'events.ndjson'), 'utf8')).toMatch(
      /"kind":"lb-state","node":"node2","member":"node2","state":"up"/,
    );
  });
});
