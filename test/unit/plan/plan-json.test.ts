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
  ['activation-key', 'b48f3a3ea7b2d8def6a8135baa6818b0c7480ee880ba682e7a17d51da4e48bac'],
  ['app-server', '31fbd9d989e6d65ca0e0804cd5bce33f33d714bf6ed2c2a7ef67b1a01b453f42'],
  ['custom', '954392f037e86957b6a125e7d9a781bd61f28f328f894c3e944966e47e3eaeb6'],
  ['fixpack-revert', '4b9fcfc9a62cc05c9ac9a38813c134e856ae486b9f34058e7177a3f9aa73afce'],
  ['fixpack', 'da245950dc7ec237c6efad364cc2eaeb78d1fe70db2dd64c0083d4ff0285e634'],
  ['full-restart', '5069fd388c05b77f253b08146aa543247a2a6646eeefe6057d7684e11279e4ec'],
  ['hotfix-quarterly', '72b56525893f3609409b6898b412bd390587fdb20bd183e2ecc96c6b948f4e75'],
  ['hotfix', '4dbdeb8a4c824dfc1a225a1bb61ac7912b31f2daef94610b610800cbf5c12e5c'],
  ['java', '57af4678d9e2b97257eb2a06fbb1af402f8e233949a7bdbe8b86dd4eb47d9c2d'],
  ['jvm-settings', '7e682ae5cdaeec9bb5f6d6e7a67cfe5ded7847c2bb52988cb6a006f0626047cd'],
  ['module', 'ee10fe7c70ee720b132d62614d09f7af4d4acddd70437567011c712adb032668'],
  ['os-upgrade', '6544193d505bf6ca33c4d3478ca004c59e7185717f217e1652859408dc44b549'],
  ['osgi-config', 'ae31745a043b03a9c10e88edd928948a9382c2bc9b67243a45d4981c0c0dd1a6'],
  ['portal-properties', 'b6c26e375966e9abee4e5f918fe57a696ee4bec518de5b5578a15a8dfcae0d83'],
  ['release-bundle', '17b46e0cf9825080bef3e184ab85ac76abb9cd2517e90d786b3de1231310a866'],
  ['release-lpkgs', '8d18eafa7c367676c656f11477e8f9b15d2d996f8c1fcd779d7de94239ebc4f9'],
  ['restart', '9d711b550c585e3eed51c5d4e5c2f8b0b9947b422eec1419c56e736fc0b60bd4'],
  ['theme', '3cb7b600819e480fb5e8a6e54ce4b6699f42e3e8d1d2181ad926e95019eec062'],
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
