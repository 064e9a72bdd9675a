import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { EVENTS_FORMAT_VERSION, type NodeSummary, type RunEndEvent } from '../../../src/execute/events.js';
import { formatMs, formatRunSummary } from '../../../src/render/summary.js';

const chalk = new Chalk({ level: 0 });

/** A 20-node cluster rolled 4 at a time; batch 3 fails on node12's health gate and the run halts. */
function twentyNodes(): RunEndEvent {
  const nodes: NodeSummary[] = Array.from({ length: 20 }, (_, i) => {
    const node = `lr-prod-node${String(i + 1).padStart(2, '0')}`;
    if (i < 8)
      return {
        node,
        status: 'ok',
        inRotation: true,
        updated: true,
        outOfRotationMs: 252_000 + i * 3_100,
        durationMs: 281_000 + i * 2_900,
        failedStep: null,
        state: 'updated, in the load balancer',
      };
    if (i === 11)
      return {
        node,
        status: 'failed',
        inRotation: false,
        updated: false,
        outOfRotationMs: 611_400,
        durationMs: 640_200,
        failedStep: `batch3/${node}/09-wait-http`,
        state: 'stopped, out of the load balancer',
      };
    if (i < 12)
      return {
        node,
        status: 'ok',
        inRotation: true,
        updated: true,
        outOfRotationMs: 260_500 + i * 1_000,
        durationMs: 290_000 + i * 1_000,
        failedStep: null,
        state: 'updated, in the load balancer',
      };
    return {
      node,
      status: 'skipped',
      inRotation: true,
      updated: false,
      outOfRotationMs: null,
      durationMs: 0,
      failedStep: null,
      state: 'not reached: old version, in the load balancer',
    };
  });
  const reason =
    'lr-prod-node12 failed "wait for http://127.0.0.1:8080/c/portal/layout → 200/302" in batch 3; ' +
    'failure budget 0 reached, batches 4 and 5 not started';
  return {
    v: 3,
    at: '2026-03-20T23:41:07.000Z',
    kind: 'run-end',
    status: 'halted',
    durationMs: 1_954_000,
    nodes,
    reason,
  };
}

describe('formatRunSummary', () => {
  it('20 nodes, halted: one row per node, then the status, the cluster state grouped and what to do next', () => {
    expect(formatRunSummary(twentyNodes(), chalk)).toMatchSnapshot();
  });

  it('keeps the columns aligned', () => {
    const [header = '', ...rows] = formatRunSummary(twentyNodes(), chalk).split('\n').slice(0, 21);
    for (const name of ['RESULT', 'IN LB', 'UPDATED', 'OUT OF LB', 'DURATION', 'FAILED STEP']) {
      const at = header.indexOf(name);
      for (const row of rows) expect(`${row[at - 1]}${row[at]}`, `${name} in ${row}`).toMatch(/^ \S$/);
    }
  });

  it('a successful run has no cluster state section', () => {
    const ok = twentyNodes();
    const nodes = ok.nodes.map((n) => ({
      ...n,
      status: 'ok' as const,
      inRotation: true,
      updated: true,
      failedStep: null,
      outOfRotationMs: 250_000,
      durationMs: 280_000,
    }));
    const text = formatRunSummary({ ...ok, status: 'ok', reason: null, nodes }, chalk);
    expect(text).toContain('20 nodes: 20 ok · 20 updated · 20 in the load balancer');
    expect(text).toContain('✔ Run ok in 32m 34s.');
    expect(text).not.toContain('Cluster state');
  });

  it('halted with no node at fault (a window closed before batch 4): names no node as the cause', () => {
    const run = twentyNodes();
    const nodes = run.nodes.map((n, i) =>
      i < 12
        ? {
            ...n,
            status: 'ok' as const,
            inRotation: true,
            updated: true,
            failedStep: null,
            state: 'updated, in the load balancer',
          }
        : n,
    );
    const text = formatRunSummary(
      { ...run, nodes, reason: 'batch 4 not started: the maintenance window closes at 05:00' },
      chalk,
    );
    expect(text).toContain(
      'Next: see why the run halted above (no node failed), then `lrroll resume` to continue this run.',
    );
    expect(text).not.toContain('fix the cause on');
  });

  it('refused after preflight: nodes preflight found out of rotation or did not read are shown as such', () => {
    const base = { status: 'skipped' as const, updated: false, outOfRotationMs: null, durationMs: 0, failedStep: null };
    const nodes: NodeSummary[] = [
      {
        ...base,
        node: 'node1',
        inRotation: true,
        state: 'app server answering HTTP 302, in the load balancer (UP), untouched',
      },
      {
        ...base,
        node: 'node2',
        inRotation: false,
        state: 'app server answering HTTP 302, OUT of the load balancer (MAINT), untouched',
      },
      {
        ...base,
        node: 'node3',
        inRotation: null,
        state: 'app server not checked, load balancer state not read, untouched',
      },
    ];
    const text = formatRunSummary(
      {
        v: EVENTS_FORMAT_VERSION,
        at: '2026-03-20T23:41:07.000Z',
        kind: 'run-end',
        status: 'refused',
        durationMs: 2_000,
        nodes,
        reason:
          'preflight failed, nothing was changed: node2: LB member node2 exists and is UP: node2 is MAINT, not UP',
      },
      chalk,
    );
    expect(text).toMatch(/node1\s+skipped\s+yes\s/);
    expect(text).toMatch(/node2\s+skipped\s+NO\s/);
    expect(text).toMatch(/node3\s+skipped\s+\?\s/);
    expect(text).toContain('3 nodes: 3 skipped · 0 updated · 1 in the load balancer · 1 not checked');
    expect(text).toContain('  node2: app server answering HTTP 302, OUT of the load balancer (MAINT), untouched');
    expect(text).toContain(
      'Next: no node was stopped or changed by this run; fix the cause, then run again. node2 is out ' +
        'of the load balancer, left so by an earlier run: see the reason above.',
    );
  });

  it.each([
    [0, '0.0s'],
    [412, '0.4s'],
    [9_949, '9.9s'],
    [9_950, '10s'],
    [201_400, '3m 21s'],
    [4_000_000, '1h 06m'],
  ])('formatMs(%i) = %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});
