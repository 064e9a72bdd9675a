// loadBalancer.healthUpAfterProbe against a real HAProxy whose checks are slow (`inter 4s rise 3 fall 3`): with the
// option on, the member is plainly UP as soon as the lb-health-up step has run and the wait for UP ends at its first
// read; with it off, the run is as before: the member stays transitional (`UP 1/3`) until HAProxy's own check settles
// it, and lrroll waits for that. A sampler reads `show stat` every 25 ms during each run to see it from outside.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { lrroll, writePlaybook, type CliRun } from './helpers/lrroll-run.js';

const support = clusterSupport();
if (!support.ok) process.stderr.write(`haproxy-health-up e2e skipped: ${support.reason}\n`);

const INTER_MS = 4000;

/** `show stat` statuses of every server, each with the time it was read. */
interface Sample {
  at: number;
  status: Record<string, string>;
}

/** Reads HAProxy's server statuses until stopped. */
function startSampler(cluster: TestCluster): { stop: () => Promise<Sample[]> } {
  const samples: Sample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const servers = await cluster.haproxyServers().catch(() => []);
      samples.push({ at: Date.now(), status: Object.fromEntries(servers.map((s) => [s.name, s.status])) });
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}

type Event = CliRun['events'][number];
/** The step-start event of a node's step of one action. */
const stepStart = (events: readonly Event[], node: string, action: string): Event | undefined =>
  events.find((e) => e.kind === 'step-start' && e['node'] === node && e['action'] === action);
/** The step-end event of a node's step of one action. */
const stepEnd = (events: readonly Event[], node: string, action: string): Event | undefined => {
  const start = stepStart(events, node, action);
  return events.find((e) => e.kind === 'step-end' && e['stepId'] === start?.['stepId']);
};
const endedAt = (e: Event | undefined): number => Date.parse(String(e?.['at']));

describe.skipIf(!support.ok)(
  `HAProxy health up after the probe, on a real cluster${support.ok ? '' : ` — skipped: ${support.reason}`}`,
  () => {
    let cluster: TestCluster;

    beforeAll(async () => {
      cluster = await startTestCluster({
        nodes: 2,
        haproxy: true,
        haproxyChecks: `inter ${INTER_MS}ms rise 3 fall 3`,
        startMs: 800,
        stopMs: 200,
      });
      await cluster.startAll();
      // Every server settled UP before a run (HAProxy's first checks at this pace take a few seconds).
      for (let i = 0; i < 200; i++) {
        if ((await cluster.haproxyServers()).every((s) => s.status === 'UP')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }, 120_000);
    afterAll(() => cluster?.stop(), 60_000);

    async function roll(option: string): Promise<{ run: CliRun; samples: Sample[] }> {
      const lb =
        `loadBalancer:\n  type: haproxy\n  socket: ${cluster.haproxy?.socket}\n  backend: liferay\n` +
        `  drainTimeout: 2s\n  pollInterval: 100ms\n  upTimeout: 30s\n${option}`;
      const playbook = writePlaybook(cluster, 'Back fast', 'change:\n  type: restart\nrollout:\n  serial: 1\n', {
        lbYaml: lb,
      });
      const sampler = startSampler(cluster);
      const run = await lrroll(['run', playbook, '--yes', '--output', 'json'], cluster);
      const samples = await sampler.stop();
      expect(run.code, run.stderr).toBe(0);
      return { run, samples };
    }

    it('on (the default): UP right after the health-up step, without waiting for the checks', async () => {
      const { run, samples } = await roll('');
      for (const node of ['node1', 'node2']) {
        const up = stepEnd(run.events, node, 'lb-health-up');
        expect(up, node).toMatchObject({ status: 'ok' });
        const wait = stepEnd(run.events, node, 'lb-wait-up');
        expect(wait).toMatchObject({ status: 'ok', detail: `${node} is UP` });
        // One read of the socket, not a check interval.
        expect(Number(wait?.['durationMs']), node).toBeLessThan(INTER_MS / 4);
        // Seen from outside: plainly UP from the first read after the step.
        const after = samples.find((s) => s.at > endedAt(up) + 5);
        expect(after?.status[node], node).toBe('UP');
      }
    }, 240_000);

    it('off: no health-up step, and the wait lasts until HAProxy settles the member as before', async () => {
      const { run, samples } = await roll('  healthUpAfterProbe: false\n');
      expect(run.events.some((e) => e.kind === 'step-start' && e['action'] === 'lb-health-up')).toBe(false);
      // Per node that started less than two check intervals before its enable: whether HAProxy showed a
      // transitional status while lrroll waited.
      const transitional = new Map<string, string[]>();
      for (const node of ['node1', 'node2']) {
        const enabled = endedAt(stepEnd(run.events, node, 'lb-enable'));
        const wait = stepEnd(run.events, node, 'lb-wait-up');
        expect(wait).toMatchObject({ status: 'ok', detail: `${node} is UP` });
        const during = samples.filter((s) => s.at > enabled + 5 && s.at < endedAt(wait) - 5);
        // Transitional after the enable: HAProxy's checks, not lrroll, settle it. HAProxy keeps checking a member in
        // maintenance, so when the node had time for `rise` (3) passing checks before the enable (its start began
        // two intervals or more before, on a busy machine), the member comes back UP at once, nothing in between;
        // where a check falls against the node's short stop decides it too, so one node may come back UP at once.
        if (enabled - Date.parse(String(stepStart(run.events, node, 'service-start')?.['at'])) < 2 * INTER_MS - 500)
          transitional.set(
            node,
            during.map((s) => s.status[node] ?? ''),
          );
        const settled = samples.find((s) => s.at > enabled && s.status[node] === 'UP');
        expect(settled, node).toBeDefined();
        expect(endedAt(wait), node).toBeGreaterThanOrEqual((settled?.at ?? 0) - 200);
      }
      // With the health up on, neither would be transitional after the enable (the test above).
      if (transitional.size > 0)
        expect(
          [...transitional.values()].some((seen) => seen.some((st) => /^UP \d+\/\d+$/.test(st))),
          JSON.stringify([...transitional]),
        ).toBe(true);
    }, 240_000);
  },
);
