/**
 * Hostile or careless inventories end in a located error, never in a crash, a hang or gigabytes of
 * memory: range bounds are limited in digits, a host pattern and a whole inventory in the hosts they
 * produce, group nesting in depth; group walks are iterative, so no chain overflows the stack.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { INVENTORY_LIMITS } from '../../../../src/playbook/inventory/model.js';
import { parseAnsibleInventory } from './helpers.js';

const CLI = fileURLToPath(new URL('../../../../dist/bin/lrroll.js', import.meta.url));

function problems(text: string, file = 'hosts.ini'): string[] {
  return parseAnsibleInventory(text, file).diagnostics.map(
    (d) => `${d.severity} ${d.source ? `${d.source.line}:${d.source.col}` : '-'} ${d.summary}`,
  );
}

/** `[g1:children] liferay`, `[g2:children] g1` … n levels above group liferay. */
function chain(n: number): string {
  const lines = ['[liferay]', 'h1'];
  for (let i = 1; i <= n; i++) lines.push(`[g${i}:children]`, i === 1 ? 'liferay' : `g${i - 1}`);
  return lines.join('\n');
}

describe('inventory limits', () => {
  it('refuses a range whose bounds have 400 digits, without expanding it', () => {
    const text = `[liferay]\nn[${'1'.repeat(400)}:${'9'.repeat(400)}]\n`;
    expect(problems(text)).toEqual([
      expect.stringMatching(
        /^error 2:2 bad range `\[1{77}\.\.\.\]` in host `n\[1{75}\.\.\.`: a bound may have at most 6 digits$/,
      ),
    ]);
  });

  it('refuses two ranges whose product is 10^8 hosts, counting before expanding', () => {
    expect(problems('[liferay]\nn[0:9999]-[0:9999]\n')).toEqual([
      `error 2:1 host pattern \`n[0:9999]-[0:9999]\` expands to 100000000 hosts, more than the ` +
        `${INVENTORY_LIMITS.hostsPerPattern} one pattern may produce`,
    ]);
  });

  it('accepts a pattern at the limit and refuses one host more', () => {
    expect(parseAnsibleInventory('[x]\nn[1:10000]\n', 'hosts.ini').hosts).toHaveLength(10_000);
    expect(problems('[x]\nn[0:10000]\n')[0]).toContain('expands to 10001 hosts');
  });

  it('refuses an inventory of more than 100,000 hosts in all, once', () => {
    const text = `[liferay]\n${Array.from({ length: 11 }, (_, i) => `p${i}-[0:9999]`).join('\n')}\n`;
    expect(problems(text)).toEqual([`error 12:1 the inventory holds more than ${INVENTORY_LIMITS.hosts} hosts`]);
  });

  it('refuses a children chain 5,000 deep with an error, not a stack overflow', () => {
    const r = parseAnsibleInventory(chain(5000), 'hosts.ini');
    expect(r.hosts).toEqual([]);
    expect(r.diagnostics.map((d) => d.summary)).toEqual([
      `groups are nested more than ${INVENTORY_LIMITS.groupDepth} deep (at \`g${5000 - INVENTORY_LIMITS.groupDepth}\`)`,
    ]);
  });

  it('resolves a chain just within the limit', () => {
    const r = parseAnsibleInventory(chain(INVENTORY_LIMITS.groupDepth - 1), 'hosts.ini');
    expect(r.diagnostics).toEqual([]);
    expect(r.hosts[0]?.groups).toHaveLength(INVENTORY_LIMITS.groupDepth);
  });

  it('reports a cycle of 3,000 groups once, shortened, without recursion (and the chain left is too deep)', () => {
    const lines: string[] = ['[g1]', 'h'];
    for (let i = 1; i <= 3000; i++) lines.push(`[g${i}:children]`, `g${i === 3000 ? 1 : i + 1}`);
    const found = problems(lines.join('\n'));
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/groups are nested more than 1000 deep/);
    expect(found[1]).toMatch(
      /^error \d+:1 groups form a cycle: g1 -> g2 -> g3 -> g4 -> g5 -> … \(2991 more\) -> g2997 -> g2998 -> g2999 -> g3000 -> g1$/,
    );
  });

  it('refuses YAML nested deeper than the parser can take, at the line where it happens', () => {
    let text = 'all:\n  children:\n';
    let indent = '    ';
    for (let i = 0; i < 3000; i++) {
      text += `${indent}g${i}:\n${indent}  children:\n`;
      indent += '    ';
    }
    expect(problems(text, 'hosts.yml')).toEqual(['error 129:1 YAML is nested more than 128 levels deep']);
    expect(problems(`all: ${'['.repeat(5000)}`, 'hosts.yml')).toEqual([
      'error 1:1 YAML is nested more than 128 levels deep',
    ]);
  });
});

describe('inventory limits through the CLI: exit 2, a located error, no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lrroll-limits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['400-digit bounds', `[liferay]\nn[${'1'.repeat(400)}:${'9'.repeat(400)}]\n`, 'a bound may have at most 6 digits'],
    ['10^8 hosts', '[liferay]\nn[0:9999]-[0:9999]\n', 'expands to 100000000 hosts'],
    ['a 5,000-deep children chain', chain(5000), 'groups are nested more than'],
    ['a cycle', '[a:children]\nb\n[b:children]\na\n[a]\nh\n', 'groups form a cycle: a -> b -> a'],
  ])('%s', (_what, inventory, message) => {
    writeFileSync(join(dir, 'hosts.ini'), inventory);
    writeFileSync(
      join(dir, 'playbook.yml'),
      'lrroll: 1\nname: t\ninventory:\n  file: hosts.ini\nloadBalancer:\n  type: none\nchange:\n  type: restart\n',
    );
    const r = spawnSync(process.execPath, [CLI, 'validate', join(dir, 'playbook.yml')], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toMatch(/^error\[E_INVENTORY\] \S+hosts\.ini:\d+:\d+: /m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
