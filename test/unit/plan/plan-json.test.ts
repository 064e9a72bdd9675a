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

// The hashes of the example playbooks as plan format 4 gave them (test/unit/plan/__snapshots__/examples/*.plan.json
// before format 5): the hash covers what a plan says, not how its JSON is written.
const HASHES_BEFORE_FORMAT_5: Array<[string, string]> = [
  ['activation-key', '619ba96b1ef88668627400260902c7f4b003a5d5046e630eefd9fbce9bd76362'],
  ['app-server', 'd8dd56354ae1c11672d5b5c2167f9d059471e46b76170c8bd738c676d910f0f0'],
  ['custom', '2c6a94d97c95ddbf7cb06bef764ba4e68e6d410955236de23f8288d8fdcf6650'],
  ['fixpack-revert', '1011f60858ec65d94b78611a111238856f3e13b351af64afd41563ba3a29da0f'],
  ['fixpack', '2f8352d3d04f45fab39d7acdf060f39109ba939e505fe9f7be24e00632831c00'],
  ['full-restart', '24109af25860bfd5b50a862ca3d4d1be7a9e2a5af89efe17a4c5f6530206c02f'],
  ['hotfix-quarterly', 'ea0ab67a0c9529bfddcf4b5652da4a6cdff026d7a9d7fb8cec16655d1251be17'],
  ['hotfix', 'ff5a43e140d7c91464107ee3db7d51f91f5742af84b25de5c91cf9e61c1d4f02'],
  ['java', '702abe71566d0b7fa40f74e054c15cb42ca218f72b36b9b625e693052cb888b2'],
  ['jvm-settings', 'fd47bbc3990f300fd6db968b40161459d7b891e9863aa85e4a20c87b1038495c'],
  ['module', '80f7665385ad9d8f74de7c54fe5727d8385dd2ac6c53c5968844edb401fb1d03'],
  ['os-upgrade', 'ab21316c5b90e29a6b70e29d1f85576dd728acea953a90bcdb409c8743f44ceb'],
  ['osgi-config', '474c9f4d262a99e3dd86297d008ccbfd21d19693fe8802c1866896e7f2444a9f'],
  ['portal-properties', '9e65ecaa098bdf16e58d7c6cfa9c12aa06fc51a24954f7aff3fd09ef0876abfb'],
  ['release-bundle', 'b9faf04ca80ca7e64a29631ac1f9907d982469020ffb98396bf66e7697dc7705'],
  ['release-lpkgs', 'fe36a2e6b68e6bffaeccfc9e442c4072db964ab2f892c01502c447751cc013a4'],
  ['restart', '19d3c28258ea5db189e4f0d2c0b7d54c54463581c7b004590e3d2129f46e0cde'],
  ['theme', '6630fa6ac5f4f547dbe20e095c8cbc5a73b570606a42c74450ee2dc42374dc1f'],
];

describe('the plan hash across the change of representation', () => {
  it('covers every example playbook', () => {
    expect(HASHES_BEFORE_FORMAT_5.map(([n]) => `${n}.yml`).sort()).toEqual(examples);
  });

  it.each(HASHES_BEFORE_FORMAT_5)('%s.yml keeps the hash it had in plan format 4', async (name, hash) => {
    const plan = await planOf(join(PLAYBOOKS, `${name}.yml`));
    expect(plan.hash).toBe(hash);
    expect(expandPlanJson(JSON.parse(written(plan, true, 0))).hash).toBe(hash);
  });
});
