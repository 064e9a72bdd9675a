/**
 * lrroll's batches against real Ansible: test/ansible/serial-table.json holds the batch sizes that
 * ansible-playbook produced for a grid of (serial, host count) cases (regenerate it with
 * `node test/ansible/serial-ansible.mjs`). Where ansible-playbook is installed (CI installs it),
 * a sample of the grid is run again, so the kept table is checked against Ansible itself.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeBatches } from '../../../src/plan/batches.js';
import { ansibleBatches, caseKey, gridCases, hasAnsible, type SerialCase } from '../../ansible/serial-ansible.mjs';

const TABLE = JSON.parse(readFileSync(new URL('../../ansible/serial-table.json', import.meta.url), 'utf8')) as {
  generatedBy: string;
  batches: Record<string, number[]>;
};

/** Batch sizes lrroll computes for `n` hosts. */
function lrrollSizes(c: SerialCase): number[] {
  const hosts = Array.from({ length: c.hosts }, (_, i) => i);
  return computeBatches(hosts, c.serial).map((b) => b.length);
}

describe(`serial: lrroll's batches equal ${TABLE.generatedBy}'s`, () => {
  it('the kept table covers the whole grid', () => {
    expect(Object.keys(TABLE.batches).sort()).toEqual(
      gridCases()
        .map((c) => caseKey(c.serial, c.hosts))
        .sort(),
    );
    expect(Object.keys(TABLE.batches).length).toBeGreaterThanOrEqual(500);
  });

  it.each(gridCases().map((c) => [caseKey(c.serial, c.hosts), c] as const))('%s', (key, c) => {
    expect(lrrollSizes(c)).toEqual(TABLE.batches[key]);
  });

  it('pins the binary floating point cases named in the docs', () => {
    expect(TABLE.batches[caseKey('58%', 50)]).toEqual([28, 22]);
    expect(TABLE.batches[caseKey('57%', 100)]).toEqual([56, 44]);
    expect(TABLE.batches[caseKey('29%', 100)]).toEqual([28, 28, 28, 16]);
  });
});

/** A fixed sample of the grid: the floating point edges, 0/-1 in lists, lists whose last entry repeats. */
const SAMPLE: SerialCase[] = [
  { serial: '58%', hosts: 50 },
  { serial: '57%', hosts: 100 },
  { serial: '29%', hosts: 100 },
  { serial: '14%', hosts: 50 },
  { serial: '5%', hosts: 10 },
  { serial: 0, hosts: 7 },
  { serial: -1, hosts: 5 },
  { serial: [1, '20%', -1], hosts: 11 },
  { serial: [2, 0], hosts: 7 },
  { serial: [1, 2, '50%'], hosts: 13 },
  { serial: '150%', hosts: 3 },
  { serial: 3, hosts: 10 },
];

describe.skipIf(!hasAnsible() && process.env.CI !== 'true')(
  'serial: a sample regenerated with ansible-playbook now',
  () => {
    it('ansible-playbook gives the kept table and lrroll the same', () => {
      expect(hasAnsible(), 'ansible-playbook must be installed (apt-get install ansible)').toBe(true);
      const fresh = ansibleBatches(SAMPLE);
      for (const c of SAMPLE) {
        const key = caseKey(c.serial, c.hosts);
        expect(fresh[key], key).toEqual(TABLE.batches[key]);
        expect(lrrollSizes(c), key).toEqual(fresh[key]);
      }
    }, 300_000);
  },
);
