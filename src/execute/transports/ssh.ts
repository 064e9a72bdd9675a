import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NodeSSH, type Config } from 'node-ssh';
import type { ClientChannel } from 'ssh2';
import { ConnectionError } from '../../errors/errors.js';
import { shq } from '../../shell/quote.js';
import {
  PLAIN_SUDO,
  wrapCommand,
  type ExecOptions,
  type ExecResult,
  type SudoSettings,
  type Transport,
} from '../transport.js';
import { readKnownHosts, verifyHostKey } from './host-key-trust.js';
import { knownHostName, knownKeyTypes, type KnownHostEntry } from './known-hosts.js';
import { LineSplitter } from './lines.js';
import { killScript, PID_MARK, REPORT_PID } from './remote-kill.js';
import { parseJumpHop, resolveSshTarget, type ResolvedSshTarget, type SshTargetOverrides } from './ssh-config.js';
import { connectError } from './ssh-connect-error.js';

/** Settings shared by every SSH connection of a run. */
export interface SshSettings {
  /** Contents of ~/.ssh/config ('' when absent). */
  sshConfigText: string;
  /** known_hosts files to verify against (the first is where accepted keys are added). */
  knownHostsFiles: string[];
  /** Add the key of a host that has none yet (never replaces a changed key). */
  acceptNewHostKeys: boolean;
  /** ssh-agent socket, when set. */
  agentSocket: string | undefined;
  /** Passphrase for encrypted identity files. */
  passphrase: string | undefined;
  home: string;
  localUser: string;
  connectTimeoutMs: number;
  keepaliveMs: number;
  /** After a command is stopped, how long its channel may take to close before it is dropped. */
  killGraceMs: number;
  /** How long the command that kills a stopped command's processes may run. */
  killCommandMs: number;
}

/** One SSH connection per host, reused for all its steps (node-ssh adapter). */
export class SshTransport implements Transport {
  readonly describe: string;
  private readonly target: ResolvedSshTarget;
  private ssh: NodeSSH | undefined;
  private jumps: NodeSSH[] = [];
  private connecting: Promise<void> | undefined;

  constructor(
    host: string,
    overrides: SshTargetOverrides,
    private readonly settings: SshSettings,
    private readonly sudo: SudoSettings = PLAIN_SUDO,
  ) {
    this.target = resolveSshTarget(settings.sshConfigText, host, overrides, {
      home: settings.home,
      user: settings.localUser,
    });
    this.describe =
      `ssh ${this.target.user}@${this.target.hostName}:${this.target.port}` +
      `${this.target.proxyJump.length ? ` via ${this.target.proxyJump.join(',')}` : ''}`;
  }

  connect(): Promise<void> {
    this.connecting ??= this.open().catch((err: unknown) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    let sock: Config['sock'];
    const hops = this.target.proxyJump.map((hop) => {
      const h = parseJumpHop(hop);
      return resolveSshTarget(
        this.settings.sshConfigText,
        h.host,
        { port: h.port, user: h.user, identityFile: null },
        { home: this.settings.home, user: this.settings.localUser },
      );
    });
    try {
      // Each hop forwards to the next one; only the last forwards to the target.
      for (const [i, hop] of hops.entries()) {
        const jump = await this.connectOne(hop, sock);
        this.jumps.push(jump);
        const next = hops[i + 1] ?? this.target;
        sock = await jump.forwardOut('127.0.0.1', 0, next.hostName, next.port);
      }
      this.ssh = await this.connectOne(this.target, sock);
    } catch (err) {
      for (const j of this.jumps.reverse()) j.dispose();
      this.jumps = [];
      throw err;
    }
  }

  /** Forgets a dropped connection so the next command connects again, instead of crashing on the error. */
  private watch(ssh: NodeSSH): void {
    const drop = (): void => {
      if (this.ssh === ssh || this.jumps.includes(ssh)) {
        this.ssh = undefined;
        this.connecting = undefined;
      }
    };
    ssh.connection?.on('error', drop);
    ssh.connection?.on('close', drop);
  }

  private async connectOne(target: ResolvedSshTarget, sock: Config['sock']): Promise<NodeSSH> {
    const entries = await this.knownHosts(target);
    const name = knownHostName(target.hostKeyAlias ?? target.hostName, target.port);
    let rejection: ConnectionError | undefined;
    const config: Config = {
      host: target.hostName,
      port: target.port,
      username: target.user,
      readyTimeout: this.settings.connectTimeoutMs,
      keepaliveInterval: this.settings.keepaliveMs,
      keepaliveCountMax: 4,
      hostVerifier: (key: Buffer) => {
        rejection = this.verifyHostKey(entries, name, key);
        return rejection === undefined;
      },
    };
    // Prefer the key types known for this host (as OpenSSH does), but still offer the others, so a
    // host that now has only another type of key is reported as CHANGED, not as a failed handshake.
    const types = knownKeyTypes(entries, name);
    if (types.length > 0)
      config.algorithms = {
        serverHostKey: { prepend: types } as unknown as NonNullable<NonNullable<Config['algorithms']>['serverHostKey']>,
      };
    if (sock) config.sock = sock;
    if (this.settings.agentSocket) config.agent = this.settings.agentSocket;
    const key = await firstReadable(target.identityFiles);
    if (key) {
      config.privateKey = key;
      if (this.settings.passphrase) config.passphrase = this.settings.passphrase;
    }
    const ssh = new NodeSSH();
    try {
      await ssh.connect(config);
    } catch (err) {
      if (rejection) throw rejection;
      throw connectError(target, err);
    }
    this.watch(ssh);
    return ssh;
  }

  private async knownHosts(target: ResolvedSshTarget): Promise<KnownHostEntry[]> {
    return readKnownHosts([...this.settings.knownHostsFiles, ...target.knownHostsFiles]);
  }

  /** Returns an error for a key that must not be trusted, or undefined to go on. */
  private verifyHostKey(entries: KnownHostEntry[], name: string, key: Buffer): ConnectionError | undefined {
    return verifyHostKey(entries, name, key, {
      acceptNew: this.settings.acceptNewHostKeys,
      addTo: this.settings.knownHostsFiles[0],
    });
  }

  async exec(command: string, options: ExecOptions): Promise<ExecResult> {
    await this.connect();
    const conn = this.ssh?.connection;
    if (!conn) throw new ConnectionError('E_CONNECT', `${this.describe}: not connected`);
    // The command first reports its pid (on stderr, filtered out) so a timeout or Ctrl-C can kill
    // its whole process group on the node: OpenSSH ignores signal requests for many logins.
    const wrapped = wrapCommand(`${REPORT_PID}; ${command}`, options.env, options.become === true, this.sudo);
    const started = Date.now();
    return new Promise((resolve) => {
      let remotePid: string | null = null;
      const out = new LineSplitter((l) => options.onLine?.('stdout', l));
      const err = new LineSplitter((l) => {
        if (remotePid === null && l.startsWith(PID_MARK)) {
          remotePid = l.slice(PID_MARK.length);
          // Stopped before the pid arrived: kill it now.
          if (timedOut || aborted) void this.killRemote(remotePid, options.become === true);
        } else options.onLine?.('stderr', l);
      });
      let timedOut = false;
      let aborted = false;
      let exitCode: number | null = null;
      let channel: ClientChannel | undefined;
      let finished = false;
      let grace: NodeJS.Timeout | undefined;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        if (grace) clearTimeout(grace);
        options.signal?.removeEventListener('abort', onAbort);
        const stderr = err
          .end()
          .split('\n')
          .filter((l) => !l.startsWith(PID_MARK))
          .join('\n');
        resolve({
          exitCode: timedOut || aborted ? null : exitCode,
          stdout: out.end(),
          stderr,
          timedOut,
          aborted,
          durationMs: Date.now() - started,
        });
      };
      const stop = (): void => {
        channel?.signal('KILL');
        if (remotePid) void this.killRemote(remotePid, options.become === true);
        grace = setTimeout(() => {
          channel?.destroy();
          finish();
        }, this.settings.killGraceMs);
        grace.unref();
      };
      const timer = setTimeout(() => {
        timedOut = true;
        stop();
      }, options.timeoutMs);
      const onAbort = (): void => {
        aborted = true;
        stop();
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      conn.exec(wrapped.command, (e: Error | undefined, ch: ClientChannel) => {
        if (e) {
          err.pushText(`${e.message}\n`);
          finish();
          return;
        }
        channel = ch;
        ch.on('data', (d: Buffer) => out.push(d));
        ch.stderr.on('data', (d: Buffer) => err.push(d));
        ch.on('exit', (code: number | null) => {
          exitCode = typeof code === 'number' ? code : null;
        });
        ch.on('close', finish);
        ch.write(wrapped.stdin);
        ch.end();
        if (options.signal?.aborted) onAbort();
      });
    });
  }

  /**
   * Kills a remote command's process group (and the process itself) over a second channel; `reported` is `<pid>
   * <pgid>`.
   */
  private async killRemote(reported: string, become: boolean): Promise<void> {
    const script = killScript(reported);
    if (script === null) return;
    const conn = this.ssh?.connection;
    if (!conn) return;
    const wrapped = wrapCommand(script, undefined, become, this.sudo);
    await new Promise<void>((done) => {
      conn.exec(wrapped.command, (e: Error | undefined, ch: ClientChannel) => {
        if (e) return done();
        ch.end(wrapped.stdin);
        const limit = setTimeout(() => {
          ch.destroy();
          done();
        }, this.settings.killCommandMs);
        limit.unref();
        ch.on('close', () => {
          clearTimeout(limit);
          done();
        });
        ch.resume();
        ch.stderr.resume();
      });
    });
  }

  async put(
    localPath: string,
    remotePath: string,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<void> {
    await this.connect();
    const ssh = this.ssh as NodeSSH;
    const dir = dirname(remotePath);
    const tmp = `${remotePath}.lrroll-upload-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const mk = await this.exec(`mkdir -p ${shq(dir)}`, {
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (mk.exitCode !== 0)
      throw new ConnectionError('E_CONNECT', `${this.describe}: cannot create ${dir}: ${mk.stderr.trim()}`);
    await ssh.putFile(localPath, tmp);
    const mv = await this.exec(`mv -f ${shq(tmp)} ${shq(remotePath)}`, {
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (mv.exitCode !== 0)
      throw new ConnectionError(
        'E_CONNECT',
        `${this.describe}: cannot move the upload into place: ${mv.stderr.trim()}`,
      );
  }

  async close(): Promise<void> {
    this.ssh?.dispose();
    for (const j of this.jumps.reverse()) j.dispose();
    this.ssh = undefined;
    this.jumps = [];
    this.connecting = undefined;
  }
}

async function firstReadable(files: string[]): Promise<string | undefined> {
  for (const f of files) {
    const text = await readFile(f, 'utf8').catch(() => undefined);
    if (text !== undefined) return text;
  }
  return undefined;
}
