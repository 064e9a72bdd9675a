import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStatus } from '../../../src/app/status.js';
import type { EventInput } from '../../../src/execute/events.js';
import { planPlaybook } from '../../../src/app/use-cases.js';

// `lrroll status` prints what the load balancer answered, and a load balancer's error can quote
// its URL — which may hold a secret from the environment. Nothing status prints carries one.

const SECRET = 'bm-path-s3cret-91f2';
let dir: string;
let server: Server;
let seen: string[];
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-status-'));
  seen = [];
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(500).end(`no balancer at ${req.url ?? ''}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('lrroll status', () => {
  it('masks a secret the load balancer URL holds, in the table and in the notes', async () => {
    const port = (server.address() as AddressInfo).port;
    const file = join(dir, 'pb.yml');
    writeFileSync(
      file,
      `lrroll: 1\nname: status secret\ninventory:\n  defaults:\n    transport: local\n    ` +
        `liferayHome: ${dir}/home\n  nodes:\n    - name: node1\n    - name: ` +
        `node2\nloadBalancer:\n  type: apache\n  url: "http://127.0.0.1:${port}` +
        `/balancer-manager/\${LRROLL_T_BM}"\n  balancer: liferay\nchange:\n  type: restart\n`,
    );
    const { plan, diagnostics } = await planPlaybook(file, { vars: {}, limit: null });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const events: EventInput[] = [];
    const rows = await readStatus(
      plan!,
      { LRROLL_T_SECRET: 'x', LRROLL_T_BM: SECRET, LRROLL_HOME: join(dir, 'lrroll'), HOME: dir },
      (e) => events.push(e),
    );
    const notes = events.flatMap((e) => (e.kind === 'lock' || e.kind === 'reconcile' ? [e.text] : []));
    // every row is an event of the stream too
    expect(events.flatMap((e) => (e.kind === 'node-status' ? [e.row] : []))).toEqual(rows);
    expect(
      seen.some((u) => u.includes(SECRET)),
      'the request went to the secret URL',
    ).toBe(true);
    // the load balancer's error is shown once, under the table, masked
    expect(rows.map((r) => r.lbState)).toEqual(['?', '?']);
    expect(rows.map((r) => r.lbError)).toEqual([expect.stringMatching(/\*\*\*/), expect.stringMatching(/\*\*\*/)]);
    expect(JSON.stringify(rows) + JSON.stringify(events) + notes.join('\n')).not.toContain(SECRET);
  });
});
