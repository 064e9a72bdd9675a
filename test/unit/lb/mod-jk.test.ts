// The mod_jk driver against a fake status worker on 127.0.0.1 that answers like jk_status.c in
// mime=prop: `<prefix>.<name>.<key>=<value>` lines, `balance_workers` per member, and a final
// `result.type`/`result.message` pair — HTTP 200 even for errors. Its lines follow Debian's
// mod_jk 1.2.48 (test/e2e/tomcat-mod-jk.test.ts drives the real one): `cmd=show` with `sw` lists
// only that member.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  jkMembers,
  jkMemberState,
  ModJkDriver,
  normaliseJkState,
  parseJkProps,
} from '../../../src/execute/lb/mod-jk.js';

interface JkMember {
  name: string;
  port: number;
  activation: 'ACT' | 'DIS' | 'STP';
  state: string;
  busy: number;
}

interface FakeJk {
  url: string;
  members: JkMember[];
  seen: string[];
  close: () => Promise<void>;
}

interface FakeJkOptions {
  prefix?: string;
  readOnly?: boolean;
  lb?: string;
}

const VERSION = 'mod_jk/1.2.49';

function memberLines(p: string, lb: string, m: JkMember): string[] {
  return [
    `${p}.${lb}.balance_workers=${m.name}`,
    `${p}.${m.name}.type=ajp13`,
    `${p}.${m.name}.host=127.0.0.1`,
    `${p}.${m.name}.port=${m.port}`,
    `${p}.${m.name}.address=127.0.0.1:${m.port}`,
    `${p}.${m.name}.source=undefined`,
    `${p}.${m.name}.connection_pool_timeout=0`,
    `${p}.${m.name}.ping_timeout=10000`,
    `${p}.${m.name}.connect_timeout=0`,
    `${p}.${m.name}.prepost_timeout=0`,
    `${p}.${m.name}.reply_timeout=0`,
    `${p}.${m.name}.retries=2`,
    `${p}.${m.name}.connection_ping_interval=0`,
    `${p}.${m.name}.recovery_options=0`,
    `${p}.${m.name}.busy_limit=0`,
    `${p}.${m.name}.max_packet_size=8192`,
    `${p}.${m.name}.activation=${m.activation}`,
    `${p}.${m.name}.lbfactor=1`,
    `${p}.${m.name}.route=${m.name}`,
    `${p}.${m.name}.redirect=`,
    `${p}.${m.name}.domain=`,
    `${p}.${m.name}.distance=0`,
    `${p}.${m.name}.state=${m.state}`,
    `${p}.${m.name}.lbmult=1`,
    `${p}.${m.name}.lbvalue=0`,
    `${p}.${m.name}.elected=42`,
    `${p}.${m.name}.sessions=7`,
    `${p}.${m.name}.errors=0`,
    `${p}.${m.name}.client_errors=0`,
    `${p}.${m.name}.reply_timeouts=0`,
    `${p}.${m.name}.transferred=0`,
    `${p}.${m.name}.read=0`,
    `${p}.${m.name}.busy=${m.busy}`,
    `${p}.${m.name}.max_busy=3`,
    `${p}.${m.name}.connected=1`,
    `${p}.${m.name}.max_connected=2`,
    `${p}.${m.name}.time_to_recover_min=0`,
    `${p}.${m.name}.time_to_recover_max=0`,
  ];
}

function showLines(p: string, lb: string, members: JkMember[]): string[] {
  const busy = members.reduce((n, m) => n + m.busy, 0);
  const head = [
    `${p}.server_name=127.0.0.1`,
    `${p}.server_port=80`,
    `${p}.time_datetime=20261121214500`,
    `${p}.time_tz=UTC`,
    `${p}.time_unix=1795297500`,
    `${p}.web_server=Apache/2.4.62 (Debian)`,
    `${p}.jk_version=${VERSION}`,
  ];
  const lbLines = [
    `${p}.list=${lb}`,
    `${p}.${lb}.type=lb`,
    `${p}.${lb}.sticky_session=True`,
    `${p}.${lb}.sticky_session_force=False`,
    `${p}.${lb}.retries=2`,
    `${p}.${lb}.recover_time=60`,
    `${p}.${lb}.error_escalation_time=30`,
    `${p}.${lb}.max_reply_timeouts=0`,
    `${p}.${lb}.method=Request`,
    `${p}.${lb}.lock=Optimistic`,
    `${p}.${lb}.member_count=${members.length}`,
    `${p}.${lb}.good=${members.length}`,
    `${p}.${lb}.degraded=0`,
    `${p}.${lb}.bad=0`,
    `${p}.${lb}.busy=${busy}`,
    `${p}.${lb}.max_busy=5`,
    `${p}.${lb}.map_count=1`,
    `${p}.${lb}.time_to_maintenance_min=21`,
    `${p}.${lb}.time_to_maintenance_max=81`,
    `${p}.${lb}.last_reset_at=1795297400`,
    `${p}.${lb}.last_reset_ago=100`,
  ];
  const map = [
    `${p}.${lb}.map.1.server=127.0.0.1`,
    `${p}.${lb}.map.1.uri=/*`,
    `${p}.${lb}.map.1.type=Wildchar`,
    `${p}.${lb}.map.1.source=JkMount`,
  ];
  // Each member's block is followed by the lb's reset lines again, as mod_jk 1.2.48 prints them.
  return [
    ...head,
    ...lbLines,
    ...members.flatMap((m) => [
      ...memberLines(p, lb, m),
      `${p}.${lb}.last_reset_at=1795297400`,
      `${p}.${lb}.last_reset_ago=100`,
    ]),
    ...map,
  ];
}

/** Handles one request like jk_status.c's service() for cmd=show|update and mime=prop. */
function answer(o: Required<FakeJkOptions>, members: JkMember[], q: URLSearchParams): string {
  const p = o.prefix;
  const result = (err: string | null): string[] =>
    err
      ? [`${p}.result.type=ERROR`, `${p}.result.message=${err}`]
      : [`${p}.result.type=OK`, `${p}.result.message=Action finished`];
  const cmd = q.get('cmd') ?? 'list';
  if (q.get('mime') !== 'prop') return '<html><body>JK Status Manager</body></html>';
  if (!['list', 'show', 'update'].includes(cmd)) return result('Invalid command.').join('\n');
  if (cmd === 'update' && o.readOnly) return result('This command is not allowed in read only mode.').join('\n');
  if (q.get('w') !== o.lb) return result('could not find worker').join('\n');
  const sw = q.get('sw');
  const member = sw === null ? null : members.find((m) => m.name === sw);
  if (sw !== null && !member) return result('could not find sub worker').join('\n');
  if (cmd === 'update') {
    const v = (q.get('vwa') ?? '').toLowerCase()[0];
    const act = v === '0' || v === 'a' ? 'ACT' : v === '1' || v === 'd' ? 'DIS' : v === '2' || v === 's' ? 'STP' : null;
    if (!member || !act) return result('Update failed').join('\n');
    member.activation = act;
    return result(null).join('\n');
  }
  return [...showLines(p, o.lb, member ? [member] : members), ...result(null)].join('\n');
}

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers) await c();
  closers = [];
});

async function fakeJk(options: FakeJkOptions = {}): Promise<FakeJk> {
  const o: Required<FakeJkOptions> = { prefix: 'worker', readOnly: false, lb: 'loadbalancer', ...options };
  const members: JkMember[] = [1, 2, 3].map((n) => ({
    name: `node${n}`,
    port: 8009 + n * 100,
    activation: 'ACT',
    state: 'OK/IDLE',
    busy: n === 1 ? 4 : 0,
  }));
  const seen: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url ?? '');
    const [path = '', query = ''] = (req.url ?? '').split('?');
    if (path !== '/jkstatus') {
      res.writeHead(404).end('Not Found');
      return;
    }
    const body = answer(o, members, new URLSearchParams(query));
    res.writeHead(200, { 'Content-Type': body.startsWith('<html') ? 'text/html' : 'text/plain' }).end(`${body}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  closers.push(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jkstatus`, members, seen, close };
}

describe('ModJkDriver', () => {
  it('state: cmd=show&mime=prop&w=<lb>&sw=<member>; ACT + OK/IDLE → UP, sessions = busy', async () => {
    const f = await fakeJk();
    const d = new ModJkDriver({ timeoutMs: 10_000, url: f.url, balancer: 'loadbalancer' });
    expect(await d.state('node1')).toEqual({ state: 'UP', raw: 'ACT OK/IDLE', sessions: 4 });
    expect(f.seen).toEqual(['/jkstatus?cmd=show&mime=prop&w=loadbalancer&sw=node1']);
  });

  it("drain/disable/enable send the plan's update calls and change the activation", async () => {
    const f = await fakeJk();
    const d = new ModJkDriver({ timeoutMs: 10_000, url: f.url, balancer: 'loadbalancer' });
    await d.drain('node2');
    expect(await d.state('node2')).toMatchObject({ state: 'DRAIN', raw: 'DIS OK/IDLE' });
    await d.disable('node2', true);
    expect(await d.state('node2')).toMatchObject({ state: 'MAINT', raw: 'STP OK/IDLE' });
    await d.enable('node2');
    expect(await d.state('node2')).toMatchObject({ state: 'UP', raw: 'ACT OK/IDLE' });
    expect(f.seen.filter((u) => u.includes('cmd=update'))).toEqual([
      '/jkstatus?cmd=update&mime=prop&w=loadbalancer&sw=node2&vwa=1',
      '/jkstatus?cmd=update&mime=prop&w=loadbalancer&sw=node2&vwa=2',
      '/jkstatus?cmd=update&mime=prop&w=loadbalancer&sw=node2&vwa=0',
    ]);
  });

  it(
    'tells the recorder each GET it sends, by the URL the plan shows (credentials masked), exactly as ' +
      'the plan writes the call',
    async () => {
      const f = await fakeJk();
      const shown = f.url.replace('http://', 'http://ops:***@');
      const sent: Array<[string, string]> = [];
      const d = new ModJkDriver({
        timeoutMs: 10_000,
        url: f.url,
        shownUrl: shown,
        balancer: 'loadbalancer',
        onRequest: (target, request) => sent.push([target, request]),
      });
      await d.drain('node2');
      await d.state('node2');
      expect(sent).toEqual([
        [shown, `GET ${shown}?cmd=update&mime=prop&w=loadbalancer&sw=node2&vwa=1`],
        [shown, `GET ${shown}?cmd=show&mime=prop&w=loadbalancer&sw=node2`],
      ]);
    },
  );

  it('an error state is DOWN whatever the activation says, except stopped', async () => {
    const f = await fakeJk();
    const d = new ModJkDriver({ timeoutMs: 10_000, url: f.url, balancer: 'loadbalancer' });
    const m = f.members[2] as JkMember;
    m.state = 'ERR';
    expect((await d.state('node3')).state).toBe('DOWN');
    m.activation = 'DIS';
    m.state = 'ERR/REC';
    expect((await d.state('node3')).state).toBe('DOWN');
    m.activation = 'STP';
    expect((await d.state('node3')).state).toBe('MAINT');
  });

  it('members() lists the balance_workers of the lb worker', async () => {
    const f = await fakeJk();
    const members = await new ModJkDriver({ timeoutMs: 10_000, url: f.url, balancer: 'loadbalancer' }).members();
    expect([...members.keys()]).toEqual(['node1', 'node2', 'node3']);
    expect(members.get('node1')).toEqual({ state: 'UP', raw: 'ACT OK/IDLE', sessions: 4 });
    expect(f.seen).toEqual(['/jkstatus?cmd=show&mime=prop&w=loadbalancer']);
  });

  it(
    'an unknown member is an error naming the members (the status worker answers 200 with ' + 'result.type=ERROR)',
    async () => {
      const f = await fakeJk();
      const d = new ModJkDriver({ timeoutMs: 10_000, url: f.url, balancer: 'loadbalancer' });
      await expect(d.drain('node9')).rejects.toThrow(
        'mod_jk lb worker `loadbalancer` has no member `node9` (members: node1, node2, node3)',
      );
      await expect(d.state('node9')).rejects.toThrow('has no member `node9` (members: node1, node2, node3)');
    },
  );

  it.each(['node1&vwa=2', 'node2&sw=node1&vwa=1', 'node1;vwa=2', 'node1\nvwa=2', '-node1', 'node1 `touch /tmp/x`'])(
    'a hostile member name %j stays one parameter value: no member changes, the call fails',
    async (member) => {
      const f = await fakeJk();
      const d = new ModJkDriver({ timeoutMs: 10_000, url: f.url, balancer: 'loadbalancer' });
      await expect(d.drain(member)).rejects.toThrow(/has no member/);
      expect(f.members.map((m) => m.activation)).toEqual(['ACT', 'ACT', 'ACT']);
      const updates = f.seen
        .map((u) => new URLSearchParams(u.split('?')[1] ?? ''))
        .filter((q) => q.get('cmd') === 'update');
      expect(updates.map((q) => [q.getAll('sw'), q.getAll('vwa')])).toEqual([[[member], ['1']]]);
    },
  );

  it('passes other status worker errors on with their message', async () => {
    const f = await fakeJk({ readOnly: true });
    await expect(
      new ModJkDriver({ timeoutMs: 10_000, url: f.url, balancer: 'loadbalancer' }).drain('node1'),
    ).rejects.toThrow(/cmd=update.*: ERROR: This command is not allowed in read only mode\./);
    await expect(new ModJkDriver({ timeoutMs: 10_000, url: f.url, balancer: 'lb2' }).state('node1')).rejects.toThrow(
      /ERROR: could not find worker/,
    );
  });

  it('matches keys by suffix, whatever the configured prefix', async () => {
    const f = await fakeJk({ prefix: 'jk.status' });
    const d = new ModJkDriver({ timeoutMs: 10_000, url: f.url, balancer: 'loadbalancer' });
    await d.drain('node1');
    expect(await d.state('node1')).toEqual({ state: 'DRAIN', raw: 'DIS OK/IDLE', sessions: 4 });
  });

  it('refuses HTTP errors and answers that are not mime=prop output', async () => {
    const f = await fakeJk();
    await expect(
      new ModJkDriver({ timeoutMs: 10_000, url: f.url.replace('/jkstatus', '/jk'), balancer: 'loadbalancer' }).state(
        'node1',
      ),
    ).rejects.toThrow(/answered HTTP 404/);
    const page = createServer((_req, res) =>
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body>It works!</body></html>'),
    );
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => page.close(() => resolve())));
    const url = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
    await expect(new ModJkDriver({ timeoutMs: 10_000, url, balancer: 'loadbalancer' }).state('node1')).rejects.toThrow(
      /did not answer in mime=prop format \(is this the status worker URL\?\)/,
    );
  });

  it('sets cmd and mime itself, over parameters already in the URL', async () => {
    const f = await fakeJk();
    expect(
      (
        await new ModJkDriver({
          timeoutMs: 10_000,
          url: `${f.url}?mime=html&cmd=list`,
          balancer: 'loadbalancer',
        }).state('node1')
      ).state,
    ).toBe('UP');
    expect(f.seen).toEqual(['/jkstatus?mime=prop&cmd=show&w=loadbalancer&sw=node1']);
  });

  it('honours the deadline and the AbortSignal', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jkstatus`;
    await expect(new ModJkDriver({ url, balancer: 'loadbalancer', timeoutMs: 100 }).state('node1')).rejects.toThrow(
      /did not answer within 100 ms/,
    );
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error('Ctrl-C')), 30);
    await expect(
      new ModJkDriver({ timeoutMs: 10_000, url, balancer: 'loadbalancer' }).drain('node1', ctl.signal),
    ).rejects.toThrow('Ctrl-C');
  });
});

describe('mod_jk prop parsing', () => {
  it('normalises activation and state (1.2.4x and older texts)', () => {
    expect(normaliseJkState('ACT', 'OK')).toBe('UP');
    expect(normaliseJkState('ACT', 'OK/IDLE')).toBe('UP');
    expect(normaliseJkState('ACT', 'OK/BUSY')).toBe('UP');
    expect(normaliseJkState('ACT', 'N/A')).toBe('UP');
    expect(normaliseJkState('ACT', 'BSY')).toBe('UP');
    expect(normaliseJkState('DIS', 'OK')).toBe('DRAIN');
    expect(normaliseJkState('STP', 'OK')).toBe('MAINT');
    expect(normaliseJkState('STP', 'ERR')).toBe('MAINT');
    expect(normaliseJkState('ACT', 'ERR')).toBe('DOWN');
    expect(normaliseJkState('ACT', 'ERR/PRB')).toBe('DOWN');
    expect(normaliseJkState('ACT', 'REC')).toBe('DOWN');
    expect(normaliseJkState('ACT', 'unknown')).toBe('UNKNOWN');
  });

  it('reads members and their keys without mixing up similar names', () => {
    const props = parseJkProps(
      'worker.lb.balance_workers=n1\nworker.lb.balance_workers=xn1\nworker.xn1.activation=STP\nworker.xn1.state=OK\nworker.n1.activation=ACT\nworker.n1.state=OK\nworker.n1.busy=2\r\n',
    );
    expect(jkMembers(props, 'lb')).toEqual(['n1', 'xn1']);
    expect(jkMemberState(props, 'n1')).toEqual({ state: 'UP', raw: 'ACT OK', sessions: 2 });
    expect(jkMemberState(props, 'xn1')).toEqual({ state: 'MAINT', raw: 'STP OK', sessions: null });
    expect(jkMemberState(props, 'n2')).toBeNull();
  });
});
