import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Clock, ExecutorDeps } from '../execute/context.js';
import type { Emit } from '../execute/events.js';
import { runPlan, type RunReport } from '../execute/executor.js';
import { createLbDriver } from '../execute/lb/factory.js';
import type { Transport } from '../execute/transport.js';
import { LocalTransport } from '../execute/transports/local.js';
import { SshTransport, type SshSettings } from '../execute/transports/ssh.js';
import type { Plan, PlanNode } from '../plan/types.js';

/** How a run reaches hosts and talks to the operator. */
export interface ExecuteOptions {
  env: Readonly<Record<string, string | undefined>>;
  emit: Emit;
  signal: AbortSignal;
  confirm(question: string): Promise<boolean>;
  acceptNewHostKeys: boolean;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
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

/** SSH settings from the environment: ~/.ssh/config, known_hosts, ssh-agent, passphrase (overridable for tests and bastions). */
export function sshSettings(env: Readonly<Record<string, string | undefined>>, acceptNewHostKeys: boolean): SshSettings {
  const home = env.HOME ?? homedir();
  const configFile = env.LRROLL_SSH_CONFIG ?? join(home, '.ssh/config');
  let sshConfigText = '';
  try {
    sshConfigText = readFileSync(configFile, 'utf8');
  } catch {
    sshConfigText = '';
  }
  return {
    sshConfigText,
    knownHostsFiles: (env.LRROLL_KNOWN_HOSTS ?? join(home, '.ssh/known_hosts')).split(':').filter(Boolean),
    acceptNewHostKeys,
    agentSocket: env.SSH_AUTH_SOCK,
    passphrase: env.LRROLL_SSH_PASSPHRASE,
    home,
    localUser: env.USER ?? userInfo().username,
    connectTimeoutMs: 20_000,
    keepaliveMs: 15_000,
  };
}

/** Opens transports lazily, one per node (and one for the LB host), and closes them all at the end. */
export class TransportPool {
  private readonly open = new Map<string, Transport>();
  readonly local = new LocalTransport();

  constructor(private readonly settings: SshSettings) {}

  forNode(node: PlanNode): Transport {
    if (node.transport === 'local') return this.local;
    return this.get(`node:${node.name}`, () => new SshTransport(node.host, { port: node.port, user: node.user, identityFile: node.identityFile }, this.settings));
  }

  forLb(plan: Plan): Transport {
    const via = plan.loadBalancer.via;
    if (!via) return this.local;
    return this.get('lb', () => new SshTransport(via.host, { port: via.port, user: via.user, identityFile: via.identityFile }, this.settings));
  }

  private get(key: string, make: () => Transport): Transport {
    let t = this.open.get(key);
    if (!t) {
      t = make();
      this.open.set(key, t);
    }
    return t;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.values()].map((t) => t.close().catch(() => undefined)));
  }
}

/** Runs a plan for real: wires transports, the LB driver, secrets and the clock into the executor. */
export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<RunReport> {
  const pool = new TransportPool(sshSettings(options.env, options.acceptNewHostKeys));
  const lbTransport = pool.forLb(plan);
  const lb = plan.loadBalancer.type === 'command' ? null : createLbDriver({ lb: plan.loadBalancer, transport: lbTransport });
  const secrets: Record<string, string> = {};
  for (const name of plan.secrets) {
    const value = options.env[name];
    if (value !== undefined) secrets[name] = value;
  }
  const deps: ExecutorDeps = {
    transportFor: (n) => pool.forNode(n),
    local: pool.local,
    lbTransport,
    lb,
    clock: systemClock,
    signal: options.signal,
    emit: options.emit,
    secrets,
    baseDir: resolve(dirname(plan.source.file)),
    confirm: options.confirm,
    fetch: globalThis.fetch,
    runId: `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`,
  };
  try {
    return await runPlan(plan, deps);
  } finally {
    await lb?.close().catch(() => undefined);
    await pool.closeAll();
  }
}
