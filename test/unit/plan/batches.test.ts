import { describe, expect, it } from 'vitest';
import {
  computeBatches,
  orderHosts,
  serialEntryToInt,
  type HostOrder,
  type SerialEntry,
} from '../../../src/plan/batches.js';

/** `host0` … `host<n-1>`, as in Ansible's test. */
const hosts = (n: number): string[] => Array.from({ length: n }, (_, i) => `host${i}`);

type Serial = SerialEntry | readonly SerialEntry[] | undefined;

/**
 * Ported verbatim from ansible/ansible `test/units/executor/test_playbook_executor.py`,
 * `TestPlaybookExecutor.test_get_serialized_batches` (playbooks `no_serial.yml`, `serial_int.yml`,
 * `serial_pct.yml`, `serial_list.yml`, `serial_list_mixed.yml`, then the "serial percent is under 1.0"
 * and "remainder for serial as a percent" cases). Each row: the play's `serial`, the hosts
 * `inventory.get_hosts` returns, and the batches `_get_serialized_batches(play)` must equal.
 */
const ANSIBLE_CASES: Array<{ name: string; serial: Serial; hosts: string[]; expected: string[][] }> = [
  {
    name: 'no_serial.yml (no serial)',
    serial: undefined,
    hosts: ['host0', 'host1', 'host2', 'host3', 'host4', 'host5', 'host6', 'host7', 'host8', 'host9'],
    expected: [['host0', 'host1', 'host2', 'host3', 'host4', 'host5', 'host6', 'host7', 'host8', 'host9']],
  },
  {
    name: 'serial_int.yml (serial: 2)',
    serial: 2,
    hosts: ['host0', 'host1', 'host2', 'host3', 'host4', 'host5', 'host6', 'host7', 'host8', 'host9'],
    expected: [
      ['host0', 'host1'],
      ['host2', 'host3'],
      ['host4', 'host5'],
      ['host6', 'host7'],
      ['host8', 'host9'],
    ],
  },
  {
    name: 'serial_pct.yml (serial: 20%)',
    serial: '20%',
    hosts: ['host0', 'host1', 'host2', 'host3', 'host4', 'host5', 'host6', 'host7', 'host8', 'host9'],
    expected: [
      ['host0', 'host1'],
      ['host2', 'host3'],
      ['host4', 'host5'],
      ['host6', 'host7'],
      ['host8', 'host9'],
    ],
  },
  {
    name: 'serial_list.yml (serial: [1, 2, 3])',
    serial: [1, 2, 3],
    hosts: ['host0', 'host1', 'host2', 'host3', 'host4', 'host5', 'host6', 'host7', 'host8', 'host9'],
    expected: [['host0'], ['host1', 'host2'], ['host3', 'host4', 'host5'], ['host6', 'host7', 'host8'], ['host9']],
  },
  {
    name: 'serial_list_mixed.yml (serial: [1, "20%", -1])',
    serial: [1, '20%', -1],
    hosts: ['host0', 'host1', 'host2', 'host3', 'host4', 'host5', 'host6', 'host7', 'host8', 'host9'],
    expected: [['host0'], ['host1', 'host2'], ['host3', 'host4', 'host5', 'host6', 'host7', 'host8', 'host9']],
  },
  {
    name: 'serial percent is under 1.0 (serial: 20%, 3 hosts)',
    serial: '20%',
    hosts: ['host0', 'host1', 'host2'],
    expected: [['host0'], ['host1'], ['host2']],
  },
  {
    name: 'remainder for serial as a percent (serial: 20%, 11 hosts)',
    serial: '20%',
    hosts: ['host0', 'host1', 'host2', 'host3', 'host4', 'host5', 'host6', 'host7', 'host8', 'host9', 'host10'],
    expected: [
      ['host0', 'host1'],
      ['host2', 'host3'],
      ['host4', 'host5'],
      ['host6', 'host7'],
      ['host8', 'host9'],
      ['host10'],
    ],
  },
];

describe('computeBatches: Ansible test_get_serialized_batches, ported', () => {
  it.each(ANSIBLE_CASES)('$name', ({ serial, hosts: given, expected }) => {
    expect(computeBatches(given, serial)).toEqual(expected);
  });
});

/** More cases on 10 hosts, worked out from the same `_get_serialized_batches` / `pct_to_int` logic. */
const TEN_HOST_CASES: Array<{ name: string; serial: Serial; expected: string[][] }> = [
  { name: 'serial: 1', serial: 1, expected: hosts(10).map((h) => [h]) },
  {
    name: 'serial: "30%" (3 of 10)',
    serial: '30%',
    expected: [['host0', 'host1', 'host2'], ['host3', 'host4', 'host5'], ['host6', 'host7', 'host8'], ['host9']],
  },
  {
    name: 'serial: [2, 3] (the last entry repeats)',
    serial: [2, 3],
    expected: [
      ['host0', 'host1'],
      ['host2', 'host3', 'host4'],
      ['host5', 'host6', 'host7'],
      ['host8', 'host9'],
    ],
  },
  {
    name: 'serial: [1, 2, "50%"]',
    serial: [1, 2, '50%'],
    expected: [['host0'], ['host1', 'host2'], ['host3', 'host4', 'host5', 'host6', 'host7'], ['host8', 'host9']],
  },
  { name: 'serial: [] (empty list = all hosts, as Ansible)', serial: [], expected: [hosts(10)] },
  { name: 'serial: 0 (≤ 0 = all remaining hosts)', serial: 0, expected: [hosts(10)] },
  { name: 'serial: -1', serial: -1, expected: [hosts(10)] },
  {
    name: 'serial: [3, 0] (0 takes the rest)',
    serial: [3, 0],
    expected: [['host0', 'host1', 'host2'], hosts(10).slice(3)],
  },
  { name: 'serial: "100%"', serial: '100%', expected: [hosts(10)] },
  { name: 'serial: "5%" (0.5 rounds to 0, minimum 1)', serial: '5%', expected: hosts(10).map((h) => [h]) },
  { name: 'serial: "0%" (minimum 1)', serial: '0%', expected: hosts(10).map((h) => [h]) },
  { name: 'serial: 20 (more than the host count)', serial: 20, expected: [hosts(10)] },
  { name: 'serial: "150%" (more than the host count)', serial: '150%', expected: [hosts(10)] },
  {
    name: 'serial: "3" (an integer as a string, Ansible int())',
    serial: '3',
    expected: [hosts(10).slice(0, 3), hosts(10).slice(3, 6), hosts(10).slice(6, 9), ['host9']],
  },
  {
    name: 'serial: 2.9 (truncated like Ansible int())',
    serial: 2.9,
    expected: [
      hosts(10).slice(0, 2),
      hosts(10).slice(2, 4),
      hosts(10).slice(4, 6),
      hosts(10).slice(6, 8),
      hosts(10).slice(8),
    ],
  },
];

describe('computeBatches: more serial values on 10 hosts', () => {
  it.each(TEN_HOST_CASES)('$name', ({ serial, expected }) => {
    expect(computeBatches(hosts(10), serial)).toEqual(expected);
  });
});

const EDGE_CASES: Array<{ name: string; serial: Serial; hosts: string[]; expected: string[][] }> = [
  { name: '0 hosts, no serial', serial: undefined, hosts: [], expected: [] },
  { name: '0 hosts, serial 1', serial: 1, hosts: [], expected: [] },
  { name: '0 hosts, serial "50%"', serial: '50%', hosts: [], expected: [] },
  { name: '0 hosts, serial [1, 2]', serial: [1, 2], hosts: [], expected: [] },
  { name: '1 host, no serial', serial: undefined, hosts: hosts(1), expected: [['host0']] },
  { name: '1 host, serial 1', serial: 1, hosts: hosts(1), expected: [['host0']] },
  { name: '1 host, serial 5', serial: 5, hosts: hosts(1), expected: [['host0']] },
  { name: '1 host, serial "50%" (0.5 → minimum 1)', serial: '50%', hosts: hosts(1), expected: [['host0']] },
  { name: '1 host, serial [2, 3]', serial: [2, 3], hosts: hosts(1), expected: [['host0']] },
  { name: '3 hosts, serial "100%"', serial: '100%', hosts: hosts(3), expected: [['host0', 'host1', 'host2']] },
  {
    name: '4 hosts, a list longer than needed [1, 2, 3, 4, 5]',
    serial: [1, 2, 3, 4, 5],
    hosts: hosts(4),
    expected: [['host0'], ['host1', 'host2'], ['host3']],
  },
  {
    name: '3 hosts, a list longer than needed [1, "50%", "100%", 7]',
    serial: [1, '50%', '100%', 7],
    hosts: hosts(3),
    expected: [['host0'], ['host1'], ['host2']],
  },
  {
    name: '4 hosts, list exactly used up [1, 3]',
    serial: [1, 3],
    hosts: hosts(4),
    expected: [['host0'], ['host1', 'host2', 'host3']],
  },
  {
    name: '5 hosts, list of one entry [2] repeats',
    serial: [2],
    hosts: hosts(5),
    expected: [['host0', 'host1'], ['host2', 'host3'], ['host4']],
  },
];

describe('computeBatches: edge cases', () => {
  it.each(EDGE_CASES)('$name', ({ serial, hosts: given, expected }) => {
    expect(computeBatches(given, serial)).toEqual(expected);
  });
});

/** `total`: percentages are of all hosts (e.g. the whole cluster when a canary batch was split off first). */
const TOTAL_CASES: Array<{ name: string; serial: Serial; hosts: string[]; total: number; expected: string[][] }> = [
  {
    name: '"50%" of 8 = 4 for the 4 remaining hosts',
    serial: '50%',
    hosts: hosts(4),
    total: 8,
    expected: [['host0', 'host1', 'host2', 'host3']],
  },
  {
    name: '"25%" of 8 = 2 for 3 hosts',
    serial: '25%',
    hosts: hosts(3),
    total: 8,
    expected: [['host0', 'host1'], ['host2']],
  },
  {
    name: '"10%" of 10 = 1 for 4 hosts (not 10% of 4)',
    serial: '10%',
    hosts: hosts(4),
    total: 10,
    expected: [['host0'], ['host1'], ['host2'], ['host3']],
  },
  { name: '"50%" of 3 = 1 for 9 hosts', serial: '50%', hosts: hosts(9), total: 3, expected: hosts(9).map((h) => [h]) },
  {
    name: '[1, "30%"] of 10 = [1, 3] for 9 hosts',
    serial: [1, '30%'],
    hosts: hosts(9),
    total: 10,
    expected: [['host0'], ['host1', 'host2', 'host3'], ['host4', 'host5', 'host6'], ['host7', 'host8']],
  },
  {
    name: 'integers ignore total',
    serial: 2,
    hosts: hosts(5),
    total: 100,
    expected: [['host0', 'host1'], ['host2', 'host3'], ['host4']],
  },
  {
    name: 'no serial ignores total',
    serial: undefined,
    hosts: hosts(3),
    total: 100,
    expected: [['host0', 'host1', 'host2']],
  },
];

describe('computeBatches: the total parameter', () => {
  it.each(TOTAL_CASES)('$name', ({ serial, hosts: given, total, expected }) => {
    expect(computeBatches(given, serial, total)).toEqual(expected);
  });

  it('defaults total to the number of hosts given', () => {
    expect(computeBatches(hosts(4), '50%')).toEqual(computeBatches(hosts(4), '50%', 4));
    expect(computeBatches(hosts(4), '50%')).toEqual([
      ['host0', 'host1'],
      ['host2', 'host3'],
    ]);
  });
});

describe('computeBatches: inputs and outputs', () => {
  it('does not modify the hosts array or the serial list', () => {
    const given = hosts(5);
    const serial = [1, '50%'] as const;
    computeBatches(given, serial);
    expect(given).toEqual(hosts(5));
    expect(serial).toEqual([1, '50%']);
  });

  it('keeps the host objects themselves, in order', () => {
    const objs = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
    const batches = computeBatches(objs, 2);
    expect(batches).toHaveLength(2);
    expect(batches[0]?.[0]).toBe(objs[0]);
    expect(batches[0]?.[1]).toBe(objs[1]);
    expect(batches[1]?.[0]).toBe(objs[2]);
  });

  it('every host appears exactly once, across many serial values', () => {
    const serials: Serial[] = [
      undefined,
      1,
      2,
      3,
      7,
      '10%',
      '25%',
      '33%',
      '50%',
      '99%',
      [1, 2],
      [1, '20%', -1],
      [3, '10%'],
    ];
    for (let n = 0; n <= 13; n++) {
      for (const serial of serials) {
        const batches = computeBatches(hosts(n), serial);
        expect(batches.flat()).toEqual(hosts(n));
        expect(batches.every((b) => b.length > 0)).toBe(true);
      }
    }
  });
});

/** pct_to_int(value, num_items): a percentage of num_items rounded down with a minimum of 1, else int(value). */
const PCT_TO_INT_CASES: Array<{ value: SerialEntry; total: number; expected: number }> = [
  { value: 1, total: 10, expected: 1 },
  { value: 2, total: 10, expected: 2 },
  { value: 15, total: 10, expected: 15 },
  { value: 0, total: 10, expected: 0 },
  { value: -1, total: 10, expected: -1 },
  { value: 2.9, total: 10, expected: 2 },
  { value: '3', total: 10, expected: 3 },
  { value: '20%', total: 10, expected: 2 },
  { value: '20%', total: 11, expected: 2 },
  { value: '20%', total: 3, expected: 1 },
  { value: '30%', total: 10, expected: 3 },
  { value: '100%', total: 7, expected: 7 },
  { value: '150%', total: 10, expected: 15 },
  { value: '0%', total: 10, expected: 1 },
  { value: '5%', total: 10, expected: 1 },
  { value: '50%', total: 0, expected: 1 },
  { value: '50%', total: 1, expected: 1 },
];

describe('serialEntryToInt (Ansible pct_to_int)', () => {
  it.each(PCT_TO_INT_CASES)('$value of $total → $expected', ({ value, total, expected }) => {
    expect(serialEntryToInt(value, total)).toBe(expected);
  });

  // Ansible computes int((value_pct / 100.0) * num_items) in binary floating point: 0.29 * 100 is
  // 28.999999999999996, so "29%" of 100 hosts is 28. lrroll does the same, with no epsilon.
  it.each([
    { value: '29%', total: 100, expected: 28 },
    { value: '57%', total: 100, expected: 56 },
    { value: '58%', total: 100, expected: 57 },
    { value: '58%', total: 50, expected: 28 },
    { value: '7%', total: 100, expected: 7 },
    { value: '14%', total: 50, expected: 7 },
    { value: '56%', total: 25, expected: 14 },
  ])('$value of $total → $expected (as Python computes it)', ({ value, total, expected }) => {
    expect(serialEntryToInt(value, total)).toBe(expected);
  });
});

describe('computeBatches: 0 and -1 inside a list', () => {
  it.each<{ serial: Serial; expected: number[] }>([
    { serial: [0, 1], expected: [10] },
    { serial: [-1, 1], expected: [10] },
    { serial: [1, -1, 2], expected: [1, 9] },
    { serial: ['10%', '30%', 0], expected: [1, 3, 6] },
    { serial: [2, 0], expected: [2, 8] },
  ])('$serial on 10 hosts → $expected', ({ serial, expected }) => {
    expect(computeBatches(hosts(10), serial).map((b) => b.length)).toEqual(expected);
  });
});

describe('orderHosts', () => {
  const nodes = [{ name: 'node3' }, { name: 'node1' }, { name: 'node10' }, { name: 'node2' }];
  const names = (list: ReadonlyArray<{ name: string }>): string[] => list.map((h) => h.name);

  it.each<{ order: HostOrder; expected: string[] }>([
    { order: 'inventory', expected: ['node3', 'node1', 'node10', 'node2'] },
    { order: 'reverse_inventory', expected: ['node2', 'node10', 'node1', 'node3'] },
    // By name, character by character (like Python's sorted(key=name)): node10 sorts before node2.
    { order: 'sorted', expected: ['node1', 'node10', 'node2', 'node3'] },
    { order: 'reverse_sorted', expected: ['node3', 'node2', 'node10', 'node1'] },
  ])('$order', ({ order, expected }) => {
    const out = orderHosts(nodes, order, 0);
    expect(names(out)).toEqual(expected);
  });

  it.each<HostOrder>(['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'])(
    '%s returns a new array and leaves the input alone',
    (order) => {
      const given = [...nodes];
      const out = orderHosts(given, order, 3);
      expect(out).not.toBe(given);
      expect(given).toEqual(nodes);
      for (const h of out) expect(nodes).toContain(h);
    },
  );

  it.each<HostOrder>(['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'])(
    '%s of 0 and 1 hosts',
    (order) => {
      expect(orderHosts([], order, 5)).toEqual([]);
      expect(orderHosts([{ name: 'only' }], order, 5)).toEqual([{ name: 'only' }]);
    },
  );

  it('keeps extra fields of the host objects', () => {
    const rich = [
      { name: 'b', port: 2 },
      { name: 'a', port: 1 },
    ];
    expect(orderHosts(rich, 'sorted', 0)).toEqual([
      { name: 'a', port: 1 },
      { name: 'b', port: 2 },
    ]);
  });

  describe('shuffle', () => {
    const ten = Array.from({ length: 10 }, (_, i) => ({ name: `node${i + 1}` }));
    const key = (seed: number): string => names(orderHosts(ten, 'shuffle', seed)).join(',');

    it.each([0, 1, 2, 42, 123456789, 2 ** 32 - 1])('seed %i: the same seed gives the same order', (seed) => {
      expect(key(seed)).toBe(key(seed));
      expect(names(orderHosts(ten, 'shuffle', seed))).toEqual(names(orderHosts([...ten], 'shuffle', seed)));
    });

    it.each([0, 1, 2, 42, 123456789, 2 ** 32 - 1])('seed %i: the result is a permutation of the hosts', (seed) => {
      const out = orderHosts(ten, 'shuffle', seed);
      expect(out).toHaveLength(ten.length);
      expect(new Set(out).size).toBe(ten.length);
      expect([...names(out)].sort()).toEqual([...names(ten)].sort());
    });

    it('different seeds usually give different orders', () => {
      const orders = new Set<string>();
      for (let seed = 0; seed < 50; seed++) orders.add(key(seed));
      // 10! orders: 50 seeds colliding more than a handful of times would mean the seed is ignored.
      expect(orders.size).toBeGreaterThanOrEqual(45);
      expect(key(1)).not.toBe(key(2));
      expect(key(42)).not.toBe(key(43));
    });

    it('actually shuffles (not the inventory order for most seeds)', () => {
      const inventory = names(ten).join(',');
      let unchanged = 0;
      for (let seed = 0; seed < 50; seed++) if (key(seed) === inventory) unchanged++;
      expect(unchanged).toBeLessThanOrEqual(1);
    });

    it('both orders of two hosts occur across seeds', () => {
      const two = [{ name: 'a' }, { name: 'b' }];
      const seen = new Set<string>();
      for (let seed = 0; seed < 20; seed++) seen.add(names(orderHosts(two, 'shuffle', seed)).join(''));
      expect(seen).toEqual(new Set(['ab', 'ba']));
    });

    it('the permutation depends on the seed and the number of hosts, not on their names', () => {
      const other = ten.map((h) => ({ name: h.name.toUpperCase() }));
      expect(names(orderHosts(other, 'shuffle', 42)).map((n) => n.toLowerCase())).toEqual(
        names(orderHosts(ten, 'shuffle', 42)),
      );
    });

    it('treats the seed as an unsigned 32-bit integer (-1 and 2^32-1 are the same seed)', () => {
      expect(key(-1)).toBe(key(2 ** 32 - 1));
    });

    // Regression pins: the plan hash depends on this order, so a change of generator shows up here.
    it.each([
      { seed: 0, expected: 'node4,node9,node7,node5,node6,node10,node8,node2,node1,node3' },
      { seed: 1, expected: 'node8,node9,node4,node3,node2,node6,node10,node5,node1,node7' },
      { seed: 42, expected: 'node1,node8,node4,node6,node3,node2,node9,node10,node5,node7' },
    ])('seed $seed gives a stable order', ({ seed, expected }) => {
      expect(key(seed)).toBe(expected);
    });
  });
});
