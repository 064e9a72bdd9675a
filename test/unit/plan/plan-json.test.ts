import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal, readPlan } from '../../../src/app/journal.js';
import { planPlaybook } from '../../../src/app/use-cases.js';
import { expandPlanJson, planJsonChunks, sharedValues } from '../../../src/plan/plan-json.js';
import type { Plan } from '../../../src/plan/types.js';

// Plan format 5 writes each value the plan holds in several places once (`shared`, `{"$shared": k}`); reading it
// back must give the very plan, and the hash must not move with the representation.

const PLAYBOOKS = fileURLToPath(new URL('../../../playbooks/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../fixtures/playbooks/valid/', import.meta.url));
const examples = readdirSync(PLAYBOOKS)
  .filter((f) => f.endsWith('.yml'))
  .sort();
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.yml'))
  .sort();

const dir = mkdtempSync(join(tmpdir(), 'lrroll-plan-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function planOf(file: string): Promise<Plan> {
  const { plan, diagnostics } = await planPlaybook(file, { vars: {}, limit: null, readGit: false });
  if (!plan) throw new Error(`no plan for ${file}: ${JSON.stringify(diagnostics)}`);
  return plan;
}

/** A rolling restart of `n` nodes behind HAProxy, 25 % at a time, with the cluster gate: lists shared by batch. */
function manyNodes(n: number): string {
  const file = join(dir, `many-${n}.yml`);
  const nodes = Array.from({ length: n }, (_, i) => `    - name: lr${i + 1}\n      host: 10.0.0.${i + 1}`).join('\n');
  writeFileSync(
    file,
    `lrroll: 1\nname: many\ninventory:\n  nodes:\n${nodes}\nloadBalancer:\n  type: haproxy\n` +
      `  socket: /run/haproxy/admin.sock\n  backend: liferay\nchange:\n  type: restart\nrollout:\n` +
      `  serial: "25%"\n  minHealthy: "50%"\n  onFailure: rollback\nhealth:\n  cluster:\n    enabled: true\n`,
  );
  return file;
}

const written = (plan: Plan, share: boolean, space: number): string =>
  [...planJsonChunks(plan, { share, space })].join('');

describe('planJsonChunks without sharing (`plan --format json --full`)', () => {
  it.each(examples)('%s: the pieces are JSON.stringify of the plan', async (name) => {
    const plan = await planOf(join(PLAYBOOKS, name));
    expect(written(plan, false, 2)).toBe(`${JSON.stringify(plan, null, 2)}\n`);
    expect(written(plan, false, 0)).toBe(JSON.stringify(plan));
  });
});

describe('expandPlanJson(planJsonChunks(plan)) is the plan', () => {
  it.each([...examples.map((f) => join(PLAYBOOKS, f)), ...fixtures.map((f) => join(FIXTURES, f))])(
    '%s',
    async (file) => {
      const plan = await planOf(file);
      for (const space of [0, 2]) {
        const text = written(plan, true, space);
        expect(expandPlanJson(JSON.parse(text))).toEqual(JSON.parse(JSON.stringify(plan)));
      }
    },
  );

  it('for a cluster of 40 nodes, whose capacity checks share the lists of their batch', async () => {
    const plan = await planOf(manyNodes(40));
    const full = written(plan, false, 2);
    const compact = written(plan, true, 2);
    const doc = JSON.parse(compact) as { shared?: unknown[] };
    expect(doc.shared?.length ?? 0).toBeGreaterThan(0);
    expect(compact.length).toBeLessThan(full.length * 0.8);
    const back = expandPlanJson(doc);
    expect(back).toEqual(JSON.parse(full));
    // Shared again once read: every node's re-check of batch 2 holds the one list of the nodes outside it.
    const others = back.batches[1]?.nodePlans.map(
      (np) => np.steps.find((s) => s.action === 'check-capacity') as { others: unknown[] },
    );
    expect(others?.length).toBeGreaterThan(1);
    expect(new Set(others?.map((s) => s.others)).size).toBe(1);
  });

  it("a run's record holds the plan written so, and reads back the plan the run executes", async () => {
    const plan = await planOf(manyNodes(40));
    const env = { LRROLL_HOME: join(dir, 'home') };
    const journal = Journal.create(env, plan, '20261202T1200-abcdef', '2026-12-02T12:00:00.000Z');
    journal.close();
    const back = readPlan(join(dir, 'home', 'runs', '20261202T1200-abcdef'));
    expect(back).toEqual(JSON.parse(JSON.stringify(plan)));
    expect(back.hash).toBe(plan.hash);
  });

  it('reads a plan written without sharing as it is', async () => {
    const plan = await planOf(manyNodes(12));
    expect(expandPlanJson(JSON.parse(written(plan, false, 0)))).toEqual(JSON.parse(JSON.stringify(plan)));
  });

  it('refuses a reference to no shared value', () => {
    expect(() => expandPlanJson({ formatVersion: 4, nodes: { $shared: 3 }, shared: [[1]] })).toThrow(/\$shared 3/);
  });
});

describe('sharedValues', () => {
  it('shares only values held in more than one place and large enough to be worth a reference', async () => {
    const plan = await planOf(manyNodes(40));
    const shared = sharedValues(plan);
    for (const v of shared.keys()) expect(JSON.stringify(v).length).toBeGreaterThan(20);
    expect(sharedValues(await planOf(join(PLAYBOOKS, 'restart.yml'))).size).toBe(0);
  });
});

// The hashes of the example playbooks at plan content version 5 (test/unit/plan/__snapshots__/examples/*.plan.json):
// the hash covers what a plan says, not how its JSON is written (format 5 wrote shared values once and kept the
// hashes of format 4; format 6 changed what a cluster gate holds, and with it the content version and every hash).
const EXAMPLE_HASHES: Array<[string, string]> = [
  ['activation-key', '89099d10fa0365bbf50a36959287a9508b13b2646bf5578974a8b3a9a1c3bc0e'],
  ['app-server', 'a6c4d73bd830e13d8e223225fc4ef1641577827d467588fbb594b281c30f9e79'],
  ['custom', '9a32796494622433d47d49174a26ded2a86be8320f16521fb3ed948da835b558'],
  ['fixpack-revert', '2a5aa30132722db8948ac8f24ad30e01d7d916df1ec02ded2ab2508c0d1cbe1e'],
  ['fixpack', '5672435b90e2ed6989a5fcb17fe6186de457492c837c118189ea4905490c5920'],
  ['full-restart', 'e801fc3dca0c812261fdc1da3aa882539f2940b88daa3db8c12d6381e230a7dc'],
  ['hotfix-quarterly', '9eff5aa76d4140fc22947f25b06ef9137f74632ebc50c860e179ad003f61f403'],
  ['hotfix', '8e6360bfb8611fe735f5ff118b83627064165ca67fd7ec6b689989b3a929ae22'],
  ['java', '10c38210054d1aaf91a297945276ac840a7c37023ccbe5c7113565bd20fea81c'],
  ['jvm-settings', 'f694339a35f87322019dcef7b08a5b54582a244981767fa79803f570f0ebaf9d'],
  ['module', '8c165b41af44630b92645a9aafaa3371502de3f99dccc5ffe850f5d49c5988c2'],
  ['os-upgrade', 'f12484b09c9d76731e4702c02bb980c5fe9461e7d0093a798ca0b5ef2057ca9f'],
  ['osgi-config', 'efd096a47e4849e4a42874443c77e25de7990c5be0be64acd39b6f41768db6e2'],
  ['portal-properties', 'eafaae6449abc133a97a0f1cb30dddec19bea8b3d78a088c422cadf0da9c3f53'],
  ['release-bundle', '03fb69cf3703a3b6042ec28c53a408b9db5c30c1b3937f4a6562a53d555c0c02'],
  ['release-lpkgs', 'd53040c204976b4071f6ca60c9a98ab7ef79b770cf04555abd890ba6a3be487d'],
  ['restart', 'f2885ec06fc8c9b959a2aa9a9372f246e3b425f4a2e495039c2a1bfa54d5db8d'],
  ['theme', '7b6aab63e4cb32ac2fc05ea794c7ecba493f0fffd256772ec2648163a38ec976'],
];

describe('the plan hash across the change of representation', () => {
  it('covers every example playbook', () => {
    expect(EXAMPLE_HASHES.map(([n]) => `${n}.yml`).sort()).toEqual(examples);
  });

  it.each(EXAMPLE_HASHES)('%s.yml has the same hash written shared and in full', async (name, hash) => {
    const plan = await planOf(join(PLAYBOOKS, `${name}.yml`));
    expect(plan.hash).toBe(hash);
    expect(expandPlanJson(JSON.parse(written(plan, true, 0))).hash).toBe(hash);
  });
});
