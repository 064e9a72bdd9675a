import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Clock, ExecutorDeps, ResumeState } from '../execute/context.js';
import type { Emit } from '../execute/events.js';
import { runPlan, type RunReport } from '../execute/executor.js';
import { createLbDriver } from '../execute/lb/factory.js';
import type { LbDriverContext } from '../execute/lb/driver.js';
import { maskingEmit, secretMask } from '../execute/secrets.js';
import type { SudoSettings, Transport } from '../execute/transport.js';
import { LocalTransport } from '../execute/transports/local.js';
import { RemoteRecorder } from '../execute/transports/recording.js';
import { SshTransport, type SshSettings } from '../execute/transports/ssh.js';
import type { LbVia, Plan, PlanNode } from '../plan/types.js';
import { acquireClusterLock, lockAdvice, refreshClusterLock, releaseClusterLock } from './cluster-lock.js';
import { isRunLive } from './liveness.js';
import { describeHolder, makeOwner } from './lock.js';
import { findLeftOut, reconcile, type LeftOut } from './reconcile.js';
import { nodesAtRefusal, refusedRun } from './refuse.js';
import type { SshFiles } from './ssh-files.js';

/** How a run reaches hosts and talks to the operator. */
export interface ExecuteOptions {
  /** Id of this run (see `newRunId`), also the name of its record. */
  runId: string;
  env: Readonly<Record<string, string | undefined>>;
  emit: Emit;
  /** Hard abort (second Ctrl-C). */
  signal: AbortSignal;
  /** Graceful stop (first Ctrl-C). */
  stop: AbortSignal;
  /** What an interrupted run already did, when resuming. */
  resume: ResumeState | null;
  confirm(question: string): Promise<boolean>;
  acceptNewHostKeys: boolean;
  /** How long to wait for another operator's run lock to be released. */
  lockWaitSec: number;
  /** A note stored with the lock (why this run). */
  lockMessage: string;
  /** This process's id, recorded in the lock. */
  pid: number;
  /** Reports what reconciling found (nodes an earlier run left out of the load balancer). */
  onNote(text: string): void;
  /** The run's JSON report summary so far (the body of `body: report` webhooks). */
  reportSummary(): string;
  /** The SSH config and known_hosts files chosen on the command line or in the playbook. */
  sshFiles?: SshFiles;
}

/** A new run id: the UTC start time and a random suffix, e.g. `20261121T2155-3fa9c1`. */
export function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 13)}-${randomBytes(3).toString('hex')}`;
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

/**
 * SSH settings: ~/.ssh/config, known_hosts, ssh-agent, passphrase. `files` (the command line's or
 * the playbook's choice) win over LRROLL_SSH_CONFIG / LRROLL_KNOWN_HOSTS, which win over ~/.ssh.
 */
export function sshSettings(env: Readonly<Record<string, string | undefined>>, acceptNewHostKeys: boolean, files: SshFiles = { configFile: null, knownHostsFiles: null }): SshSettings {
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
    knownHostsFiles: files.knownHostsFiles ?? (env.LRROLL_KNOWN_HOSTS ?? join(home, '.ssh/known_hosts')).split(':').filter(Boolean),
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
  readonly local: Transport;
  /** With LRROLL_RECORD_REMOTE=<file>, every command, upload and LB request sent is appended there (an audit of the run against its plan). */
  readonly recorder: RemoteRecorder | null;

  /** `env` holds the secrets a node's sudo password is read from (by the name the plan gives). */
  constructor(private readonly settings: SshSettings, private readonly env: Readonly<Record<string, string | undefined>> = {}) {
    this.recorder = env['LRROLL_RECORD_REMOTE'] ? new RemoteRecorder(env['LRROLL_RECORD_REMOTE']) : null;
    this.local = this.recorded(new LocalTransport());
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
    const sudo: SudoSettings = { user: node.becomeUser ?? null, password: node.becomePassword ? (this.env[node.becomePassword] ?? '') : null };
    if (node.transport === 'local') return sudo.user === null && sudo.password === null ? this.local : this.get(`local:${node.name}`, () => new LocalTransport(sudo));
    return this.get(`node:${node.name}`, () => new SshTransport(node.host, { port: node.port, user: node.user, identityFile: node.identityFile, proxyJump: node.proxyJump }, this.settings, sudo));
  }

  forLb(plan: Plan): Transport {
    const via = plan.loadBalancer.via;
    return via ? this.forVia(via) : this.local;
  }

  /** The transport to a load-balancer host (each instance of an HA pair may have its own). */
  forVia(via: LbVia): Transport {
    return this.get(`lb:${via.user ?? ''}@${via.host}:${via.port ?? ''}:${via.identityFile ?? ''}`, () => new SshTransport(via.host, { port: via.port, user: via.user, identityFile: via.identityFile }, this.settings));
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

/** How often the run refreshes its lock on every node (and checks it is still its own). */
const LOCK_REFRESH_MS = 30_000;

/** Runs a plan for real: takes the cluster lock, reconciles, then hands transports, the LB driver, secrets and the clock to the executor. */
export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<RunReport> {
  const pool = new TransportPool(sshSettings(options.env, options.acceptNewHostKeys, options.sshFiles), options.env);
  const lbTransport = pool.forLb(plan);
  const secrets = planSecrets(plan, options.env);
  const lb = plan.loadBalancer.type === 'command' ? null : createLbDriver({ lb: plan.loadBalancer, transport: lbTransport, transportFor: (via) => pool.forVia(via), secrets, ...pool.lbRequests() });
  // Every text this run emits or notes, before and inside the executor, is masked the same way.
  const mask = secretMask(Object.values(secrets));
  const emit = maskingEmit(options.emit, mask);
  const note = (text: string): void => options.onNote(mask(text));
  // A run whose lock was broken or taken stops like on Ctrl-C: two runs never go on together.
  const lockLost = new AbortController();
  const deps: ExecutorDeps = {
    transportFor: (n) => pool.forNode(n),
    local: pool.local,
    lbTransport,
    lb,
    clock: systemClock,
    signal: options.signal,
    stop: AbortSignal.any([options.stop, lockLost.signal]),
    resume: options.resume,
    emit,
    secrets,
    baseDir: resolve(dirname(plan.source.file)),
    confirm: options.confirm,
    fetch: globalThis.fetch,
    runId: options.runId,
    reportSummary: options.reportSummary,
  };
  const leftOut = (): LeftOut[] => findLeftOut(plan, options.env).filter((l) => !(options.resume && l.runId === options.runId));
  const refuse = async (reason: string, status: 'refused' | 'aborted' = 'refused'): Promise<RunReport> => refusedRun(plan, options.runId, emit, reason, await nodesAtRefusal(plan, leftOut(), lb), status);
  try {
    const owner = makeOwner(plan, options.runId, options.env, options.lockMessage, options.pid);
    let lock;
    try {
      lock = await acquireClusterLock(plan, owner, options.lockWaitSec, { transportFor: (n) => pool.forNode(n), clock: systemClock, signal: AbortSignal.any([options.signal, options.stop]), isLive: isRunLive, onWait: (r) => note(`waiting up to ${options.lockWaitSec}s (--lock-wait) for the cluster's lock (on ${r.node}), held by ${describeHolder(r.held)}`) });
    } catch (err) {
      return await refuse(`cannot take the cluster's run lock: ${(err as Error).message}; nothing was changed`);
    }
    if ('nodes' in lock && (options.stop.aborted || options.signal.aborted)) await releaseClusterLock(lock, options.runId, (n) => pool.forNode(n));
    if (options.stop.aborted || options.signal.aborted) return await refuse('interrupted while waiting for the cluster lock: nothing was changed', 'aborted');
    if (!('nodes' in lock)) {
      const live = lock.held.owner ? isRunLive(lock.held.owner) : null;
      return await refuse(`another run holds the cluster's lock (on ${lock.node}): ${describeHolder(lock.held)}. Nothing was changed by this run; ${lockAdvice(lock.held, live, plan.source.file)}`);
    }
    lock.notes.forEach(note);
    const held = lock;
    const heartbeat = setInterval(() => {
      void refreshClusterLock(held, options.runId, (n) => pool.forNode(n)).then((lost) => {
        if (!lost || lockLost.signal.aborted) return;
        note(`WARNING: ${lost}: this run stops now, like on Ctrl-C`);
        lockLost.abort(lost);
      });
    }, LOCK_REFRESH_MS);
    try {
      // Read the records again now that this run holds the lock: a run live before may have ended.
      // The executor runs a command load balancer's plan steps itself; putting back a node left out earlier needs its driver.
      const putBack = plan.loadBalancer.type === 'command' ? createLbDriver({ lb: plan.loadBalancer, transport: lbTransport, secrets }) : lb;
      for (const r of await reconcile(plan, leftOut(), { transportFor: (n) => pool.forNode(n), lbTransport, lb: putBack, clock: systemClock, signal: options.signal })) {
        note(`${r.action === 'put-back' ? 'reconciled' : 'WARNING'}: ${r.node} ${r.detail}`);
      }
      return await runPlan(plan, deps);
    } finally {
      clearInterval(heartbeat);
      await releaseClusterLock(held, options.runId, (n) => pool.forNode(n));
    }
  } finally {
    await lb?.close().catch(() => undefined);
    await pool.closeAll();
  }
}
