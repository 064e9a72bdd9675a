import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import type { Plan } from '../../../src/plan/types.js';
import { fillPlaceholders } from '../../../src/shell/quote.js';
import { stepsMissingFromEvents, unplannedActions, type Recorded } from '../../e2e/helpers/fidelity.js';

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
  const out = await planPlaybook(file, { vars: {}, limit: null });
  if (!out.plan) throw new Error(JSON.stringify(out.diagnostics));
  plan = out.plan;
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
