// The local runner of the HAProxy driver against fake runtime-API sockets on a unix path and on
// 127.0.0.1: one command per connection, answer read until close, prompt mode, deadlines, abort,
// and connection errors. (The real HAProxy is in test/e2e/haproxy-driver.test.ts.)
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ExecOptions, ExecResult, Transport } from '../../../src/execute/transport.js';
import { HaproxyDriver, socatRunner, socketRunner } from '../../../src/execute/lb/haproxy.js';
import { TIMINGS } from '../../../src/plan/defaults.js';
import { parseHaproxySocket, socatWrapper } from '../../../src/domain/haproxy-socket.js';

/** The plan's `via` wrapper for a socket. */
const wrapperOf = (socket: string): string => socatWrapper(parseHaproxySocket(socket), TIMINGS.lbSocatIdleSec);

let dir = '';
const servers: Server[] = [];

/** A fake runtime API: `reply(command, socket)` decides what happens on each connection. */
async function fakeApi(
  where: { path: string } | { port: 0; host: '127.0.0.1' },
  reply: (command: string, socket: Socket) => void,
): Promise<string> {
  const server = createServer((socket) => {
    let buf = '';
    socket.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) reply(buf.slice(0, nl), socket);
    });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(where, resolve));
  return 'path' in where ? where.path : `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-hapi-'));
});
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('socketRunner', () => {
  it(
    'sends one command with a newline and returns everything until HAProxy closes (non-interactive ' + 'mode)',
    async () => {
      const seen: string[] = [];
      const path = await fakeApi({ path: join(dir, 'a.sock') }, (cmd, s) => {
        seen.push(cmd);
        s.write('# pxname,svname\n');
        setTimeout(() => s.end('liferay,node1\n\n'), 20);
      });
      const run = socketRunner(parseHaproxySocket(path), 2000);
      expect(await run('show stat liferay 4 -1')).toBe('# pxname,svname\nliferay,node1\n\n');
      expect(await run('show info')).toBe('# pxname,svname\nliferay,node1\n\n');
      expect(seen).toEqual(['show stat liferay 4 -1', 'show info']);
    },
  );

  it('also ends an answer at an interactive `> ` prompt', async () => {
    const path = await fakeApi({ path: join(dir, 'p.sock') }, (_cmd, s) => s.write('\n> '));
    expect(await socketRunner(parseHaproxySocket(path), 2000)('set server a/b state ready')).toBe('\n> ');
  });

  it('reaches a TCP socket on 127.0.0.1', async () => {
    const addr = await fakeApi({ port: 0, host: '127.0.0.1' }, (cmd, s) => s.end(`got ${cmd}\n`));
    expect(await socketRunner(parseHaproxySocket(`ipv4@${addr}`), 2000)('show info')).toBe('got show info\n');
  });

  it('fails after the deadline when HAProxy does not answer', async () => {
    const path = await fakeApi({ path: join(dir, 'slow.sock') }, () => undefined);
    await expect(socketRunner(parseHaproxySocket(path), 150)('show stat x 4 -1')).rejects.toThrow(
      /did not answer `show stat x 4 -1` within 150 ms/,
    );
  });

  it('stops at once when the signal aborts, before or during the call', async () => {
    const path = await fakeApi({ path: join(dir, 'hang.sock') }, () => undefined);
    const run = socketRunner(parseHaproxySocket(path), 10_000);
    const pre = new AbortController();
    pre.abort(new Error('Ctrl-C'));
    await expect(run('show info', pre.signal)).rejects.toThrow('Ctrl-C');
    const ctl = new AbortController();
    const started = Date.now();
    setTimeout(() => ctl.abort(new Error('stop now')), 50);
    await expect(run('show info', ctl.signal)).rejects.toThrow('stop now');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('explains connection errors', async () => {
    await expect(socketRunner(parseHaproxySocket(join(dir, 'none.sock')), 1000)('show info')).rejects.toThrow(
      /cannot reach the HAProxy runtime API at .*none\.sock: .*ENOENT.*no such socket/,
    );
    const addr = await fakeApi({ port: 0, host: '127.0.0.1' }, () => undefined);
    const port = Number(addr.split(':')[1]);
    await new Promise<void>((resolve) => (servers.pop() as Server).close(() => resolve()));
    await expect(socketRunner(parseHaproxySocket(`127.0.0.1:${port}`), 1000)('show info')).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});

describe('socatRunner (via a Transport)', () => {
  function transport(result: Partial<ExecResult>, calls: Array<{ command: string; options: ExecOptions }>): Transport {
    return {
      describe: 'ssh admin@lb:22',
      connect: async () => undefined,
      put: async () => undefined,
      close: async () => undefined,
      exec: async (command, options) => {
        calls.push({ command, options });
        return { exitCode: 0, stdout: '', stderr: '', timedOut: false, aborted: false, durationMs: 1, ...result };
      },
    };
  }

  it('runs printf | socat with the deadline, the signal and become', async () => {
    const calls: Array<{ command: string; options: ExecOptions }> = [];
    const ctl = new AbortController();
    const out = await socatRunner(
      transport({ stdout: 'ok\n' }, calls),
      wrapperOf('/run/haproxy/admin.sock'),
      '/run/haproxy/admin.sock',
      4000,
      true,
    )('show info', ctl.signal);
    expect(out).toBe('ok\n');
    expect(calls).toEqual([
      {
        command: "printf '%s\\n' 'show info' | socat -t 5 stdio UNIX-CONNECT:/run/haproxy/admin.sock",
        options: { timeoutMs: 4000, become: true, signal: ctl.signal },
      },
    ]);
  });

  it('maps socat failures, missing socat, timeouts and aborts', async () => {
    const sock = [wrapperOf('/run/haproxy/admin.sock'), '/run/haproxy/admin.sock'] as const;
    await expect(
      socatRunner(
        transport(
          { exitCode: 1, stderr: 'socat[1] E connect(5, AF=1 "/run/haproxy/admin.sock", 25): Permission denied\n' },
          [],
        ),
        ...sock,
        1000,
        false,
      )('show info'),
    ).rejects.toThrow(
      /at \/run\/haproxy\/admin\.sock via ssh admin@lb:22: socat exited with 1: socat\[1\] E connect.*Permission denied/,
    );
    await expect(
      socatRunner(
        transport({ exitCode: 127, stderr: 'sh: 1: socat: not found' }, []),
        ...sock,
        1000,
        false,
      )('show info'),
    ).rejects.toThrow(/is socat installed on the load balancer host/);
    await expect(
      socatRunner(transport({ exitCode: null, timedOut: true }, []), ...sock, 1000, false)('show info'),
    ).rejects.toThrow(/did not answer `show info` within 1000 ms/);
    const ctl = new AbortController();
    ctl.abort(new Error('Ctrl-C'));
    await expect(
      socatRunner(transport({ exitCode: null, aborted: true }, []), ...sock, 1000, false)('show info', ctl.signal),
    ).rejects.toThrow('Ctrl-C');
  });

  it('HaproxyDriver uses socat only when given a transport', async () => {
    const calls: Array<{ command: string; options: ExecOptions }> = [];
    const d = new HaproxyDriver({
      timeoutMs: 10_000,
      socket: 'ipv4@127.0.0.1:9999',
      backend: 'liferay',
      transport: transport({}, calls),
      wrapper: wrapperOf('ipv4@127.0.0.1:9999'),
      become: true,
    });
    await d.drain('node1');
    expect(calls.map((c) => c.command)).toEqual([
      "printf '%s\\n' 'set server liferay/node1 state drain' | socat -t 5 stdio TCP4:127.0.0.1:9999",
    ]);
    expect(calls[0]?.options.become).toBe(true);
  });
});
