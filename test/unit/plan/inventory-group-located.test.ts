/**
 * The inventory group a playbook names is user input like any other field: a group the inventory
 * does not define, or one without hosts, is an error at `inventory.group` in the playbook (exit 2,
 * file:line:col), not a line without a place.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lrroll-group-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function validate(group: string, inventory: string): Promise<{ code: number; stderr: string }> {
  writeFileSync(join(dir, 'hosts.ini'), inventory);
  writeFileSync(
    join(dir, 'playbook.yml'),
    `lrroll: 1\nname: t\ninventory:\n  file: hosts.ini\n  group: ${JSON.stringify(group)}` +
      `\nloadBalancer:\n  type: none\nchange:\n  type: restart\n`,
  );
  let stderr = '';
  const io = {
    stdout: { write: () => undefined, isTTY: false },
    stderr: { write: (t: string) => void (stderr += t), isTTY: false },
    env: { NO_COLOR: '1', HOME: dir },
    cwd: dir,
  };
  const code = await runCli(['validate', join(dir, 'playbook.yml')], io as never);
  return { code, stderr };
}

describe('inventory.group', () => {
  it.each(['..', 'liferya', ' a b ', '//'])(
    'a group the inventory does not define (%j) is located at inventory.group',
    async (group) => {
      const r = await validate(group, '[liferay]\nlr1.example.net\n');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error\[E_INVENTORY\] \S*playbook\.yml:5:10: group `.*` is not defined in /m);
    },
  );

  it('a group without hosts is located at inventory.group, with what to do', async () => {
    const r = await validate('empty', '[liferay]\nlr1.example.net\n[empty]\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error\[E_INVENTORY\] \S*playbook\.yml:5:10: \S*hosts\.ini has no hosts in group `empty`/m,
    );
    expect(r.stderr).toContain('hint: add hosts to the inventory, or name a group that has some');
  });
});
