/**
 * Downtime is said out loud: a rolling plan whose batch takes every node out (`minHealthy: 0`)
 * warns that the site will be down; it and a full restart carry the expected downtime in the
 * estimate and the user impact, and a rolling plan that keeps a node serving has none.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import { HAPROXY_RESTART_LINES } from '../../helpers/playbook-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'lrroll-downtime-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function planWith(name: string, rollout: string[]): Promise<Awaited<ReturnType<typeof planPlaybook>>> {
  const file = join(dir, `${name}.yml`);
  writeFileSync(
    file,
    [
      'lrroll: 1',
      `name: ${name}`,
      'inventory:',
      '  nodes:',
      '    - name: node1',
      '    - name: node2',
      '    - name: node3',
      ...HAPROXY_RESTART_LINES,
      'rollout:',
      ...rollout.map((l) => `  ${l}`),
      '',
    ].join('\n'),
  );
  const outcome = await planPlaybook(file, { vars: {}, limit: null });
  expect(outcome.plan, JSON.stringify(outcome.diagnostics)).toBeDefined();
  return outcome;
}

describe('downtime in the plan', () => {
  it.each([
    ['serial 3', ['serial: 3', 'minHealthy: 0'], 1, 16],
    ['serial 100%', ['serial: "100%"', 'minHealthy: 0'], 1, 16],
    ['serial 5, more than the nodes', ['minHealthy: 0', 'serial: 5'], 1, 15],
  ])(
    'rolling with every node out at once (%s): a W_DOWNTIME warning and the downtime in impact and estimate',
    async (_name, rollout, batch, line) => {
      const { plan, diagnostics } = await planWith('all-out', rollout);
      const warning = diagnostics.find((d) => d.code === 'W_DOWNTIME');
      expect(warning).toMatchObject({
        severity: 'warning',
        summary:
          `batch ${batch} takes all 3 node(s) out of the load balancer ` +
          `at once: the site is down until the first of them is back`,
      });
      expect(warning?.source?.line).toBe(line);
      expect(plan?.estimate.downtimeSec).toBeGreaterThan(0);
      expect(plan?.impact[0]).toMatch(
        new RegExp(
          `^DOWNTIME: batch ${batch} takes all 3 nodes out of the load balancer ` +
            `at once \\(minHealthy 0\\): the site is down from the stops until the first node is back, ` +
            `about \\d`,
        ),
      );
    },
  );

  it('rolling with minHealthy 0 but batches of two: no warning, no downtime', async () => {
    const { plan, diagnostics } = await planWith('two-at-once', ['serial: 2', 'minHealthy: 0']);
    expect(diagnostics.filter((d) => d.code === 'W_DOWNTIME')).toEqual([]);
    expect(plan?.estimate.downtimeSec).toBe(0);
    expect(plan?.impact[0]).toMatch(/^Capacity: at most 2 of 3 node\(s\)/);
  });

  it('a full restart: downtime from the first stop until the first node is back, with the expected time', async () => {
    const { plan, diagnostics } = await planWith('full', ['strategy: full']);
    expect(diagnostics.filter((d) => d.code === 'W_DOWNTIME')).toEqual([]);
    const downtime = plan?.estimate.downtimeSec ?? 0;
    // the stops, then the first node's start, health gates and return into the load balancer; not the other nodes'
    // starts
    expect(downtime).toBeGreaterThan(0);
    expect(downtime).toBeLessThan(plan?.estimate.expectedSec ?? 0);
    expect(plan?.impact[0]).toMatch(
      /^Full restart — DOWNTIME: the site is down from the first stop until the first node is back in the load balancer, about \d+m \d+s expected/,
    );
  });
});
