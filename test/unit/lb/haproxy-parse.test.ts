// `show stat` parsing, against output captured from Debian's HAProxy 2.6.12 (fixtures/*.csv):
// - mixed:    UP, DRAIN, MAINT, NOLB (http-check disable-on-404 + 404), DOWN, `no check`, `UP 1/3` (just left MAINT)
// - tracked:  `MAINT (via liferay/node3)` for a server tracking one in maintenance
// - going-up: `DOWN 1/2` (first check passed after being DOWN)
// - busy:     scur 1 on node3 while a request was held open
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  haproxyMemberState,
  HaproxyDriver,
  normaliseHaproxyStatus,
  parseShowStat,
  splitCsvLine,
} from '../../../src/execute/lb/haproxy.js';
import { fillQuotedPlaceholder } from '../../../src/execute/placeholders.js';
import { TIMINGS } from '../../../src/plan/defaults.js';
import {
  parseHaproxySocket,
  socatAddress,
  socatWrapper,
  type HaproxySocket,
} from '../../../src/domain/haproxy-socket.js';

/** The plan's `via` wrapper with its `{request}` filled in, as the driver sends it. */
const socatCommand = (socket: HaproxySocket, command: string): string =>
  fillQuotedPlaceholder(socatWrapper(socket, TIMINGS.lbSocatIdleSec), 'request', command);

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const states = (text: string): Record<string, string> =>
  Object.fromEntries(
    parseShowStat(text).map((r) => [
      r['svname'],
      `${haproxyMemberState(r).state}|${r['status']}|${haproxyMemberState(r).sessions}`,
    ]),
  );

describe('parseShowStat (real HAProxy 2.6 output)', () => {
  it('parses by header name, and maps every server status', () => {
    expect(states(fixture('haproxy-2.6-show-stat-mixed.csv'))).toEqual({
      node1: 'UP|UP|0',
      node2: 'DRAIN|DRAIN|0',
      node3: 'MAINT|MAINT|0',
      node4: 'DRAIN|NOLB|0',
      node5: 'DOWN|DOWN|0',
      nocheck: 'UP|no check|0',
      bk1: 'UP|UP 1/3|0',
    });
    expect(states(fixture('haproxy-2.6-show-stat-tracked.csv'))['t1']).toBe('MAINT|MAINT (via liferay/node3)|0');
    expect(states(fixture('haproxy-2.6-show-stat-going-up.csv'))['node5']).toBe('DOWN|DOWN 1/2|0');
    expect(states(fixture('haproxy-2.6-show-stat-busy.csv'))['node3']).toBe('UP|UP|1');
  });

  it('keeps every named column (the fixed ones and those after the `-` delimiter)', () => {
    const rows = parseShowStat(fixture('haproxy-2.6-show-stat-mixed.csv'));
    expect(rows).toHaveLength(7);
    const node1 = rows[0] ?? {};
    expect(node1).toMatchObject({
      pxname: 'liferay',
      svname: 'node1',
      qcur: '0',
      scur: '0',
      status: 'UP',
      weight: '1',
      act: '1',
      bck: '0',
      check_status: 'L7OK',
      addr: '127.0.0.1:18081',
      mode: 'http',
      sid: '1',
    });
    expect(node1['h1_open_connections']).toBe('');
    expect(Object.keys(node1)).not.toContain('-');
    expect(rows.find((r) => r['svname'] === 'bk1')).toMatchObject({ bck: '1', act: '0' });
  });

  it('finds columns by name when HAProxy orders them differently (after `-` the order is not guaranteed)', () => {
    const text = '# svname,pxname,status,-,qcur,scur\nnode1,liferay,DRAIN 2/3,,4,7\n\n';
    expect(parseShowStat(text).map(haproxyMemberState)).toEqual([{ state: 'DRAIN', raw: 'DRAIN 2/3', sessions: 11 }]);
  });

  it('sessions = scur + qcur, null when scur is missing', () => {
    expect(haproxyMemberState({ status: 'UP', scur: '3', qcur: '2' }).sessions).toBe(5);
    expect(haproxyMemberState({ status: 'UP', scur: '3', qcur: '' }).sessions).toBe(3);
    expect(haproxyMemberState({ status: 'UP' }).sessions).toBeNull();
  });

  it("an answer without a header is HAProxy's error text", () => {
    expect(() => parseShowStat('No such proxy.\n\n')).toThrow('No such proxy.');
    expect(() =>
      parseShowStat('Unknown command, but maybe one of the following ones is a better match:\n  add acl\n'),
    ).toThrow(/^Unknown command/);
    expect(() => parseShowStat('')).toThrow('empty answer to show stat');
  });
});

describe('normaliseHaproxyStatus', () => {
  it.each([
    ['UP', 'UP'],
    ['UP 1/3', 'UP'],
    ['no check', 'UP'],
    ['DOWN', 'DOWN'],
    ['DOWN 1/2', 'DOWN'],
    ['DOWN (agent)', 'DOWN'],
    ['DRAIN', 'DRAIN'],
    ['DRAIN 1/3', 'DRAIN'],
    ['DRAIN (agent)', 'DRAIN'],
    ['NOLB', 'DRAIN'],
    ['NOLB 1/3', 'DRAIN'],
    ['MAINT', 'MAINT'],
    ['MAINT(via)', 'MAINT'],
    ['MAINT (via liferay/node3)', 'MAINT'],
    ['MAINT (resolution)', 'MAINT'],
    ['UPGRADE', 'UNKNOWN'],
    ['', 'UNKNOWN'],
  ])('%j → %s', (status, expected) => {
    expect(normaliseHaproxyStatus(status)).toBe(expected);
  });
});

describe('splitCsvLine', () => {
  it('splits plain fields and keeps the empty trailing one', () => {
    expect(splitCsvLine('a,,b,')).toEqual(['a', '', 'b', '']);
  });
  it('reads double-quoted fields with commas and doubled quotes', () => {
    expect(splitCsvLine('x,"a, b","say ""hi""",y')).toEqual(['x', 'a, b', 'say "hi"', 'y']);
    expect(splitCsvLine('"last"')).toEqual(['last']);
  });
});

describe('parseHaproxySocket', () => {
  it.each([
    ['/run/haproxy/admin.sock', { kind: 'unix', path: '/run/haproxy/admin.sock' }],
    ['unix@/run/haproxy/admin.sock', { kind: 'unix', path: '/run/haproxy/admin.sock' }],
    ['admin.sock', { kind: 'unix', path: 'admin.sock' }],
    ['/var/run/odd:1', { kind: 'unix', path: '/var/run/odd:1' }],
    ['127.0.0.1:9999', { kind: 'tcp', host: '127.0.0.1', port: 9999, family: null }],
    ['lb.example.com:9999', { kind: 'tcp', host: 'lb.example.com', port: 9999, family: null }],
    ['ipv4@127.0.0.1:9999', { kind: 'tcp', host: '127.0.0.1', port: 9999, family: 4 }],
    ['ipv6@[::1]:9999', { kind: 'tcp', host: '::1', port: 9999, family: 6 }],
    ['ipv6@::1:9999', { kind: 'tcp', host: '::1', port: 9999, family: 6 }],
    ['[::1]:9999', { kind: 'tcp', host: '::1', port: 9999, family: null }],
  ])('%s', (spec, expected) => {
    expect(parseHaproxySocket(spec)).toEqual(expected);
  });
  it('rejects a malformed TCP form', () => {
    expect(() => parseHaproxySocket('ipv4@127.0.0.1')).toThrow('expected ipv4@host:port');
    expect(() => parseHaproxySocket('127.0.0.1:70000')).toThrow('out of range');
  });
});

describe('the `via` wrapper of the plan, filled in', () => {
  it('builds the documented command with socat addresses', () => {
    expect(socatWrapper(parseHaproxySocket('/run/haproxy/admin.sock'), TIMINGS.lbSocatIdleSec)).toBe(
      "printf '%s\\n' {request} | socat -t 5 stdio UNIX-CONNECT:/run/haproxy/admin.sock",
    );
    expect(socatCommand(parseHaproxySocket('/run/haproxy/admin.sock'), 'set server bk/n1 state drain')).toBe(
      "printf '%s\\n' 'set server bk/n1 state drain' | socat -t 5 stdio UNIX-CONNECT:/run/haproxy/admin.sock",
    );
    expect(socatAddress(parseHaproxySocket('ipv4@127.0.0.1:9999'))).toBe('TCP4:127.0.0.1:9999');
    expect(socatAddress(parseHaproxySocket('lb:9999'))).toBe('TCP:lb:9999');
    expect(socatAddress(parseHaproxySocket('ipv6@::1:9999'))).toBe('TCP6:[::1]:9999');
  });

  it('quotes so that sh passes the command and the address through unchanged', () => {
    const cmd = socatCommand(parseHaproxySocket('/tmp/dir_$HOME/a.sock'), `show stat bk 4 -1; echo '$(id)' "x"`);
    // A stand-in socat prints its arguments and its stdin.
    const r = spawnSync('/bin/sh', ['-c', `socat() { printf '[%s]' "$@"; printf '|'; cat; }; ${cmd}`], {
      encoding: 'utf8',
    });
    expect(r.stdout).toBe(`[-t][5][stdio][UNIX-CONNECT:/tmp/dir_$HOME/a.sock]|show stat bk 4 -1; echo '$(id)' "x"\n`);
  });

  it('refuses what socat or the CLI would misread', () => {
    expect(() => socatCommand(parseHaproxySocket('/tmp/a,b.sock'), 'show info')).toThrow(/socat cannot take/);
    expect(() => socatCommand(parseHaproxySocket('/tmp/a.sock'), 'show info\nshutdown sessions server a/b')).toThrow(
      /line break/,
    );
  });
});

describe('HaproxyDriver command text and error mapping (scripted runner)', () => {
  function scripted(answers: Record<string, string>): { driver: HaproxyDriver; sent: string[] } {
    const sent: string[] = [];
    const driver = new HaproxyDriver({ timeoutMs: 10_000, socket: '/x.sock', backend: 'liferay' }, async (command) => {
      sent.push(command);
      return answers[command] ?? '\n';
    });
    return { driver, sent };
  }
  const stat = fixture('haproxy-2.6-show-stat-mixed.csv');

  it("sends exactly the plan's commands, one per call", async () => {
    const { driver, sent } = scripted({});
    await driver.drain('node1');
    await driver.disable('node1', false);
    await driver.disable('node1', true);
    await driver.enable('node1');
    expect(sent).toEqual([
      'set server liferay/node1 state drain',
      'set server liferay/node1 state maint',
      'set server liferay/node1 state maint',
      'shutdown sessions server liferay/node1',
      'set server liferay/node1 state ready',
    ]);
  });

  it('does not send shutdown sessions when maint failed', async () => {
    const { driver, sent } = scripted({ 'set server liferay/node1 state maint': 'Permission denied\n\n' });
    await expect(driver.disable('node1', true)).rejects.toThrow(
      '`set server liferay/node1 state maint` failed: Permission denied (the socket needs `level admin`)',
    );
    expect(sent).toEqual(['set server liferay/node1 state maint']);
  });

  it('state() and members() read `show stat <bk> 4 -1`; a member may be `#<id>`', async () => {
    const { driver, sent } = scripted({ 'show stat liferay 4 -1': stat });
    expect(await driver.state('node2')).toEqual({ state: 'DRAIN', raw: 'DRAIN', sessions: 0 });
    expect(await driver.state('#3')).toEqual({ state: 'MAINT', raw: 'MAINT', sessions: 0 });
    expect([...(await driver.members()).keys()]).toEqual([
      'node1',
      'node2',
      'node3',
      'node4',
      'node5',
      'nocheck',
      'bk1',
    ]);
    expect(new Set(sent)).toEqual(new Set(['show stat liferay 4 -1']));
    await expect(driver.state('node9')).rejects.toThrow(
      'HAProxy backend `liferay` has no server `node9` (servers: node1, node2, node3, node4, node5, nocheck, bk1)',
    );
  });

  it("any non-empty answer to a write command is an error with HAProxy's text", async () => {
    const { driver } = scripted({
      'set server liferay/node1 state ready':
        'Unknown command, but maybe one of the following ones is a better match:\n  add acl\n\n',
    });
    await expect(driver.enable('node1')).rejects.toThrow(/state ready` failed: Unknown command, but maybe/);
  });

  it('rejects names that could smuggle a second command', () => {
    expect(() => new HaproxyDriver({ timeoutMs: 10_000, socket: '/x.sock', backend: 'a;b' })).toThrow('not valid');
    const { driver } = scripted({});
    return expect(driver.drain('n1; shutdown sessions server liferay/n2')).rejects.toThrow('not valid');
  });
});
