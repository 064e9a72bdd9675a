// The `type: command` driver (status, sessions and put-back outside a run's steps) and createLbDriver.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ApacheBalancerDriver } from '../../../src/execute/lb/apache.js';
import { CommandDriver } from '../../../src/execute/lb/command.js';
import { parseSessionsOutput, parseStatusOutput } from '../../../src/execute/lb/member-state.js';
import { createLbDriver } from '../../../src/execute/lb/factory.js';
import { MultiLbDriver } from '../../../src/execute/lb/instances.js';
import { HaproxyDriver } from '../../../src/execute/lb/haproxy.js';
import { ModJkDriver } from '../../../src/execute/lb/mod-jk.js';
import { wrapCommand, type ExecOptions, type ExecResult, type Transport } from '../../../src/execute/transport.js';
import { TIMINGS } from '../../../src/plan/defaults.js';
import { parseHaproxySocket, socatWrapper } from '../../../src/domain/haproxy-socket.js';
import type { PlanLoadBalancer } from '../../../src/plan/types.js';

/** Runs commands with sh for real (stdin carries the secrets, as transports do) and records them. */
function shTransport(): Transport & { calls: Array<{ command: string; options: ExecOptions }> } {
  const calls: Array<{ command: string; options: ExecOptions }> = [];
  return {
    describe: 'local',
    calls,
    connect: async () => undefined,
    put: async () => undefined,
    close: async () => undefined,
    exec: async (command: string, options: ExecOptions): Promise<ExecResult> => {
      calls.push({ command, options });
      const w = wrapCommand(command, options.env, false);
      const r = spawnSync('/bin/sh', ['-c', w.command], {
        input: w.stdin,
        encoding: 'utf8',
        timeout: options.timeoutMs,
      });
      return { exitCode: r.status, stdout: r.stdout, stderr: r.stderr, timedOut: false, aborted: false, durationMs: 1 };
    },
  };
}

/** What every load balancer of these tests has in common. */
const base: Omit<PlanLoadBalancer, 'type' | 'endpoint' | 'pool'> = {
  requestTimeoutSec: 10,
  commandTimeoutSec: 30,
  drainTimeoutSec: 60,
  drainWaitSec: null,
  onDrainTimeout: 'maint',
  upTimeoutSec: 60,
  healthUpAfterProbe: false,
  pollSec: 1,
  members: {},
  commands: null,
  via: null,
  instances: [],
};
/** The plan's `via` wrapper for a socket. */
const wrapperOf = (socket: string): string => socatWrapper(parseHaproxySocket(socket), TIMINGS.lbSocatIdleSec);
/** A load balancer of one instance at `endpoint`, as the plan resolves it. */
const one = (
  endpoint: string,
  via: PlanLoadBalancer['via'] = null,
): Pick<PlanLoadBalancer, 'endpoint' | 'via' | 'instances'> => ({
  endpoint,
  via,
  instances: [{ name: 'lb', endpoint, via, wrapper: via ? wrapperOf(endpoint) : null }],
});

function commandLb(
  status: string,
  sessions: string | null,
  members: Record<string, string> = { n1: 'web-1', n2: 'web 2' },
): PlanLoadBalancer {
  return {
    ...base,
    type: 'command',
    endpoint: 'local',
    pool: '',
    members,
    commands: {
      drain: 'lbctl drain {{ member }}',
      disable: null,
      enable: 'lbctl enable {{ member }}',
      status,
      sessions,
    },
  };
}

describe('CommandDriver', () => {
  it('state() runs the status and sessions templates with {{ member }} as one quoted shell word', async () => {
    const t = shTransport();
    const d = new CommandDriver({
      timeoutMs: 30_000,
      lb: commandLb(`case {{ member }} in 'web 2') echo drain;; *) echo UP;; esac`, `printf '%s' {{ member }} | wc -c`),
      transport: t,
    });
    expect(await d.state('web 2')).toEqual({ state: 'DRAIN', raw: 'drain', sessions: 5 });
    expect(await d.state('web-1')).toEqual({ state: 'UP', raw: 'UP', sessions: 5 });
    expect(t.calls[0]?.command).toBe(`case 'web 2' in 'web 2') echo drain;; *) echo UP;; esac`);
    expect(t.calls[0]?.options.timeoutMs).toBe(30_000);
  });

  it('fills {{ node }} from loadBalancer.members, and says which other variables it cannot fill', async () => {
    const t = shTransport();
    expect(
      (
        await new CommandDriver({
          timeoutMs: 10_000,
          lb: commandLb('echo {{ node }} >/dev/null; echo MAINT', null),
          transport: t,
        }).state('web-1')
      ).state,
    ).toBe('MAINT');
    expect(t.calls[0]?.command).toBe('echo n1 >/dev/null; echo MAINT');
    await expect(
      new CommandDriver({ timeoutMs: 10_000, lb: commandLb('check {{ host }} {{ port }}', null), transport: t }).state(
        'web-1',
      ),
    ).rejects.toThrow(
      "the status command uses {{ host }}, {{ port }}, which lrroll cannot fill in outside a run's steps",
    );
  });

  it('passes secrets on stdin (never on the command line)', async () => {
    const t = shTransport();
    const scope = new Map([
      ['member', { value: 'web-1', secretEnv: [] }],
      ['token', { value: '${LB_TOKEN}', secretEnv: ['LB_TOKEN'] }],
    ]);
    const lb = commandLb('test {{ token }} = s3cret && echo UP', null);
    expect(
      (
        await new CommandDriver({
          timeoutMs: 10_000,
          lb,
          transport: t,
          secrets: { LB_TOKEN: 's3cret' },
          scopes: new Map([['web-1', scope]]),
        }).state('web-1')
      ).state,
    ).toBe('UP');
    expect(t.calls[0]?.command).toBe('test "${LB_TOKEN}" = s3cret && echo UP');
    expect(t.calls[0]?.options.env).toEqual({ LB_TOKEN: 's3cret' });
    await expect(
      new CommandDriver({ timeoutMs: 10_000, lb, transport: t, scopes: new Map([['web-1', scope]]) }).state('web-1'),
    ).rejects.toThrow('needs the secret ${LB_TOKEN}, which was not given');
  });

  it('a failing status command is an error with its stderr; unknown output is UNKNOWN', async () => {
    const t = shTransport();
    await expect(
      new CommandDriver({
        timeoutMs: 10_000,
        lb: commandLb('echo "no such member" >&2; exit 3', null),
        transport: t,
      }).state('web-1'),
    ).rejects.toThrow(/failed on local \(exit 3\): no such member/);
    expect(
      await new CommandDriver({ timeoutMs: 10_000, lb: commandLb('echo weird', 'echo lots'), transport: t }).state(
        'web-1',
      ),
    ).toEqual({ state: 'UNKNOWN', raw: 'weird', sessions: null });
  });

  it('members() runs the status for every named member and keeps going past failures', async () => {
    const t = shTransport();
    const d = new CommandDriver({
      timeoutMs: 10_000,
      lb: commandLb(`[ {{ member }} = web-1 ] && echo UP || exit 1`, null),
      transport: t,
      members: ['web-3'],
    });
    const m = await d.members();
    expect([...m.keys()]).toEqual(['web-1', 'web 2', 'web-3']);
    expect(m.get('web-1')?.state).toBe('UP');
    expect(m.get('web-3')).toMatchObject({ state: 'UNKNOWN', sessions: null });
    await expect(
      new CommandDriver({ timeoutMs: 10_000, lb: commandLb('echo UP', null, {}), transport: t }).members(),
    ).rejects.toThrow('cannot list its members');
  });

  it(
    "drain/disable/enable run the playbook's templates for the member, so status and reconcile can put " +
      'a node back',
    async () => {
      const t = shTransport();
      const lb = commandLb('echo UP', null);
      const withDisable: PlanLoadBalancer = {
        ...lb,
        commands: {
          ...(lb.commands as NonNullable<PlanLoadBalancer['commands']>),
          drain: 'echo drained {{ member }}',
          enable: 'echo enabled {{ member }} of {{ node }}',
          disable: 'echo disabled {{ member }}',
        },
      };
      const d = new CommandDriver({ timeoutMs: 10_000, lb: withDisable, transport: t });
      await d.enable('web 2');
      await d.drain('web-1');
      await d.disable('web-1', false);
      expect(t.calls.map((c) => c.command)).toEqual([
        "echo enabled 'web 2' of n2",
        'echo drained web-1',
        'echo disabled web-1',
      ]);
      await expect(new CommandDriver({ timeoutMs: 10_000, lb, transport: t }).disable('web-1', true)).rejects.toThrow(
        'has no `disable` command',
      );
      const failing: PlanLoadBalancer = {
        ...lb,
        commands: {
          ...(lb.commands as NonNullable<PlanLoadBalancer['commands']>),
          enable: 'echo "backend down" >&2; exit 2',
        },
      };
      await expect(new CommandDriver({ timeoutMs: 10_000, lb: failing, transport: t }).enable('web-1')).rejects.toThrow(
        /failed on local \(exit 2\): backend down/,
      );
    },
  );

  it('reads status and sessions output leniently', () => {
    expect(parseStatusOutput('up\n')).toBe('UP');
    expect(parseStatusOutput('DRAINING 3 sessions')).toBe('DRAIN');
    expect(parseStatusOutput('maintenance')).toBe('MAINT');
    expect(parseStatusOutput('')).toBe('UNKNOWN');
    expect(parseSessionsOutput(' 12\n')).toBe(12);
    expect(parseSessionsOutput('-1')).toBeNull();
  });
});

describe('createLbDriver', () => {
  const transport = shTransport();
  it('picks the driver for each type', () => {
    expect(createLbDriver({ lb: { ...base, type: 'none', endpoint: 'none', pool: '' }, transport })).toBeNull();
    expect(
      createLbDriver({
        lb: { ...base, type: 'haproxy', ...one('/run/haproxy/admin.sock'), pool: 'liferay' },
        transport,
      }),
    ).toBeInstanceOf(HaproxyDriver);
    expect(
      createLbDriver({
        lb: { ...base, type: 'apache', ...one('http://127.0.0.1/balancer-manager'), pool: 'liferay' },
        transport,
      }),
    ).toBeInstanceOf(ApacheBalancerDriver);
    expect(
      createLbDriver({
        lb: { ...base, type: 'mod_jk', ...one('http://127.0.0.1/jkstatus'), pool: 'loadbalancer' },
        transport,
      }),
    ).toBeInstanceOf(ModJkDriver);
    expect(createLbDriver({ lb: commandLb('echo UP', null), transport })).toBeInstanceOf(CommandDriver);
  });

  it('haproxy: uses the transport (socat) only with `via`', async () => {
    const calls: string[] = [];
    const recording: Transport = {
      ...shTransport(),
      exec: async (c) => (
        calls.push(c),
        { exitCode: 0, stdout: '', stderr: '', timedOut: false, aborted: false, durationMs: 1 }
      ),
    };
    const via = { host: 'lb1', port: null, user: 'ops', identityFile: null, become: true };
    await createLbDriver({
      lb: { ...base, type: 'haproxy', ...one('/run/haproxy/admin.sock', via), pool: 'liferay' },
      transport: recording,
    })?.drain('n1');
    expect(calls).toEqual([
      "printf '%s\\n' 'set server liferay/n1 state drain' | socat -t 5 stdio UNIX-CONNECT:/run/haproxy/admin.sock",
    ]);
  });

  it("every deadline of a driver comes from the plan: a request, a command, socat's wait", async () => {
    const seen: Array<{ command: string; timeoutMs: number | undefined }> = [];
    const t: Transport = {
      ...shTransport(),
      exec: async (command, options) => (
        seen.push({ command, timeoutMs: options.timeoutMs }),
        {
          exitCode: 0,
          stdout: command.startsWith('printf') ? '' : 'UP\n',
          stderr: '',
          timedOut: false,
          aborted: false,
          durationMs: 1,
        }
      ),
    };
    const via = { host: 'lb1', port: null, user: 'ops', identityFile: null, become: false };
    const haproxy = {
      ...base,
      type: 'haproxy',
      ...one('/run/haproxy/admin.sock', via),
      pool: 'liferay',
      requestTimeoutSec: 4,
    } as const;
    await createLbDriver({
      lb: {
        ...haproxy,
        instances: [{ name: 'lb', endpoint: '/x.sock', via, wrapper: socatWrapper(parseHaproxySocket('/x.sock'), 2) }],
      },
      transport: t,
    })?.enable('n1');
    await createLbDriver({ lb: { ...commandLb('echo UP', null), commandTimeoutSec: 7 }, transport: t })?.state('web-1');
    expect(seen).toEqual([
      {
        command: "printf '%s\\n' 'set server liferay/n1 state ready' | socat -t 2 stdio UNIX-CONNECT:/x.sock",
        timeoutMs: 4000,
      },
      { command: 'echo UP', timeoutMs: 7000 },
    ]);
    // An HTTP load balancer gets the plan's request deadline too: a server that never answers fails at it.
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/jkstatus`;
    try {
      const jk = createLbDriver({
        lb: { ...base, type: 'mod_jk', ...one(url), pool: 'loadbalancer', requestTimeoutSec: 0.2 },
        transport: t,
      });
      await expect(jk?.state('n1')).rejects.toThrow('did not answer within 200 ms');
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });

  it('several instances: one driver over all of them, each HAProxy host through its own transport', async () => {
    const calls: Array<{ host: string; command: string }> = [];
    const to = (host: string): Transport => ({
      ...shTransport(),
      exec: async (c) => (
        calls.push({ host, command: c }),
        { exitCode: 0, stdout: '', stderr: '', timedOut: false, aborted: false, durationMs: 1 }
      ),
    });
    const lb1 = { host: 'lb1', port: null, user: 'ops', identityFile: null, become: true };
    const lb2 = { ...lb1, host: 'lb2' };
    const lb: PlanLoadBalancer = {
      ...base,
      type: 'haproxy',
      endpoint: '/run/haproxy/admin.sock',
      via: lb1,
      pool: 'liferay',
      instances: [
        { name: 'lb1', endpoint: '/run/haproxy/admin.sock', via: lb1, wrapper: wrapperOf('/run/haproxy/admin.sock') },
        { name: 'lb2', endpoint: '/run/haproxy/admin.sock', via: lb2, wrapper: wrapperOf('/run/haproxy/admin.sock') },
      ],
    };
    const driver = createLbDriver({ lb, transport: to('first'), transportFor: (v) => to(v.host) });
    expect(driver).toBeInstanceOf(MultiLbDriver);
    await driver?.enable('n1');
    expect(calls.map((c) => c.host).sort()).toEqual(['lb1', 'lb2']);
    expect(new Set(calls.map((c) => c.command)).size).toBe(1);
    // Without a way to reach the second host, the driver cannot be built.
    expect(() => createLbDriver({ lb, transport: to('first') })).toThrow('no transport to the load-balancer host lb2');
  });
});
