import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/plan/types.js';
import { fillPlaceholders } from '../../../src/shell/quote.js';
import { loadPlan } from '../../helpers/fake-transport.js';
import {
  plannedRequests,
  stepsMissingFromEvents,
  unplannedActions,
  type Recorded,
} from '../../e2e/helpers/fidelity.js';

// The check the fidelity end-to-end tests make (test/e2e/helpers/fidelity.ts) can fail: an action of
// a cluster step the plan lacks, or whose command differs from the plan's, is reported, and so is a
// step no event names. Shown on a real compiled plan, its placeholders filled the way the run does.

let dir: string;
let plan: Plan;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-fidelity-check-'));
  const file = join(dir, 'pb.yml');
  writeFileSync(
    file,
    [
      'lrroll: 1',
      'name: fidelity check',
      'inventory:',
      '  defaults:',
      '    transport: local',
      '    service:',
      '      type: commands',
      '      start: "true"',
      '      stop: "true"',
      '      status: "true"',
      '  nodes:',
      `    - name: node1`,
      `      liferayHome: ${join(dir, 'node1')}`,
      'loadBalancer:',
      '  type: command',
      '  drain: "echo drain {{member}}"',
      '  enable: "echo enable {{member}}"',
      '  status: "echo UP {{member}}"',
      'change:',
      '  type: restart',
      'rollout:',
      '  minHealthy: 0',
      '',
    ].join('\n'),
  );
  plan = await loadPlan(file);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const json = (): Parameters<typeof unplannedActions>[0] =>
  JSON.parse(JSON.stringify(plan)) as Parameters<typeof unplannedActions>[0];
const owner = JSON.stringify({ user: "o'brien", runId: 'run-1', message: 'a "quoted" note' });

function takeAction(): Recorded {
  const take = plan.cluster.lock.nodes[0]?.take;
  if (!take?.command) throw new Error('no take step');
  return {
    kind: 'exec',
    target: 'local',
    text: fillPlaceholders(take.command, take.placeholders, { owner }),
    stepId: take.id,
  };
}

describe('the fidelity check of recorded remote actions', () => {
  it(
    'accepts a lock take with its owner filled in (quotes and all), and a lock break with an empty held ' + 'run id',
    () => {
      const brk = plan.cluster.lock.nodes[0]?.break;
      if (!brk?.command) throw new Error('no break step');
      const broke: Recorded = {
        kind: 'exec',
        target: 'local',
        text: fillPlaceholders(brk.command, brk.placeholders, { heldRunId: '' }),
        stepId: brk.id,
      };
      expect(unplannedActions(json(), [takeAction(), broke])).toEqual([]);
    },
  );

  it('reports the action of a cluster step the plan lacks', () => {
    const p = json() as unknown as { cluster: { lock: { nodes: Array<Record<string, unknown>> } } };
    delete p.cluster.lock.nodes[0]?.take;
    expect(unplannedActions(p as never, [takeAction()])).toEqual([
      expect.stringMatching(/^step cluster\/lock\/node1\/lock-take is not in the plan: /),
    ]);
  });

  it('reports a command that differs from the plan’s, and an action outside any step', () => {
    const changed = { ...takeAction(), text: takeAction().text.replace('mkdir "$d"', 'mkdir -p "$d"') };
    expect(unplannedActions(json(), [changed, { ...takeAction(), stepId: null }])).toEqual([
      expect.stringMatching(/^command not in cluster\/lock\/node1\/lock-take: /),
      expect.stringMatching(/^sent outside any plan step: /),
    ]);
  });

  it('reports a step no event names, and accepts one a lock event lists', () => {
    expect(stepsMissingFromEvents([takeAction()], [{ kind: 'lock', state: 'taken', stepIds: [] }])).toEqual([
      'cluster/lock/node1/lock-take',
    ]);
    expect(
      stepsMissingFromEvents(
        [takeAction()],
        [{ kind: 'lock', state: 'taken', stepIds: ['cluster/lock/node1/lock-take'] }],
      ),
    ).toEqual([]);
  });
});

describe('the fidelity check of HAProxy reached over `via`', () => {
  let viaPlan: Plan;
  beforeAll(async () => {
    const file = join(dir, 'via.yml');
    writeFileSync(
      file,
      [
        'lrroll: 1',
        'name: fidelity via',
        'inventory:',
        '  defaults:',
        '    transport: local',
        '  nodes:',
        `    - name: node1`,
        `      liferayHome: ${join(dir, 'node1')}`,
        'loadBalancer:',
        '  type: haproxy',
        '  socket: /run/haproxy/admin.sock',
        '  backend: liferay',
        '  via:',
        '    host: lb.example',
        'change:',
        '  type: restart',
        'rollout:',
        '  minHealthy: 0',
        '',
      ].join('\n'),
    );
    viaPlan = await loadPlan(file);
  });

  /** The socat command the run sends for `request` under the step `stepId`: the plan's wrapper, filled. */
  function wrapped(request: string, stepId: string): Recorded {
    const wrapper = viaPlan.loadBalancer.instances[0]?.wrapper;
    if (!wrapper) throw new Error('no via wrapper in the plan');
    return {
      kind: 'exec',
      target: 'ssh lb.example',
      text: fillPlaceholders(wrapper, ['request'], { request }),
      stepId,
    };
  }
  const viaJson = (): Parameters<typeof unplannedActions>[0] =>
    JSON.parse(JSON.stringify(viaPlan)) as Parameters<typeof unplannedActions>[0];
  const drainId = (): string => {
    const id = viaPlan.batches[0]?.nodePlans[0]?.steps.find((s) => s.action === 'lb-drain')?.id;
    if (!id) throw new Error('no drain step');
    return id;
  };

  it("accepts the wrapper sending a request the step lists (status's members read, a drain)", () => {
    const status = viaPlan.cluster.statusLb[0];
    expect(status).toMatchObject({ id: 'cluster/status/lb-1/read-lb-members', runOn: 'lb' });
    expect(
      unplannedActions(viaJson(), [
        wrapped('show stat liferay 4 -1', status?.id ?? ''),
        wrapped('set server liferay/node1 state drain', drainId()),
      ]),
    ).toEqual([]);
  });

  it("rejects a changed request, a request of another step, and a wrapper that is not the plan's", () => {
    const changed = wrapped('set server liferay/node1 state maint', drainId());
    const elsewhere = wrapped('show stat liferay 4 -1', drainId());
    const other = { ...wrapped('set server liferay/node1 state drain', drainId()) };
    other.text = other.text.replace('socat -t 5', 'socat -t 50');
    // Not quoted as the run quotes it: the request must be one shell word.
    const unquoted = {
      ...wrapped('set server liferay/node1 state drain', drainId()),
      text: (viaPlan.loadBalancer.instances[0]?.wrapper ?? '').replace(
        '{request}',
        'set server liferay/node1 state drain',
      ),
    };
    expect(unplannedActions(viaJson(), [changed, elsewhere, other, unquoted])).toEqual([
      expect.stringMatching(/^command not in batch/),
      expect.stringMatching(/^command not in batch/),
      expect.stringMatching(/^command not in batch/),
      expect.stringMatching(/^command not in batch/),
    ]);
    // Without `via` in the plan, the filled wrapper is no planned command at all.
    const noVia = viaJson() as unknown as { loadBalancer: { instances: Array<{ wrapper: string | null }> } };
    for (const i of noVia.loadBalancer.instances) i.wrapper = null;
    expect(unplannedActions(noVia as never, [wrapped('set server liferay/node1 state drain', drainId())])).toHaveLength(
      1,
    );
  });

  it('reads the requests of a step that names what they read and the instances they go to', () => {
    expect(plannedRequests('show stat liferay 4 -1 (status of node1) (on lb1, lb2)')).toEqual([
      'show stat liferay 4 -1',
    ]);
    expect(
      plannedRequests('set server liferay/node1 state maint; shutdown sessions server liferay/node1 (on lb1, lb2)'),
    ).toEqual(['set server liferay/node1 state maint', 'shutdown sessions server liferay/node1']);
  });
});
