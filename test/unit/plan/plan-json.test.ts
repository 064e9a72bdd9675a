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
  ['activation-key', 'df1373179308347e7d4f6a803f5058ad19b6f596a91cc8e60f3b07f3812e195a'],
  ['app-server', '1e8bc0dc7f5e95bec77dbc832e4f7e59f9731bc95056552cf63419a2eb999c10'],
  ['custom', '3e1e376736ae724c810e8981e9ce72b9f27ba822e90a6a00fdf38198b91d3370'],
  ['fixpack-revert', 'e123018efcb872fd90a329c394b3fcc519753493ce13aae218ffaba89efbc8a2'],
  ['fixpack', '189c0ae2fb00adc8b3f5949ae2ab3f3f8e36c82aadd4561c345b611109ea2178'],
  ['full-restart', 'e438704cdfb281b360e9c289d7c0d69bd61b3cad734303bdb554b03d38fbf693'],
  ['hotfix-quarterly', '40f44f1c1f152ed87c6d1541a049775fca2f7e0369be43c7e66f9e7a15f2b351'],
  ['hotfix', 'a5e45ebc4e792585ff8dba3a168d584db17ce8f2b9e964b3f188c4aa5a6baab4'],
  ['java', '53db7207c8c3dcebcbc8cb2141c02f828b78821e874fbaae9fceb9d1ccbc3ea3'],
  ['jvm-settings', '0f51f475127f4b6b866f93f1326002fa949c0e4b6d5a912d3cbb1bfc88a49a57'],
  ['module', 'ee406574d384548b9a7a39a95a35a9cdc25a64f771e863d32e3004083afb5462'],
  ['os-upgrade', '8de8d5a92dc5618ae7c1df030eef9f30afa12fd675d78ea5778549a14ded50fc'],
  ['osgi-config', '24ae2bbc6e58ddaa1c2465facb3420ce6273c280b26128fa857f79263cde8d1b'],
  ['portal-properties', 'aea3aa34eb39d327340db187eb41b630fa4b00201bc56aa3db9cecad2e080735'],
  ['release-bundle', '186f6fe6d452daefe1b5c106ee46327d59ccc7d9c90ed28efa0bccad9d1b8654'],
  ['release-lpkgs', '47236e77df86dc667fdb769c234103d769b531ac8b378e30fbdee1626f9548cc'],
  ['restart', 'fb296f9e525dd2e1f3016d28f0e5f88b0affb46dc15fb6beda09654fa4278656'],
  ['theme', 'd8a3ae087f37be1436f8836633b33a308dd664c3bb0714dbbc056fbef7c510be'],
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
