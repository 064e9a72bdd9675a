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
  ['activation-key', 'dba8a5842817c5a908f90e863bd1f3feb009ee2192b2ba21baa81b7617fded41'],
  ['app-server', '86e9681580e025f5255e5deaa306672ceeeecfd9e223f8042845926667a6ce0c'],
  ['custom', '28200294b73bc5dde812b84c6632ed067a7f7cee54eaab56dca8f6d155734ba3'],
  ['fixpack-revert', '9f9570845b5e97884d88f7d89bdb7c6f346e7ae1d85490f4a44c4e732e739af2'],
  ['fixpack', 'daaa2be688cd6516e1b600b1750dd0568e943f1e2f625f0fae8295e6002ae6bf'],
  ['full-restart', '3af6b1810c56c919f93b8a65a555c7b4f1225d0ebc5c2f4a52f92a08d67d30a3'],
  ['hotfix-quarterly', 'a9b18bd6f78cd1a79daf959517f4e157ca577adcaf1c4954dcdc9481c1496ad2'],
  ['hotfix', '51ac231ba59131d067771f13cef4cae464fcc0b5ef853684822331e700bd1a49'],
  ['java', 'df26fbd70a9075ba3261ec5cd6931ccda8925a9d27f5ed0b8eb229420aeffd18'],
  ['jvm-settings', 'dd67a5c332f5983e8c48e26485413df0624ae608ffda042635f949ef4f742b28'],
  ['module', '8d27982efa8e9af450c33275bd3f9c763ba9d8132fb2b9ba869176f2a4a4a4a8'],
  ['os-upgrade', 'da23de13cd6107deb689986ffba43cf9ef707237b95285ce8c797722dd582c1d'],
  ['osgi-config', 'bc869a91c2316fb192d9e02e13c7ac6429b93f8706d8930266aeff52b9b2da3a'],
  ['portal-properties', 'ed1c4975d57edb187e03a020b05e7d7217fabd1ca0b5ddedbac9ae91ada573ef'],
  ['release-bundle', 'd469b093660ec98f9cab2628088422f49b66fa67420f0e269441c4aee95fde68'],
  ['release-lpkgs', '8c5f85b0f97fffd557edc6b8f8da6a01e46d75c50d4278974245968bdf2f5438'],
  ['restart', 'e694acdaa6cfa4a900c78186eb9ea61a0e474835f96e9e8eb8ada3b011fd7625'],
  ['theme', 'e3cabb830ca15bbeb30858cd65a0c8c769a28c3c2047dc6c3969800394cd95e0'],
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
