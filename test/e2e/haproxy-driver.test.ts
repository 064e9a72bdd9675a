// The HAProxy driver against a real HAProxy (Debian's haproxy 2.6 here and in CI): an admin unix
// socket, a TCP admin socket, an operator-level socket, and a backend of three tiny Node HTTP servers
// checked every 200 ms. Skipped, with the reason printed, when haproxy is not installed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MemberState } from '../../src/execute/lb/driver.js';
import { createLbDriver } from '../../src/execute/lb/factory.js';
import { HaproxyDriver } from '../../src/execute/lb/haproxy.js';
import type { ExecOptions, ExecResult } from '../../src/execute/transport.js';
import { LocalTransport } from '../../src/execute/transports/local.js';
import { LOCAL_TIMINGS, TIMINGS } from '../../src/plan/defaults.js';
import { parseHaproxySocket, socatWrapper } from '../../src/domain/haproxy-socket.js';
import type { PlanLoadBalancer } from '../../src/plan/types.js';

function probe(cmd: string, args: string[]): { ok: boolean; text: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return { ok: false, text: r.error.message };
  return { ok: r.status === 0, text: `${r.stdout}${r.stderr}`.split('\n')[0] ?? '' };
}

/** `haproxy` from PATH, else Debian's /usr/sbin (not on a non-root user's PATH). */
function findBinary(name: string): string {
  if (probe(name, ['-v']).ok) return name;
  return ['/usr/sbin', '/usr/local/sbin', '/sbin'].map((d) => join(d, name)).find((p) => existsSync(p)) ?? name;
}

const HAPROXY_BIN = findBinary('haproxy');
const HAPROXY = probe(HAPROXY_BIN, ['-v']);
const SOCAT = probe('socat', ['-V']);
if (!HAPROXY.ok)
  console.warn(
    `SKIPPED test/e2e/haproxy-driver.test.ts: haproxy is not installed or does not run (` +
      `${HAPROXY.text}); install the haproxy package (CI treats this skip as a failure)`,
  );
if (HAPROXY.ok && !SOCAT.ok) console.warn(`SKIPPED the \`via\` (socat) tests: socat is not installed (${SOCAT.text})`);

const NODES = ['node1', 'node2', 'node3'] as const;

/** A tiny Liferay stand-in: `/health` answers 200, `/slow` is held until released, anything else answers at once. */
interface Backend {
  name: string;
  server: Server;
  port: number;
  held: ServerResponse[];
}

async function startBackend(name: string): Promise<Backend> {
  const held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('X-Served-By', name);
    if (req.url === '/slow') {
      held.push(res);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('started\n');
      return;
    }
    res.end(`ok ${name}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { name, server, port: (server.address() as AddressInfo).port, held };
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/**
 * The Transport the `via` form uses, minus SSH: lrroll's own local transport (`sh -c` on this machine), recording each
 * command.
 */
class ShTransport extends LocalTransport {
  readonly commands: string[] = [];
  constructor() {
    super(LOCAL_TIMINGS.localKillGraceMs);
  }
  override exec(command: string, options: ExecOptions): Promise<ExecResult> {
    this.commands.push(command);
    return super.exec(command, options);
  }
}

let dir = '';
let haproxy: ChildProcess | null = null;
let haproxyLog = '';
let backends: Backend[] = [];
let frontendPort = 0;
let adminTcpPort = 0;
let sock = '';
let driver: HaproxyDriver;
const agent = new Agent({ keepAlive: true, maxSockets: 10 });

function config(): string {
  const servers = backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port} check inter 200ms`).join('\n');
  const pins = backends.map((b) => `  use-server ${b.name} if { req.hdr(x-node) -m str ${b.name} }`).join('\n');
  return `global
  stats socket ${dir}/admin.sock mode 600 level admin
  stats socket ${dir}/operator.sock mode 600 level operator
  stats socket ipv4@127.0.0.1:${adminTcpPort} level admin
  stats timeout 30s
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
frontend fe
  bind 127.0.0.1:${frontendPort}
  default_backend liferay
backend liferay
  balance roundrobin
  option httpchk GET /health
${pins}
${servers}
`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true; returns the milliseconds it took. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out waiting for ${what}\nhaproxy output:\n${haproxyLog}`);
    await sleep(50);
  }
}

const allRaw = async (d: HaproxyDriver = driver): Promise<Record<string, string>> =>
  Object.fromEntries([...(await d.members())].map(([k, v]) => [k, v.raw]));

/**
 * Sends a GET through HAProxy (optionally pinned to a server, like a sticky session); resolves with the status and the
 * server that answered.
 */
function get(path: string, pin?: string): Promise<{ status: number; servedBy: string; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: frontendPort, path, agent, headers: pin ? { 'x-node': pin } : {} },
      (res) => resolve({ status: res.statusCode ?? 0, servedBy: String(res.headers['x-served-by'] ?? ''), res }),
    );
    req.on('error', reject);
    req.end();
  });
}

async function drainBody(res: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of res) body += String(chunk);
  return body;
}

function releaseHeld(): void {
  for (const b of backends) for (const r of b.held.splice(0)) r.end('done\n');
}

async function stopAll(): Promise<void> {
  const child = haproxy;
  haproxy = null;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
  agent.destroy();
  for (const b of backends) {
    b.server.closeAllConnections();
    await new Promise<void>((resolve) => b.server.close(() => resolve()));
  }
  backends = [];
  if (dir) rmSync(dir, { recursive: true, force: true });
}

describe.skipIf(!HAPROXY.ok)(`HaproxyDriver against a real HAProxy (${HAPROXY.text})`, () => {
  beforeAll(async () => {
    const killOnExit = (): void => {
      haproxy?.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    try {
      dir = mkdtempSync(join(tmpdir(), 'lrroll-haproxy-'));
      sock = join(dir, 'admin.sock');
      backends = await Promise.all(NODES.map((n) => startBackend(n)));
      frontendPort = await freePort();
      adminTcpPort = await freePort();
      writeFileSync(join(dir, 'haproxy.cfg'), config());
      const check = spawnSync(HAPROXY_BIN, ['-c', '-f', join(dir, 'haproxy.cfg')], { encoding: 'utf8' });
      if (check.status !== 0) throw new Error(`haproxy -c rejected the test config:\n${check.stdout}${check.stderr}`);
      haproxy = spawn(HAPROXY_BIN, ['-f', join(dir, 'haproxy.cfg'), '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
      haproxy.stdout?.on('data', (d: Buffer) => (haproxyLog += d.toString('utf8')));
      haproxy.stderr?.on('data', (d: Buffer) => (haproxyLog += d.toString('utf8')));
      await until('the admin socket', async () => existsSync(sock));
      driver = new HaproxyDriver({ timeoutMs: 10_000, socket: sock, backend: 'liferay' });
      await until('all servers UP', async () => Object.values(await allRaw()).every((r) => r === 'UP'));
    } catch (e) {
      await stopAll();
      throw e;
    }
  });

  afterAll(async () => {
    releaseHeld();
    await stopAll();
  });

  beforeEach(async () => {
    releaseHeld();
    for (const n of NODES) await driver.enable(n);
    await until('all servers UP again', async () => Object.values(await allRaw()).every((r) => r === 'UP'));
  });

  it('members() lists every server of the backend, UP with no sessions', async () => {
    const members = await driver.members();
    expect([...members.keys()]).toEqual(['node1', 'node2', 'node3']);
    for (const s of members.values()) expect(s).toEqual<MemberState>({ state: 'UP', raw: 'UP', sessions: 0 });
  });

  it('drain → DRAIN at once; new requests go elsewhere, pinned (sticky) ones still reach it', async () => {
    const t0 = Date.now();
    await driver.drain('node1');
    expect(await driver.state('node1')).toMatchObject({ state: 'DRAIN', raw: 'DRAIN' });
    console.log(`[observed] drain: state DRAIN ${Date.now() - t0} ms after the command (no health check involved)`);
    const served = [];
    for (let i = 0; i < 6; i++) {
      const r = await get('/');
      await drainBody(r.res);
      served.push(r.servedBy);
    }
    expect(served).not.toContain('node1');
    const pinned = await get('/', 'node1');
    await drainBody(pinned.res);
    expect(pinned.servedBy).toBe('node1');
  });

  it(
    'sessions count an in-flight request (scur), and fall to 0 when it ends although the keep-alive ' +
      'connection stays open',
    async () => {
      const r = await get('/slow', 'node2');
      expect(r.status).toBe(200);
      await driver.drain('node2');
      const during = await driver.state('node2');
      expect(during).toMatchObject({ state: 'DRAIN', sessions: 1 });
      console.log(`[observed] while a request is held: node2 ${JSON.stringify(during)}`);
      releaseHeld();
      expect(await drainBody(r.res)).toBe('started\ndone\n');
      await until('node2 sessions back to 0', async () => (await driver.state('node2')).sessions === 0, 3000);
      // The client's keep-alive connection to HAProxy is still open (agent keeps it): it does not count.
      expect(agent.freeSockets[Object.keys(agent.freeSockets)[0] ?? '']?.length ?? 0).toBeGreaterThan(0);
      expect((await driver.state('node2')).sessions).toBe(0);
    },
  );

  it('disable(shutdownSessions) → MAINT and the held request is cut; without it the request may finish', async () => {
    const held = await get('/slow', 'node3');
    await until('node3 has the session', async () => (await driver.state('node3')).sessions === 1, 3000);
    await driver.disable('node3', true);
    expect(await driver.state('node3')).toMatchObject({ state: 'MAINT', raw: 'MAINT' });
    await expect(drainBody(held.res)).rejects.toThrow(); // HAProxy killed the stream mid-body
    await until('node3 sessions 0', async () => (await driver.state('node3')).sessions === 0, 3000);

    await driver.enable('node3');
    const kept = await get('/slow', 'node3');
    await until('node3 has the second session', async () => (await driver.state('node3')).sessions === 1, 3000);
    await driver.disable('node3', false);
    expect(await driver.state('node3')).toMatchObject({ state: 'MAINT', sessions: 1 });
    releaseHeld();
    expect(await drainBody(kept.res)).toBe('started\ndone\n');
  });

  it(
    'enable → UP: `UP i/n` at once (not yet confirmed by a check), plain `UP` after the next health ' + 'check',
    async () => {
      await driver.disable('node1', false);
      expect((await driver.state('node1')).state).toBe('MAINT');
      const t0 = Date.now();
      await driver.enable('node1');
      const first = await driver.state('node1');
      expect(first.state).toBe('UP');
      expect(first.raw).toMatch(/^UP( \d+\/\d+)?$/);
      const ms = await until('node1 plain UP', async () => (await driver.state('node1')).raw === 'UP', 5000);
      console.log(
        `[observed] enable after MAINT: first status \`${first.raw}\`, plain \`UP\` after ` +
          `${Date.now() - t0} ms (${ms} ms of polling; inter 200ms)`,
      );
    },
  );

  it("an unknown member is an error naming the servers; runtime API errors carry HAProxy's text", async () => {
    await expect(driver.state('nodeX')).rejects.toThrow(
      'HAProxy backend `liferay` has no server `nodeX` (servers: node1, node2, node3)',
    );
    await expect(driver.drain('nodeX')).rejects.toThrow(
      /`set server liferay\/nodeX state drain` failed: No such server\. \(servers of `liferay`: node1, node2, node3\)/,
    );
    await expect(driver.drain('node1; shutdown sessions server liferay/node2')).rejects.toThrow(/not valid/);
    await expect(new HaproxyDriver({ timeoutMs: 10_000, socket: sock, backend: 'nope' }).members()).rejects.toThrow(
      /`show stat nope 4 -1` failed: No such proxy\./,
    );
    const operator = new HaproxyDriver({ timeoutMs: 10_000, socket: join(dir, 'operator.sock'), backend: 'liferay' });
    expect((await operator.state('node1')).state).toBe('UP');
    await expect(operator.drain('node1')).rejects.toThrow(
      /failed: Permission denied \(the socket needs `level admin`\)/,
    );
    await expect(
      new HaproxyDriver({ timeoutMs: 10_000, socket: join(dir, 'missing.sock'), backend: 'liferay' }).members(),
    ).rejects.toThrow(/cannot reach the HAProxy runtime API at .*missing\.sock: .*ENOENT/);
  });

  it('honours an AbortSignal', async () => {
    const ctl = new AbortController();
    ctl.abort(new Error('user pressed Ctrl-C'));
    await expect(driver.state('node1', ctl.signal)).rejects.toThrow('user pressed Ctrl-C');
  });

  it.each([
    ['host:port', () => `127.0.0.1:${adminTcpPort}`],
    ['ipv4@host:port', () => `ipv4@127.0.0.1:${adminTcpPort}`],
  ])('reaches the TCP admin socket (%s form)', async (_form, socket) => {
    const tcp = new HaproxyDriver({ timeoutMs: 10_000, socket: socket(), backend: 'liferay' });
    await tcp.drain('node2');
    expect(await tcp.state('node2')).toMatchObject({ state: 'DRAIN' });
    expect((await driver.state('node2')).state).toBe('DRAIN'); // the same HAProxy, seen through the unix socket
    await tcp.enable('node2');
    expect((await tcp.state('node2')).state).toBe('UP');
  });

  describe.skipIf(!SOCAT.ok)('the `via` form: printf … | socat through a Transport', () => {
    it.each([
      ['unix socket', () => sock],
      ['TCP socket', () => `ipv4@127.0.0.1:${adminTcpPort}`],
    ])('drain/state/disable/enable over socat (%s)', async (_form, socket) => {
      const transport = new ShTransport();
      const via = { host: 'lb.example', port: null, user: null, identityFile: null, become: false };
      const lb: PlanLoadBalancer = {
        type: 'haproxy',
        endpoint: socket(),
        pool: 'liferay',
        via,
        instances: [
          {
            name: 'lb.example',
            endpoint: socket(),
            via,
            wrapper: socatWrapper(parseHaproxySocket(socket()), TIMINGS.lbSocatIdleSec),
          },
        ],
        requestTimeoutSec: TIMINGS.lbRequestSec,
        commandTimeoutSec: TIMINGS.lbCommandSec,
        drainTimeoutSec: 60,
        drainWaitSec: null,
        onDrainTimeout: 'maint',
        upTimeoutSec: 60,
        healthUpAfterProbe: true,
        pollSec: 1,
        members: {},
        commands: null,
      };
      const viaDriver = createLbDriver({ lb, transport });
      expect(viaDriver).toBeInstanceOf(HaproxyDriver);
      if (!viaDriver) return;
      await viaDriver.drain('node3');
      expect(await viaDriver.state('node3')).toMatchObject({ state: 'DRAIN', raw: 'DRAIN', sessions: 0 });
      await viaDriver.disable('node3', true);
      expect((await driver.state('node3')).state).toBe('MAINT');
      await viaDriver.enable('node3');
      expect((await viaDriver.members()).get('node3')?.state).toBe('UP');
      await expect(viaDriver.drain('nodeX')).rejects.toThrow(/No such server\./);
      expect(transport.commands[0]).toMatch(
        /^printf '%s\\n' 'set server liferay\/node3 state drain' \| socat -t 5 stdio '?(UNIX-CONNECT:|TCP4:127\.0\.0\.1:)/,
      );
      // What went out is the plan's wrapper with only its `{request}` filled in.
      expect(transport.commands[0]).toBe(
        lb.instances[0]?.wrapper?.replace('{request}', "'set server liferay/node3 state drain'"),
      );
      expect(transport.commands).toContain(transport.commands[0]?.replace('state drain', 'state maint'));
      expect(transport.commands.some((c) => c.includes("'shutdown sessions server liferay/node3'"))).toBe(true);
    });

    it("reports a socat connection failure with socat's message", async () => {
      const viaDriver = new HaproxyDriver({
        timeoutMs: 10_000,
        socket: join(dir, 'missing.sock'),
        backend: 'liferay',
        transport: new ShTransport(),
        wrapper: socatWrapper(parseHaproxySocket(join(dir, 'missing.sock')), TIMINGS.lbSocatIdleSec),
      });
      await expect(viaDriver.members()).rejects.toThrow(
        /cannot reach the HAProxy runtime API at .*missing\.sock via local: socat exited with 1: .*No such file or directory/,
      );
    });
  });
});
