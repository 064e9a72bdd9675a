/**
 * `lrroll status` when the load balancer cannot be reached: the error is shown once, under the
 * table (not in every row), and the exit code 1 comes with the reason on stderr.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../dist/bin/lrroll.js', import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-status-cli-'));
  for (const n of ['node1', 'node2']) mkdirSync(join(dir, n));
  writeFileSync(
    join(dir, 'status.yml'),
    [
      'lrroll: 1',
      'name: Status without a load balancer socket',
      'inventory:',
      '  defaults:',
      '    transport: local',
      '    httpPort: 1',
      '  nodes:',
      `    - name: node1`,
      `      liferayHome: ${join(dir, 'node1')}`,
      `    - name: node2`,
      `      liferayHome: ${join(dir, 'node2')}`,
      'loadBalancer:',
      '  type: haproxy',
      `  socket: ${join(dir, 'missing', 'admin.sock')}`,
      '  backend: liferay',
      'change:',
      '  type: restart',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lrroll status with an unreachable load balancer', () => {
  it('shows the connection error once under the table and says why it exits 1', () => {
    const r = spawnSync(process.execPath, [BIN, 'status', join(dir, 'status.yml')], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', LRROLL_HOME: join(dir, 'home') },
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(1);
    const [head, row1, row2, ...rest] = r.stdout.split('\n');
    expect(head).toMatch(/^NODE\s+HOST/);
    for (const row of [row1, row2])
      expect(row).toMatch(/^node\d\s+\S+\s+ok\s+stopped\s+no answer\s+-\s+node\d\s+\?\s+-$/);
    const lbLines = rest.filter((l) => l.startsWith('load balancer: '));
    expect(lbLines).toHaveLength(1);
    expect(lbLines[0]).toContain(join(dir, 'missing', 'admin.sock'));
    expect(r.stderr).toContain(
      'exit 1: not every node is healthy and in rotation: the load balancer could not be read',
    );
    expect(r.stderr).toContain("node1's app server is not running");
  });
});
