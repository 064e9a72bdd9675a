import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../execute/context.js';
import type { SudoSettings, Transport } from '../execute/transport.js';
import type { LbDriver, LbDriverContext } from '../execute/lb/driver.js';
import { createLbDriver } from '../execute/lb/factory.js';
import { LocalTransport } from '../execute/transports/local.js';
import { RemoteRecorder } from '../execute/transports/recording.js';
import { SshTransport, type SshSettings } from '../execute/transports/ssh.js';
import { LOCAL_TIMINGS, SSH_TIMINGS } from '../plan/defaults.js';
import type { LbVia, Plan, PlanNode } from '../plan/types.js';
import type { SshFiles } from './ssh-files.js';

// How a run reaches hosts: SSH settings, one transport per node and per load-balancer host, the
// secrets the plan names, the real clock. The run itself is wired in run.ts.

/** A new run id: the UTC start time (from the clock) and a random suffix, e.g. `20261121T2155-3fa9c1`. */
export function newRunId(clock: Pick<Clock, 'iso'>): string {
  return `${clock.iso().replace(/[-:]/g, '').slice(0, 13)}-${randomBytes(3).toString('hex')}`;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  iso: () => new Date().toISOString(),
  sleep: (ms, signal) =>
    new Promise((done) => {
      if (signal?.aborted) return done();
      const t = setTimeout(finish, ms);
      function finish(): void {
        clearTimeout(t);
        signal?.removeEventListener('abort', finish);
        done();
      }
      signal?.addEventListener('abort', finish, { once: true });
    }),
};

/**
 * SSH settings: ~/.ssh/config, known_hosts, ssh-agent, passphrase. `files` (the command line's or
 * the playbook's choice) win over LRROLL_SSH_CONFIG / LRROLL_KNOWN_HOSTS, which win over ~/.ssh.
 */
export function sshSettings(
  env: Readonly<Record<string, string | undefined>>,
  acceptNewHostKeys: boolean,
  files: SshFiles = { configFile: null, knownHostsFiles: null },
): SshSettings {
  const home = env.HOME ?? homedir();
  const configFile = files.configFile ?? env.LRROLL_SSH_CONFIG ?? join(home, '.ssh/config');
  let sshConfigText = '';
  try {
    sshConfigText = readFileSync(configFile, 'utf8');
  } catch {
    sshConfigText = '';
  }
  return {
    sshConfigText,
    knownHostsFiles:
      files.knownHostsFiles ?? (env.LRROLL_KNOWN_HOSTS ?? join(home, '.ssh/known_hosts')).split(':').filter(Boolean),
    acceptNewHostKeys,
    agentSocket: env.SSH_AUTH_SOCK,
    passphrase: env.LRROLL_SSH_PASSPHRASE,
    home,
    localUser: env.USER ?? userInfo().username,
    ...SSH_TIMINGS,
  };
}

/**
 * Where a command goes: a node, the load balancer's host. What `status` and `unlock` connect through (a recording
 * wrapper can stand in).
 */
export interface Transports {
  forNode(node: PlanNode): Transport;
  forLb(plan: Plan): Transport;
  forVia(via: LbVia): Transport;
  /** What a load-balancer driver tells of each request it sends (the recorder's hook), when there is one. */
  lbRequests?(): Pick<LbDriverContext, 'onRequest'>;
  closeAll(): Promise<void>;
}

/** Opens transports lazily, one per node (and one for the LB host), and closes them all at the end. */
export class TransportPool implements Transports {
  private readonly open = new Map<string, Transport>();
  readonly local: Transport;
  /**
   * With LRROLL_RECORD_REMOTE=<file>, every command, upload and LB request sent is appended there (an audit of the run
   * against its plan).
   */
  readonly recorder: RemoteRecorder | null;

  /** `env` holds the secrets a node's sudo password is read from (by the name the plan gives). */
  constructor(
    private readonly settings: SshSettings,
    private readonly env: Readonly<Record<string, string | undefined>> = {},
  ) {
    this.recorder = env['LRROLL_RECORD_REMOTE'] ? new RemoteRecorder(env['LRROLL_RECORD_REMOTE']) : null;
    this.local = this.recorded(new LocalTransport(LOCAL_TIMINGS.localKillGraceMs));
  }

  private recorded(t: Transport): Transport {
    return this.recorder ? this.recorder.transport(t) : t;
  }

  /** What a load-balancer driver tells of each request it sends (nothing without a recorder). */
  lbRequests(): Pick<LbDriverContext, 'onRequest'> {
    const r = this.recorder;
    return r ? { onRequest: (target, request) => r.lbRequest(target, request) } : {};
  }

  forNode(node: PlanNode): Transport {
    // `?? null`: a plan recorded before these fields existed has neither.
    const sudo: SudoSettings = {
      user: node.becomeUser ?? null,
      password: node.becomePassword ? (this.env[node.becomePassword] ?? '') : null,
    };
    if (node.transport === 'local')
      return sudo.user === null && sudo.password === null
        ? this.local
        : this.get(`local:${node.name}`, () => new LocalTransport(LOCAL_TIMINGS.localKillGraceMs, sudo));
    return this.get(
      `node:${node.name}`,
      () =>
        new SshTransport(
          node.host,
          { port: node.port, user: node.user, identityFile: node.identityFile, proxyJump: node.proxyJump },
          this.settings,
          sudo,
        ),
    );
  }

  forLb(plan: Plan): Transport {
    const via = plan.loadBalancer.via;
    return via ? this.forVia(via) : this.local;
  }

  /** The transport to a load-balancer host (each instance of an HA pair may have its own). */
  forVia(via: LbVia): Transport {
    return this.get(
      `lb:${via.user ?? ''}@${via.host}:${via.port ?? ''}:${via.identityFile ?? ''}`,
      () =>
        new SshTransport(via.host, { port: via.port, user: via.user, identityFile: via.identityFile }, this.settings),
    );
  }

  private get(key: string, make: () => Transport): Transport {
    let t = this.open.get(key);
    if (!t) {
      t = this.recorded(make());
      this.open.set(key, t);
    }
    return t;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.values()].map((t) => t.close().catch(() => undefined)));
  }
}

/** The values of the secrets a plan names, from the environment (a missing one is left out). */
export function planSecrets(plan: Plan, env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const name of plan.secrets) {
    const value = env[name];
    if (value !== undefined) secrets[name] = value;
  }
  return secrets;
}

/**
 * The driver of the plan's load balancer over the pool's transports, or null: none without a load balancer, and none for
 * a `command` one, whose own commands are plan steps (run by the executor, read by status).
 */
export function planLbDriver(plan: Plan, pool: Transports, secrets: Record<string, string>): LbDriver | null {
  if (plan.loadBalancer.type === 'command') return null;
  return createLbDriver({
    lb: plan.loadBalancer,
    transport: pool.forLb(plan),
    transportFor: (via) => pool.forVia(via),
    secrets,
    ...(pool.lbRequests?.() ?? {}),
  });
}
