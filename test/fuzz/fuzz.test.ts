/**
 * A fixed-seed subset of the fuzz suite (scripts/fuzz.mjs runs 10,000 cases in worker processes
 * with time and memory limits): mutated playbooks, inventories and artifacts through `validate`
 * and `plan`, in-process. Every case must exit 0, 2 or 3, never crash or print a stack trace,
 * give a located diagnostic with exit 2, and never accept an input known to be invalid.
 * Time and memory per input are measured by the script, not asserted here.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { fuzzCase, loadCorpus, materialize } from './cases.mjs';
import { classify, makeCaseDir, runCase } from './check.mjs';

const PLAYBOOKS = fileURLToPath(new URL('../../playbooks/', import.meta.url));
const corpus = loadCorpus(PLAYBOOKS);
const dir = makeCaseDir(PLAYBOOKS);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fuzz (fixed seed subset)', () => {
  it('250 mutated inputs: no crash, every exit 2 located, nothing invalid accepted', async () => {
    const cases = fc.sample(fuzzCase(corpus), { numRuns: 250, seed: 20261202 });
    const failures: string[] = [];
    for (const raw of cases) {
      const c = await materialize(raw, corpus);
      const r = await runCase(runCli, dir, c);
      const problems = classify(c, { ...r, ms: 0, rssMb: 0 });
      if (problems.length > 0)
        failures.push(
          `${problems.join(',')}: ${c.label} ${JSON.stringify(c.describe).slice(0, 200)} → exit ` +
            `${r.code}: ${r.stderr.slice(0, 300)}`,
        );
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
