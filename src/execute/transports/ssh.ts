import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NodeSSH, type Config } from 'node-ssh';
import type { Client, ClientChannel } from 'ssh2';
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
import { killScript, REPORT_PID } from './remote-kill.js';
import { CommandRun } from './command-run.js';
import { parseJumpHop, resolveSshTarget, type ResolvedSshTarget, type SshTargetOverrides } from './ssh-config.js';
import { connectError } from './ssh-connect-error.js';
import { ShellPool } from './ssh-shell.js';

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
  /** Shells kept open on the node for commands without stdin of their own (see ssh-shell.ts); 0: none. */
  shellsPerConnection: number;
}

/** One SSH connection per host, reused for all its steps (node-ssh adapter). */
export class SshTransport implements Transport {
  readonly describe: string;
  private readonly target: ResolvedSshTarget;
  private ssh: NodeSSH | undefined;
  private jumps: NodeSSH[] = [];
  private connecting: Promise<void> | undefined;
  /** The shells kept open on this connection, while it is open. */
  private shells: ShellPool | undefined;

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
      const conn = this.ssh.connection;
      if (conn && this.settings.shellsPerConnection > 0)
        this.shells = new ShellPool(conn, this.settings.shellsPerConnection, this.settings.connectTimeoutMs);
      // The first shell opens while the caller goes on, so the first command seldom waits for a login.
      this.shells?.warm();
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
        this.shells = undefined;
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
    return this.send(conn, `${REPORT_PID}; ${command}`, options);
  }

  /** Sends a command on the open connection; `options.become` runs it through sudo. */
  private async send(conn: Client, command: string, options: ExecOptions): Promise<ExecResult> {
    const become = options.become === true;
    const wrapped = wrapCommand(command, options.env, become, this.sudo, options.vars);
    const kill = (pid: string | null): void => {
      if (pid) void this.killRemote(pid, become);
    };
    // A command with no stdin of its own goes to a shell kept open on the node (see ssh-shell.ts).
    if (wrapped.stdin === '' && !options.signal?.aborted && this.shells) {
      const done = await this.shells.exec(
        wrapped.command,
        (giveUp) => new CommandRun(options, { kill, giveUp }, this.settings.killGraceMs),
      );
      if (done) return done;
    }
    let channel: ClientChannel | undefined;
    const run = new CommandRun(
      options,
      {
        kill: (pid) => {
          channel?.signal('KILL');
          kill(pid);
        },
        giveUp: () => channel?.destroy(),
      },
      this.settings.killGraceMs,
    );
    let exitCode: number | null = null;
    conn.exec(wrapped.command, (e: Error | undefined, ch: ClientChannel) => {
      if (e) {
        run.stderr(`${e.message}\n`);
        run.finish(null);
        return;
      }
      channel = ch;
      ch.on('data', (d: Buffer) => run.stdout(d));
      ch.stderr.on('data', (d: Buffer) => run.stderr(d));
      ch.on('exit', (code: number | null) => {
        exitCode = typeof code === 'number' ? code : null;
      });
      ch.on('close', () => run.finish(exitCode));
      ch.write(wrapped.stdin);
      ch.end();
      run.underWay();
    });
    return run.result;
  }

  /**
   * Kills a remote command's process group (and the process itself) with a second command; `reported` is `<pid>
   * <pgid>`.
   */
  private async killRemote(reported: string, become: boolean): Promise<void> {
    const script = killScript(reported);
    const conn = this.ssh?.connection;
    if (script === null || !conn) return;
    // Not killable itself (it reports no pid): a kill that hangs is dropped after its deadline and grace.
    await this.send(conn, script, { timeoutMs: this.settings.killCommandMs, become });
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
    this.shells = undefined;
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
