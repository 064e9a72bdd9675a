// A real, local test cluster for end-to-end tests: N simulated Liferay nodes, each reachable over
// its own OpenSSH server (in its own mount namespace, so every node sees *its* home at
// /opt/liferay like separate hosts do), optionally behind a real HAProxy with an admin socket.
//
// Everything listens on loopback only (127.x.y.z). Linux + root only: see clusterSupport().
// Everything started here is killed by stop(), by a process 'exit' hook, and — if the test
// process itself is killed — by a detached watchdog (reaper.mjs).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeTomcatHome, tomcatMissing, writeServerXml } from '../tomcat/make-tomcat-home.mjs';
import { apacheMissing, killGroup, startApache, type ApacheInstance } from './apache.js';
import { haproxyConfig } from './lb-configs.mjs';

/** Where every node sees its own Liferay home (bind mount inside the node's mount namespace). */
export const REMOTE_HOME = '/opt/liferay';

/** The Tomcat folder inside a home (`tomcat`, or `tomcat-9.0.xx` for classic bundles). */
function tomcatDirOf(home: string): string {
  return readdirSync(home).find((d) => /^tomcat/.test(d)) ?? 'tomcat';
}

const HERE = dirname(fileURLToPath(import.meta.url));
const SIM_MAKE_HOME = join(HERE, '../sim/make-home.mjs');
const REAPER = join(HERE, 'reaper.mjs');

export interface ClusterNode {
  /** node1..nodeN: ssh alias, HAProxy server name and cookie value, the sim's node name. */
  name: string;
  /** Loopback address of this "host", e.g. 127.93.41.11. */
  address: string;
  sshPort: number;
  httpPort: number;
  /** The node's Liferay home on the host; the node itself sees it at `remoteHome`. */
  home: string;
  /** Where the node sees its Liferay home: /opt/liferay unless `remoteHome` gave another path. */
  remoteHome: string;
  /** sshd's private host key (public key next to it, `.pub`). */
  hostKeyFile: string;
  /** `SHA256:…` as printed by `ssh-keygen -lf`. */
  hostKeyFingerprint: string;
  /** Real Tomcat nodes only (0 for the sim): AJP connector, shutdown port, session-replication receiver. */
  ajpPort: number;
  shutdownPort: number;
  clusterPort: number;
}

export interface SshResult {
  /** Exit code of the remote command; 255 for ssh errors; -1 when the harness timed the command out. */
  code: number;
  stdout: string;
  stderr: string;
}

export type NodeRef = string | number | ClusterNode;

/** One load-balancer instance in front of the nodes. */
export interface BalancerInfo {
  type: 'haproxy' | 'apache' | 'mod_jk';
  /** Front-end URL users go through. */
  url: string;
  /** What lrroll drives: the HAProxy admin socket, the balancer-manager URL, the jkstatus URL. */
  admin: string;
  /** Backend / balancer / lb worker name ('liferay'). */
  pool: string;
  pid: number;
}

export interface HaproxyInfo {
  /** Admin stats socket (level admin). */
  socket: string;
  /** Frontend URL, e.g. http://127.0.0.1:40123 */
  url: string;
  /** Backend name ('liferay'). */
  backend: string;
  /** Process id of haproxy. */
  pid: number;
}

export interface ServerStat {
  name: string;
  /** 'UP', 'DOWN', 'UP 1/2', 'DOWN 1/2', 'MAINT', 'DRAIN', 'NOLB', … */
  status: string;
  /** Last health check result, e.g. 'L7OK', 'L4CON'. */
  checkStatus: string;
  /** Current sessions. */
  sessions: number;
  /** Weight (0 while draining). */
  weight: number;
}

export interface ClusterProcess {
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22): identity against pid reuse. */
  start: string;
  role: 'sshd' | 'haproxy' | 'apache' | 'sim' | 'other';
  node: string | null;
  command: string;
}

export interface TestCluster {
  dir: string;
  nodes: ClusterNode[];
  sshUser: 'root';
  /** Client private key authorized on every node. */
  identityFile: string;
  /** Host keys of every node (`[addr]:port` form when the port is not 22). */
  knownHostsFile: string;
  /** `Host node1..nodeN` with HostName/Port/User/IdentityFile/UserKnownHostsFile (use with `ssh -F`). */
  sshConfigFile: string;
  /** The first HAProxy instance (also in `balancers`), or null. */
  haproxy: HaproxyInfo | null;
  /** Every load-balancer instance, in order (an HA pair has two of one type). */
  balancers: BalancerInfo[];
  /**
   * Real Tomcat nodes: turns HTTP session replication on or off in every node's server.xml (takes effect at the next
   * start).
   */
  setReplication(on: boolean): void;
  /** Stops one node's app server over SSH (`catalina.sh stop 30 -force`). */
  stopNode(node: NodeRef, options?: { timeoutMs?: number }): Promise<void>;
  /** Runs `command` on a node with the system ssh client (harness key, known_hosts, BatchMode). */
  ssh(node: NodeRef, command: string, options?: { timeoutMs?: number; stdin?: string }): Promise<SshResult>;
  /** Starts every node's app server over SSH; resolves when each answers 200/302 and HAProxy reports all UP. */
  startAll(options?: { timeoutMs?: number }): Promise<void>;
  /** Starts one node's app server over SSH and waits until it answers 200/302 (not for HAProxy). */
  startNode(node: NodeRef, options?: { timeoutMs?: number }): Promise<void>;
  /** Polls the node directly until it answers 200/302. */
  waitHttpReady(node: NodeRef, options?: { timeoutMs?: number }): Promise<void>;
  /** Polls every HAProxy instance until every listed (default: all) server is UP with a passing last check. */
  waitBackendUp(options?: { timeoutMs?: number; servers?: string[] }): Promise<void>;
  /** One HAProxy admin socket command; returns its output. */
  haproxyCommand(command: string): Promise<string>;
  /** `show stat` of the backend, parsed. */
  haproxyServers(): Promise<ServerStat[]>;
  /**
   * What the load balancers logged (HAProxy's servers going DOWN / UP, stamped on arrival; the tail of each
   * Apache's error log, and of mod_jk's own log), for a failed test's message.
   */
  balancerLog(): string;
  /** The node a ref points to (name 'node2', 1-based index 2, or the node object). */
  node(ref: NodeRef): ClusterNode;
  /** Snapshot of every live process belonging to this cluster (sshd, haproxy, sims, ssh sessions). */
  processes(): ClusterProcess[];
  /** Kills everything (sims, sshd, ssh sessions, haproxy) and removes the directory. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  nodes: number;
  /** HAProxy in front: true (or 1) for one instance, 2 for an HA pair (each its own socket and front end). */
  haproxy?: boolean | number;
  /** HAProxy's health-check timing for every server (`default-server …`); default `inter 300ms fall 2 rise 2`. */
  haproxyChecks?: string;
  /** `tomcat`: real Tomcat 10 nodes with the test portal (test/tomcat) instead of the simulator. */
  app?: 'sim' | 'tomcat';
  /** Real Tomcat nodes: HTTP session replication (DeltaManager, static membership) on from the start. */
  replication?: boolean;
  /**
   * Apache httpd in front of real Tomcat nodes: mod_proxy_balancer (`apache`) or mod_jk; `instances` of it (default 1).
   */
  apache?: { kind: 'apache' | 'mod_jk'; instances?: number };
  /** Passed to the sim: how long the app server takes to start / stop. */
  startMs?: number;
  stopMs?: number;
  /** Give the sims a shared cluster directory (`<dir>/cluster`), like Liferay's cluster link. */
  cluster?: boolean;
  /** Use 127.<a>.<b>.11… instead of a random free block (debugging; ports fall back to free ones if taken). */
  addressBlock?: string;
  /** Extra bind mounts in every node's mount namespace (`source` on `target`), e.g. an /etc/passwd with a test user. */
  mounts?: Array<{ source: string; target: string }>;
  /**
   * The login shell's start-up file on the nodes: `plain` (default) gives each node an empty `~/.bashrc` for root,
   * as on a freshly installed server (this machine's own, with pyenv or conda, is not the node's, and would cost
   * every SSH command a fraction of a second of CPU); `machine` keeps this machine's (the benchmarks, comparable with
   * their earlier figures).
   */
  loginFiles?: 'plain' | 'machine';
  /** More makeHome() options for the sim (e.g. patches, responseMs, extra), for every node or per node. */
  sim?: Record<string, unknown> | ((name: string, index: number) => Record<string, unknown>);
  /**
   * Where each node sees its Liferay home (default /opt/liferay), so nodes can differ like hosts
   * installed by different people. Other paths must be under /srv/: each node's namespace gets its
   * own empty /srv (a tmpfs), so nothing is created on this machine.
   */
  remoteHome?: (name: string, index: number) => string;
}

// ---------------------------------------------------------------------------------------------
// Prerequisites

function which(cmd: string): string | null {
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/local/sbin',
    '/usr/local/bin',
    '/usr/sbin',
    '/usr/bin',
    '/sbin',
    '/bin',
  ];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, cmd);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      /* next */
    }
  }
  return null;
}

const SSHD = '/usr/sbin/sshd';

/**
 * The programs the real test cluster needs on this machine, with the Debian package that has each
 * (`essential`: part of every Debian install). The nodes' own commands (health probes, schema reads,
 * the simulated Patching Tool) run `curl` and `unzip`. README.md and `.ci/run` list the same (a test checks).
 */
export const CLUSTER_PREREQUISITES: ReadonlyArray<{ program: string; pkg: string; essential?: boolean }> = [
  { program: 'unshare', pkg: 'util-linux', essential: true },
  { program: 'sshd', pkg: 'openssh-server' },
  { program: 'ssh', pkg: 'openssh-client' },
  { program: 'ssh-keygen', pkg: 'openssh-client' },
  { program: 'haproxy', pkg: 'haproxy' },
  { program: 'socat', pkg: 'socat' },
  { program: 'curl', pkg: 'curl' },
  { program: 'unzip', pkg: 'unzip' },
];

export function clusterSupport(): { ok: boolean; reason: string } {
  if (process.env.LRROLL_TEST_CLUSTER === '0')
    return { ok: false, reason: 'real test cluster disabled by LRROLL_TEST_CLUSTER=0' };
  if (process.platform !== 'linux')
    return { ok: false, reason: `needs Linux (mount namespaces, 127.0.0.0/8 loopback); this is ${process.platform}` };
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (uid 0)');
  for (const p of CLUSTER_PREREQUISITES) {
    const found = p.program === 'sshd' ? existsSync(SSHD) : which(p.program) !== null;
    if (!found) missing.push(`${p.program === 'sshd' ? SSHD : p.program} (${p.pkg})`);
  }
  if (missing.length) return { ok: false, reason: `real test cluster unavailable, missing: ${missing.join(', ')}` };
  // A private mount namespace with a bind mount in it, exactly what every node needs.
  const probe = spawnSync(
    which('unshare') as string,
    ['-m', '--propagation', 'private', '/bin/sh', '-c', 'mount --bind "$1" "$1"', 'probe', tmpdir()],
    { encoding: 'utf8', timeout: 10_000 },
  );
  if (probe.status !== 0) {
    return {
      ok: false,
      reason:
        `real test cluster unavailable: a bind mount in a private mount namespace (\`unshare -m\`) ` +
        `fails (${(probe.stderr || probe.error?.message || `exit ${probe.status}`).trim()}` +
        `); needs CAP_SYS_ADMIN`,
    };
  }
  return {
    ok: true,
    reason: `root, CAP_SYS_ADMIN and ${CLUSTER_PREREQUISITES.map((p) => p.program).join(', ')} are available`,
  };
}

/**
 * clusterSupport() plus real Tomcat nodes (tomcat10, java) and, when asked, Apache with mod_proxy_balancer or mod_jk.
 */
export function tomcatClusterSupport(apache?: 'apache' | 'mod_jk'): { ok: boolean; reason: string } {
  const base = clusterSupport();
  if (!base.ok) return base;
  const missing = [...(tomcatMissing() ?? [])];
  if (!which('java')) missing.push('java (default-jre-headless)');
  const a = apache ? apacheMissing(apache) : null;
  if (a) missing.push(a);
  if (missing.length)
    return { ok: false, reason: `real Tomcat test cluster unavailable, missing: ${missing.join(', ')}` };
  return {
    ok: true,
    reason:
      `${base.reason}; tomcat10, java` +
      `${apache ? ` and apache2 (${apache === 'apache' ? 'mod_proxy_balancer' : 'mod_jk'})` : ''} too`,
  };
}

// ---------------------------------------------------------------------------------------------
// Small process / network helpers (exported: tests use them too)

function procStat(pid: number): { state: string; start: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '?', start: rest[19] ?? '' };
  } catch {
    return null;
  }
}

/** The pids listed in /proc (as its entry names), or none when /proc cannot be read. */
function procPids(): string[] {
  try {
    return readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
}

/** Live (not zombie) processes of a process group: httpd's children once the parent is gone. */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of procPids()) {
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[2]) === pgid && rest[0] !== 'Z' && rest[0] !== 'X') out.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return out;
}

/**
 * True if the process exists and is not a zombie (PID 1 here may never reap orphans); with `start`, also that it is the
 * same process.
 */
export function processAlive(pid: number, start?: string): boolean {
  const s = procStat(pid);
  return !!s && s.state !== 'Z' && s.state !== 'X' && (start === undefined || s.start === start);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function listen(host: string, port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(null));
    srv.listen({ host, port, exclusive: true }, () => {
      const addr = srv.address();
      const p = typeof addr === 'object' && addr ? addr.port : null;
      srv.close(() => resolve(p));
    });
  });
}

export async function canBind(host: string, port: number): Promise<boolean> {
  return (await listen(host, port)) !== null;
}

export async function freePort(host: string): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const p = await listen(host, 0);
    if (p) return p;
  }
  throw new Error(`no free TCP port on ${host}`);
}

function assertLoopback(host: string): void {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) throw new Error(`refusing non-loopback address ${host}`);
}

/** One HTTP GET (no keep-alive); resolves with the status, or the error message. */
function httpStatus(
  host: string,
  port: number,
  path: string,
  timeoutMs: number,
): Promise<{ status?: number; error?: string }> {
  assertLoopback(host);
  return new Promise((resolve) => {
    const req = http.get(
      { host, port, path, agent: false, timeout: timeoutMs, headers: { connection: 'close' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode }));
        res.on('error', (e) => resolve({ error: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ error: e.message }));
  });
}

/** Sends one command to an HAProxy admin socket and returns the whole answer. */
export function haproxyCommand(socket: string, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const conn = net.createConnection({ path: socket });
    const timer = setTimeout(
      () => conn.destroy(new Error(`haproxy admin socket: no answer to "${command}" within ${timeoutMs} ms`)),
      timeoutMs,
    );
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(`${command}\n`));
    conn.on('data', (d: string) => (out += d));
    conn.on('end', () => {
      clearTimeout(timer);
      resolve(out);
    });
    conn.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Parses `show stat` CSV into the servers of `backend`. */
export function parseShowStat(csv: string, backend: string): ServerStat[] {
  const lines = csv.split('\n').filter((l) => l.trim());
  const header = lines.find((l) => l.startsWith('# '));
  if (!header) throw new Error(`unexpected "show stat" output: ${csv.slice(0, 200)}`);
  const cols = header.slice(2).split(',');
  const col = (name: string) => cols.indexOf(name);
  const [px, sv, st, chk, scur, weight] = ['pxname', 'svname', 'status', 'check_status', 'scur', 'weight'].map(col) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return lines
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.split(','))
    .filter((f) => f[px] === backend && f[sv] !== 'FRONTEND' && f[sv] !== 'BACKEND')
    .map((f) => ({
      name: f[sv] ?? '',
      status: f[st] ?? '',
      checkStatus: (f[chk] ?? '').replace(/^\* /, ''),
      sessions: Number(f[scur] ?? 0),
      weight: Number(f[weight] ?? 0),
    }));
}

// ---------------------------------------------------------------------------------------------
// Cleanup registry: every live cluster is killed on process exit, whatever happened.

interface Killable {
  killSync(): void;
}
const live = new Set<Killable>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of live) {
      try {
        c.killSync();
      } catch {
        /* best effort */
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------

interface NodeState extends ClusterNode {
  dir: string;
  sshdConfig: string;
  sshd: ChildProcess | null;
  sshdLog: string[];
  mntNs: string | null;
  homeDev: number;
  homeIno: number;
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}`);
  return r.stdout;
}

function keygen(file: string, comment: string): void {
  run(which('ssh-keygen') as string, ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

function fingerprint(pubFile: string): string {
  const out = run(which('ssh-keygen') as string, ['-l', '-E', 'sha256', '-f', pubFile]);
  const m = /(SHA256:\S+)/.exec(out);
  if (!m) throw new Error(`cannot read fingerprint of ${pubFile}: ${out}`);
  return m[1] as string;
}

function appendLog(buf: string[], chunk: string): void {
  for (const line of chunk.split('\n')) if (line) buf.push(line);
  if (buf.length > 400) buf.splice(0, buf.length - 400);
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(none)';
  }
}

/** Picks a random 127.a.b.0 block whose node addresses have ports 22 and 8080 free. */
async function pickAddresses(count: number, block?: string): Promise<string[]> {
  if (block !== undefined) {
    if (!/^127\.\d{1,3}\.\d{1,3}$/.test(block) || block.split('.').some((o) => Number(o) > 255))
      throw new Error(`addressBlock must look like 127.a.b, got ${block}`);
    return Array.from({ length: count }, (_, i) => `${block}.${11 + i}`);
  }
  let addrs: string[] = [];
  for (let attempt = 0; attempt < 30; attempt++) {
    const a = 64 + Math.floor(Math.random() * 186);
    const b = Math.floor(Math.random() * 256);
    addrs = Array.from({ length: count }, (_, i) => `127.${a}.${b}.${11 + i}`);
    const free = await Promise.all(addrs.flatMap((ad) => [canBind(ad, 22), canBind(ad, 8080)]));
    if (free.every(Boolean)) return addrs;
  }
  return addrs; // ports fall back to free ones per node
}

/** Checks a node's remote home: /opt/liferay, or an absolute path under /srv/ of plain characters. */
function checkRemoteHome(path: string): string {
  if (path === REMOTE_HOME) return path;
  if (!/^\/srv\/[A-Za-z0-9._/-]+$/.test(path) || path.split('/').includes('..'))
    throw new Error(`remoteHome must be ${REMOTE_HOME} or a plain path under /srv/, got ${path}`);
  return path;
}

/**
 * Shell lines (args: home, remote home) that bind-mount the home where the node sees it; under /srv a private tmpfs
 * holds the mount point.
 */
const MOUNT_HOME =
  'case "$2" in /srv/*) mount -t tmpfs lrroll-srv /srv && mkdir -p "$2" || exit 1;; esac; mount --bind "$1" "$2"';

/**
 * Creates a node's Liferay home with the sim's makeHome(), run *inside* a throwaway mount
 * namespace where `home` is bind-mounted on /opt/liferay: the sim bakes absolute paths into
 * catalina.sh, portal-ext.properties, … and they must be the paths the node sees (/opt/liferay),
 * like on a real host, not the harness's temp dir.
 */
function makeNodeHome(
  home: string,
  remoteHome: string,
  options: Record<string, unknown>,
  timeoutMs = 30_000,
): Promise<void> {
  const file = SIM_MAKE_HOME;
  if (!existsSync(file)) return Promise.reject(new Error(`the node simulator is missing: ${file}`));
  // Module and options go through the environment: make-home.mjs looks at process.argv[1] to
  // decide whether it runs as a command.
  const js = [
    'const mod = await import(process.env.LRROLL_MAKE_HOME_MODULE);',
    'const makeHome = mod.makeHome ?? mod.default;',
    "if (typeof makeHome !== 'function') throw new Error(process.env.LRROLL_MAKE_HOME_MODULE + ' does " +
      "not export makeHome()');",
    'await makeHome(JSON.parse(process.env.LRROLL_MAKE_HOME_OPTIONS));',
  ].join('\n');
  const script = `${MOUNT_HOME} && shift 2 && exec "$@"`;
  const args = [
    '-m',
    '--propagation',
    'private',
    '/bin/sh',
    '-c',
    script,
    'lrroll-make-home',
    home,
    remoteHome,
    process.execPath,
    '--input-type=module',
    '-e',
    js,
  ];
  const env = {
    ...process.env,
    LRROLL_MAKE_HOME_MODULE: pathToFileURL(file).href,
    LRROLL_MAKE_HOME_OPTIONS: JSON.stringify({ ...options, home: remoteHome }),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(which('unshare') as string, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(
          new Error(`makeHome for ${String(options.node)} failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`),
        );
    });
  });
}

/** An empty `/root/.bashrc` in each node's namespace for a `plain` login (see StartOptions.loginFiles). */
function loginMounts(dir: string, files: 'plain' | 'machine'): Array<{ source: string; target: string }> {
  const rc = '/root/.bashrc';
  if (files === 'machine' || !existsSync(rc)) return [];
  const empty = join(dir, 'plain-bashrc');
  if (!existsSync(empty)) writeFileSync(empty, '');
  return [{ source: empty, target: rc }];
}

function sshdConfigText(n: NodeState, dir: string): string {
  return [
    `# lrroll test cluster: sshd for ${n.name}, started in its own mount namespace (${n.remoteHome} = ${n.home})`,
    `ListenAddress ${n.address}:${n.sshPort}`,
    'AddressFamily inet',
    `HostKey ${n.hostKeyFile}`,
    `PidFile ${join(n.dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'X11Forwarding no',
    'LoginGraceTime 30',
    'MaxStartups 100:30:200',
    'MaxSessions 50',
    'Subsystem sftp internal-sftp',
    // Like a real host where java is on the PATH: here the "JVM" is this node binary.
    `SetEnv PATH=${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    'LogLevel INFO',
    '',
  ].join('\n');
}

function startSshd(
  n: NodeState,
  mounts: ReadonlyArray<{ source: string; target: string }> = [],
  timeoutMs = 15_000,
): Promise<{ ok: true } | { ok: false; bindFailed: boolean; message: string }> {
  return new Promise((resolve) => {
    // The home first (on its remote path), then every further pair of arguments before the last two is a bind mount,
    // then sshd and its config.
    const script =
      `${MOUNT_HOME} || exit 1; shift 2; while [ "$#" -gt 2 ]; do ` +
      `mount --bind "$1" "$2" || exit 1; shift 2; done; exec "$1" -D -e -f "$2"`;
    const binds = [n.home, n.remoteHome, ...mounts.flatMap((m) => [m.source, m.target])];
    const child = spawn(
      which('unshare') as string,
      ['-m', '--propagation', 'private', '/bin/sh', '-c', script, 'lrroll-sshd', ...binds, SSHD, n.sshdConfig],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    n.sshd = child;
    n.sshdLog = [];
    let settled = false;
    const done = (r: { ok: true } | { ok: false; bindFailed: boolean; message: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(
      () =>
        done({
          ok: false,
          bindFailed: false,
          message: `sshd for ${n.name} not listening after ${timeoutMs} ms:\n${n.sshdLog.join('\n')}`,
        }),
      timeoutMs,
    );
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      appendLog(n.sshdLog, d);
      if (/Server listening on /.test(d)) done({ ok: true });
    });
    child.on('error', (e) =>
      done({ ok: false, bindFailed: false, message: `cannot start sshd for ${n.name}: ${e.message}` }),
    );
    child.on('exit', (code, signal) => {
      const log = n.sshdLog.join('\n');
      done({
        ok: false,
        bindFailed: /Bind to port|Cannot bind any address|Address already in use/.test(log),
        message: `sshd for ${n.name} exited (${signal ?? code}):\n${log}`,
      });
    });
    child.unref();
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  });
}

function startHaproxy(
  dir: string,
  cfg: string,
  socket: string,
  port: number,
  log: string[],
  timeoutMs = 15_000,
): Promise<{ child: ChildProcess; error?: string; bindFailed?: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(which('haproxy') as string, ['-f', cfg, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let settled = false;
    const done = (r: { error?: string; bindFailed?: boolean }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ child, ...r });
    };
    const timer = setTimeout(
      () => done({ error: `haproxy not ready after ${timeoutMs} ms:\n${log.join('\n')}` }),
      timeoutMs,
    );
    for (const s of [child.stdout, child.stderr]) {
      s?.setEncoding('utf8');
      // Stamped on arrival: HAProxy's own lines (a server going DOWN or UP) carry no time.
      s?.on('data', (d: string) =>
        appendLog(
          log,
          d
            .split('\n')
            .filter(Boolean)
            .map((line) => `${new Date().toISOString()} ${line}`)
            .join('\n'),
        ),
      );
      (s as unknown as { unref?: () => void } | null)?.unref?.();
    }
    child.on('error', (e) => done({ error: `cannot start haproxy: ${e.message}` }));
    child.on('exit', (code, signal) => {
      const text = log.join('\n');
      done({
        error: `haproxy exited (${signal ?? code}):\n${text}`,
        bindFailed: /cannot bind|Address already in use/i.test(text),
      });
    });
    child.unref();
    void (async () => {
      while (!settled) {
        try {
          const info = await haproxyCommand(socket, 'show info', 2000);
          if (/^Name: HAProxy/m.test(info) && (await canConnect('127.0.0.1', port))) return done({});
        } catch {
          /* not yet */
        }
        await sleep(50);
      }
    })();
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection({ host, port });
    s.setTimeout(2000, () => s.destroy());
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.on('close', () => resolve(false));
  });
}

/** Mount-namespace members of a node: processes whose remote home *is* this node's home. */
function namespaceMembers(nodes: NodeState[]): Array<{ pid: number; node: NodeState }> {
  const withNs = nodes.filter((n) => n.mntNs);
  if (!withNs.length) return [];
  let self = '';
  try {
    self = readlinkSync('/proc/self/ns/mnt');
  } catch {
    /* ignore */
  }
  const out: Array<{ pid: number; node: NodeState }> = [];
  for (const name of procPids()) {
    let ns: string;
    try {
      ns = readlinkSync(`/proc/${name}/ns/mnt`);
    } catch {
      continue;
    }
    if (ns === self) continue;
    const node = withNs.find((n) => n.mntNs === ns);
    if (!node) continue;
    try {
      const st = statSync(`/proc/${name}/root${node.remoteHome}`);
      if (st.dev === node.homeDev && st.ino === node.homeIno) out.push({ pid: Number(name), node });
    } catch {
      /* gone or zombie */
    }
  }
  return out;
}

/** The fields of a node tests see. */
function publicNode(n: NodeState): ClusterNode {
  const {
    name,
    address,
    sshPort,
    httpPort,
    home,
    remoteHome,
    hostKeyFile,
    hostKeyFingerprint,
    ajpPort,
    shutdownPort,
    clusterPort,
  } = n;
  return {
    name,
    address,
    sshPort,
    httpPort,
    home,
    remoteHome,
    hostKeyFile,
    hostKeyFingerprint,
    ajpPort,
    shutdownPort,
    clusterPort,
  };
}

/** Like Promise.all, but waits for every promise to settle first (nothing keeps starting after a failure). */
async function allOrFirstError<T>(promises: Array<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

export async function startTestCluster(options: StartOptions): Promise<TestCluster> {
  const support = options.app === 'tomcat' ? tomcatClusterSupport(options.apache?.kind) : clusterSupport();
  if (!support.ok) throw new Error(support.reason);
  const count = options.nodes;
  if (!Number.isInteger(count) || count < 1 || count > 50) throw new Error(`nodes must be 1..50, got ${count}`);

  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), 'lrroll-cluster-'));
  const stateFile = join(dir, 'reaper-state.json');
  const nodes: NodeState[] = [];
  const inflight = new Set<ChildProcess>();
  const haproxyChildren: ChildProcess[] = [];
  let haproxy: HaproxyInfo | null = null;
  const haproxyLog: string[] = [];
  const apaches: ApacheInstance[] = [];
  const balancers: BalancerInfo[] = [];
  let reaper: ChildProcess | null = null;
  let stopping: Promise<void> | null = null;

  const tracked = (): Array<{ pid: number; start: string }> => {
    const out: Array<{ pid: number; start: string }> = [];
    for (const c of [...nodes.map((n) => n.sshd), ...haproxyChildren, ...apaches.map((a) => a.child)]) {
      if (c?.pid && c.exitCode === null && c.signalCode === null) {
        const s = procStat(c.pid);
        if (s) out.push({ pid: c.pid, start: s.start });
      }
    }
    return out;
  };
  const writeState = () => {
    try {
      const tmp = `${stateFile}.tmp`;
      // `groups`: httpd's process groups (its children outlive a killed parent).
      writeFileSync(
        tmp,
        JSON.stringify({
          dir,
          pids: tracked(),
          groups: apaches.map((a) => a.pid),
          nodes: nodes.map((n) => ({
            name: n.name,
            mntNs: n.mntNs,
            homeDev: n.homeDev,
            homeIno: n.homeIno,
            remoteHome: n.remoteHome,
          })),
        }),
      );
      renameSync(tmp, stateFile);
    } catch {
      /* dir already removed */
    }
  };

  const killAllSync = () => {
    for (const c of [...inflight, ...nodes.map((n) => n.sshd), ...haproxyChildren]) {
      if (c?.pid && c.exitCode === null && c.signalCode === null) {
        try {
          c.kill('SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    for (const a of apaches) killGroup(a.child);
    for (const { pid } of namespaceMembers(nodes)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  const killable: Killable = {
    killSync() {
      killAllSync();
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    },
  };
  live.add(killable);

  const doStop = async () => {
    const children = [
      ...inflight,
      ...nodes.map((n) => n.sshd),
      ...haproxyChildren,
      ...apaches.map((a) => a.child),
    ].filter((c): c is ChildProcess => !!c);
    const exited = Promise.all(
      children.map((c) =>
        c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r)),
      ),
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      killAllSync();
      await sleep(25);
      const left = [
        ...namespaceMembers(nodes).filter((m) => processAlive(m.pid)),
        ...apaches.flatMap((a) => groupMembers(a.pid).map((pid) => ({ pid }))),
      ];
      const childLeft = children.filter((c) => c.exitCode === null && c.signalCode === null);
      if (!left.length && !childLeft.length) break;
      if (Date.now() > deadline) {
        process.stderr.write(
          `[test cluster] stop(): still alive after 10 s: ` +
            `${[...left.map((m) => m.pid), ...childLeft.map((c) => c.pid)].join(', ')}\n`,
        );
        break;
      }
    }
    await Promise.race([exited, sleep(2000)]);
    for (let i = 0; i < 5; i++) {
      try {
        rmSync(dir, { recursive: true, force: true });
        break;
      } catch {
        await sleep(100);
      }
    }
    if (reaper?.pid && reaper.exitCode === null) {
      try {
        reaper.kill('SIGTERM');
      } catch {
        /* gone */
      }
    }
    live.delete(killable);
  };
  const stop = () => (stopping ??= doStop());

  const resolveNode = (ref: NodeRef): NodeState => {
    const n =
      typeof ref === 'number'
        ? nodes[ref - 1]
        : typeof ref === 'string'
          ? nodes.find((x) => x.name === ref || x.address === ref)
          : nodes.find((x) => x.name === ref.name);
    if (!n) throw new Error(`no such node: ${typeof ref === 'object' ? ref.name : ref}`);
    return n;
  };

  try {
    // Watchdog first: from here on, even a SIGKILL of this process cleans up.
    writeState();
    const self = procStat(process.pid);
    reaper = spawn(process.execPath, [REAPER, String(process.pid), self?.start ?? '', stateFile], {
      detached: true,
      stdio: 'ignore',
    });
    reaper.on('error', () => {});
    reaper.unref();

    if (!existsSync(REMOTE_HOME)) mkdirSync(REMOTE_HOME, { recursive: true });
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

    const identityFile = join(dir, 'id_ed25519');
    keygen(identityFile, 'lrroll-test-cluster-client');
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${identityFile}.pub`, 'utf8'));

    const clusterDir = options.cluster ? join(dir, 'cluster') : undefined;
    const tomcat = options.app === 'tomcat';
    const ajpSecret = `lrroll-test-${Math.random().toString(36).slice(2, 12)}`;
    const tomcatOptions = (n: NodeState, replication: boolean) => ({
      home: n.home,
      seenAs: n.remoteHome,
      node: n.name,
      host: n.address,
      httpPort: n.httpPort,
      ajpPort: n.ajpPort,
      shutdownPort: n.shutdownPort,
      clusterPort: n.clusterPort,
      members: nodes.map((m) => ({ node: m.name, host: m.address, clusterPort: m.clusterPort })),
      replication,
      ajpSecret,
    });
    if (clusterDir) mkdirSync(clusterDir, { recursive: true });

    const addresses = await pickAddresses(count, options.addressBlock);
    for (let i = 1; i <= count; i++) {
      const name = `node${i}`;
      const address = addresses[i - 1] as string;
      const ndir = join(dir, name);
      const home = join(ndir, 'liferay');
      mkdirSync(home, { recursive: true });
      const httpPort = (await canBind(address, 8080)) ? 8080 : await freePort(address);
      const sshPort = (await canBind(address, 22)) ? 22 : await freePort(address);
      // Tomcat's usual ports on the node's own address, like separate hosts (a free one if taken).
      const port = async (usual: number): Promise<number> =>
        tomcat ? ((await canBind(address, usual)) ? usual : await freePort(address)) : 0;
      const [ajpPort, shutdownPort, clusterPort] = [await port(8009), await port(8005), await port(4000)];
      const hostKeyFile = join(ndir, 'ssh_host_ed25519_key');
      keygen(hostKeyFile, `${name}-host-key`);
      const st = statSync(home);
      const n: NodeState = {
        name,
        address,
        sshPort,
        httpPort,
        home,
        remoteHome: checkRemoteHome(options.remoteHome?.(name, i) ?? REMOTE_HOME),
        hostKeyFile,
        hostKeyFingerprint: fingerprint(`${hostKeyFile}.pub`),
        ajpPort,
        shutdownPort,
        clusterPort,
        dir: ndir,
        sshdConfig: join(ndir, 'sshd_config'),
        sshd: null,
        sshdLog: [],
        mntNs: null,
        homeDev: st.dev,
        homeIno: st.ino,
      };
      nodes.push(n);
    }

    // Per node (in parallel): the Liferay home, then sshd in its own mount namespace with that
    // home on /opt/liferay.
    const ownNs = readlinkSync('/proc/self/ns/mnt');
    await allOrFirstError(
      nodes.map(async (n, index) => {
        const extra = typeof options.sim === 'function' ? options.sim(n.name, index + 1) : (options.sim ?? {});
        // A Tomcat home bakes only the paths the node sees (seenAs), so it is written from here.
        if (tomcat) makeTomcatHome(tomcatOptions(n, options.replication === true));
        else
          await makeNodeHome(n.home, n.remoteHome, {
            ...extra,
            node: n.name,
            host: n.address,
            httpPort: n.httpPort,
            ...(options.startMs !== undefined ? { startMs: options.startMs } : {}),
            ...(options.stopMs !== undefined ? { stopMs: options.stopMs } : {}),
            ...(clusterDir ? { clusterDir } : {}),
          });
        for (let attempt = 1; ; attempt++) {
          writeFileSync(n.sshdConfig, sshdConfigText(n, dir));
          const r = await startSshd(n, [...loginMounts(dir, options.loginFiles ?? 'plain'), ...(options.mounts ?? [])]);
          if (r.ok) break;
          if (!r.bindFailed || attempt >= 3) throw new Error(r.message);
          n.sshPort = await freePort(n.address);
        }
        const pid = n.sshd?.pid as number;
        n.mntNs = readlinkSync(`/proc/${pid}/ns/mnt`);
        if (n.mntNs === ownNs) throw new Error(`sshd for ${n.name} is not in its own mount namespace`);
        const seen = statSync(`/proc/${pid}/root${n.remoteHome}`);
        if (seen.dev !== n.homeDev || seen.ino !== n.homeIno)
          throw new Error(`sshd for ${n.name} does not see its home on ${n.remoteHome}`);
        writeState();
      }),
    );

    const knownHostsFile = join(dir, 'known_hosts');
    writeFileSync(
      knownHostsFile,
      nodes
        .map((n) => {
          const [type, key] = readFileSync(`${n.hostKeyFile}.pub`, 'utf8').trim().split(/\s+/);
          return `${n.sshPort === 22 ? n.address : `[${n.address}]:${n.sshPort}`} ${type} ${key}`;
        })
        .join('\n') + '\n',
    );
    const sshConfigFile = join(dir, 'ssh_config');
    writeFileSync(
      sshConfigFile,
      nodes
        .map((n) =>
          [
            `Host ${n.name}`,
            `  HostName ${n.address}`,
            `  Port ${n.sshPort}`,
            '  User root',
            `  IdentityFile ${identityFile}`,
            '  IdentitiesOnly yes',
            `  UserKnownHostsFile ${knownHostsFile}`,
            '  GlobalKnownHostsFile /dev/null',
            '  StrictHostKeyChecking yes',
            '  UpdateHostKeys no',
            '  BatchMode yes',
            '  ConnectTimeout 10',
            '  ControlMaster no',
            '  ControlPath none',
            '  LogLevel ERROR',
            '',
          ].join('\n'),
        )
        .join('\n'),
    );

    const haproxyCount = options.haproxy === true ? 1 : typeof options.haproxy === 'number' ? options.haproxy : 0;
    for (let i = 1; i <= haproxyCount; i++) {
      // The first instance keeps the historical names (haproxy.cfg, admin.sock).
      const cfg = join(dir, i === 1 ? 'haproxy.cfg' : `haproxy${i}.cfg`);
      const socket = join(dir, i === 1 ? 'admin.sock' : `admin${i}.sock`);
      for (let attempt = 1; ; attempt++) {
        const port = await freePort('127.0.0.1');
        writeFileSync(cfg, haproxyConfig({ socket, port, nodes, checks: options.haproxyChecks }));
        const r = await startHaproxy(dir, cfg, socket, port, haproxyLog);
        haproxyChildren.push(r.child);
        writeState();
        if (!r.error) {
          const info = { socket, url: `http://127.0.0.1:${port}`, backend: 'liferay', pid: r.child.pid as number };
          haproxy ??= info;
          balancers.push({ type: 'haproxy', url: info.url, admin: socket, pool: 'liferay', pid: info.pid });
          break;
        }
        if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
        if (!r.bindFailed || attempt >= 3) throw new Error(r.error);
      }
    }
    for (let i = 1; i <= (options.apache?.instances ?? (options.apache ? 1 : 0)); i++) {
      const kind = options.apache?.kind ?? 'apache';
      if (!tomcat && kind === 'mod_jk')
        throw new Error('mod_jk needs real Tomcat nodes (app: tomcat): the simulator has no AJP connector');
      const a = await startApache(
        kind,
        join(dir, `${kind}${i}`),
        '127.0.0.1',
        await freePort('127.0.0.1'),
        nodes,
        ajpSecret,
      );
      apaches.push(a);
      writeState();
      balancers.push({ type: kind, url: a.url, admin: a.adminUrl, pool: a.pool, pid: a.pid });
    }

    const sshBin = which('ssh') as string;
    const env = { ...process.env };
    delete env.SSH_AUTH_SOCK;

    const ssh: TestCluster['ssh'] = (ref, command, opts = {}) => {
      const n = resolveNode(ref);
      const timeoutMs = opts.timeoutMs ?? 60_000;
      return new Promise((resolve) => {
        if (stopping) return resolve({ code: 255, stdout: '', stderr: '[test cluster] stopped' });
        // curve25519 key exchange: the default (sntrup761) costs noticeable CPU per connection on a busy 2-core CI.
        const child = spawn(
          sshBin,
          [
            '-F',
            sshConfigFile,
            '-o',
            'KexAlgorithms=curve25519-sha256,curve25519-sha256@libssh.org',
            '--',
            n.name,
            command,
          ],
          { stdio: [opts.stdin !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'], env },
        );
        inflight.add(child);
        let stdout = '';
        let stderr = '';
        let timedOut = false;
        let settled = false;
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, timeoutMs);
        child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
        const finish = (code: number, extra = '') => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          inflight.delete(child);
          resolve({ code, stdout, stderr: stderr + extra });
        };
        child.on('error', (e) => finish(255, `[test cluster] cannot run ssh: ${e.message}`));
        child.on('close', (code, signal) => {
          if (timedOut)
            finish(-1, `\n[test cluster] ssh ${n.name} ${JSON.stringify(command)} timed out after ${timeoutMs} ms`);
          else finish(code ?? 255, signal ? `\n[test cluster] ssh killed by ${signal}` : '');
        });
      });
    };

    const waitHttpReady: TestCluster['waitHttpReady'] = async (ref, opts = {}) => {
      const n = resolveNode(ref);
      const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
      let last = '';
      while (Date.now() < deadline) {
        if (stopping) throw new Error('test cluster stopped');
        const r = await httpStatus(n.address, n.httpPort, '/c/portal/layout', 2000);
        if (r.status === 200 || r.status === 302) return;
        last = r.status !== undefined ? `HTTP ${r.status}` : (r.error ?? '?');
        await sleep(100);
      }
      throw new Error(
        `${n.name} (${n.address}:${n.httpPort}) not ready: last answer ${last}` +
          `\n--- catalina.out ---\n${tail(join(n.home, `${tomcatDirOf(n.home)}/logs/catalina.out`))}`,
      );
    };

    const hapCommand = async (command: string): Promise<string> => {
      if (!haproxy) throw new Error('this test cluster has no HAProxy');
      return haproxyCommand(haproxy.socket, command);
    };
    const haproxyServers = async () => parseShowStat(await hapCommand('show stat'), 'liferay');

    const waitBackendUp: TestCluster['waitBackendUp'] = async (opts = {}) => {
      if (!haproxy) return;
      const want = opts.servers ?? nodes.map((n) => n.name);
      const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
      let last: ServerStat[] = [];
      for (const b of balancers.filter((x) => x.type === 'haproxy')) {
        for (;;) {
          if (stopping) throw new Error('test cluster stopped');
          last = parseShowStat(await haproxyCommand(b.admin, 'show stat'), 'liferay');
          if (
            want.every((w) => last.some((s) => s.name === w && s.status === 'UP' && s.checkStatus.startsWith('L7OK')))
          )
            break;
          if (Date.now() > deadline)
            throw new Error(
              `HAProxy ${b.admin}: servers not all UP: ` +
                `${last.map((s) => `${s.name}=${s.status}/${s.checkStatus}`).join(', ')}`,
            );
          await sleep(100);
        }
      }
    };

    const startNode: TestCluster['startNode'] = async (ref, opts = {}) => {
      const n = resolveNode(ref);
      const timeoutMs = opts.timeoutMs ?? 60_000;
      const r = await ssh(n, `${n.remoteHome}/${tomcatDirOf(n.home)}/bin/catalina.sh start`, {
        timeoutMs: Math.min(timeoutMs, 30_000),
      });
      if (r.code !== 0)
        throw new Error(`catalina.sh start on ${n.name} failed (exit ${r.code}): ${r.stderr}${r.stdout}`);
      await waitHttpReady(n, { timeoutMs });
    };

    const stopNode: TestCluster['stopNode'] = async (ref, opts = {}) => {
      const n = resolveNode(ref);
      const r = await ssh(n, `${n.remoteHome}/${tomcatDirOf(n.home)}/bin/catalina.sh stop 30 -force`, {
        timeoutMs: opts.timeoutMs ?? 60_000,
      });
      if (r.code !== 0)
        throw new Error(`catalina.sh stop on ${n.name} failed (exit ${r.code}): ${r.stderr}${r.stdout}`);
    };

    const setReplication: TestCluster['setReplication'] = (on) => {
      if (!tomcat) throw new Error('session replication needs real Tomcat nodes (app: tomcat)');
      for (const n of nodes) writeServerXml(tomcatOptions(n, on));
    };

    const startAll: TestCluster['startAll'] = async (opts = {}) => {
      const timeoutMs = opts.timeoutMs ?? 60_000;
      const t0 = Date.now();
      await allOrFirstError(nodes.map((n) => startNode(n, { timeoutMs })));
      await waitBackendUp({ timeoutMs: Math.max(5_000, timeoutMs - (Date.now() - t0)) });
    };

    const processes = (): ClusterProcess[] => {
      const out = new Map<number, ClusterProcess>();
      const add = (pid: number, role: ClusterProcess['role'], node: string | null) => {
        const s = procStat(pid);
        if (!s || s.state === 'Z' || out.has(pid)) return;
        out.set(pid, { pid, start: s.start, role, node, command: cmdline(pid) });
      };
      for (const n of nodes)
        if (n.sshd?.pid && n.sshd.exitCode === null && n.sshd.signalCode === null) add(n.sshd.pid, 'sshd', n.name);
      for (const h of haproxyChildren)
        if (h.pid && h.exitCode === null && h.signalCode === null) add(h.pid, 'haproxy', null);
      for (const a of apaches) for (const pid of groupMembers(a.pid)) add(pid, 'apache', null);
      const simPids = new Set<number>();
      for (const n of nodes) {
        try {
          simPids.add(Number(readFileSync(join(n.home, 'liferay.pid'), 'utf8').trim()));
        } catch {
          /* not running */
        }
      }
      for (const { pid, node } of namespaceMembers(nodes)) {
        const cmd = cmdline(pid);
        add(pid, simPids.has(pid) ? 'sim' : /sshd/.test(cmd) ? 'sshd' : 'other', node.name);
      }
      return [...out.values()];
    };

    return {
      dir,
      nodes: nodes.map(publicNode),
      sshUser: 'root',
      identityFile,
      knownHostsFile,
      sshConfigFile,
      haproxy,
      ssh,
      startAll,
      startNode,
      waitHttpReady,
      waitBackendUp,
      haproxyCommand: hapCommand,
      haproxyServers,
      balancerLog: () =>
        [
          ...(haproxyLog.length ? ['--- HAProxy ---', ...haproxyLog] : []),
          ...apaches.flatMap((a) =>
            (a.kind === 'mod_jk' ? ['error.log', 'mod_jk.log'] : ['error.log']).flatMap((log) => [
              `--- ${a.kind} ${a.url} ${log} ---`,
              tail(join(a.dir, log), 40),
            ]),
          ),
        ].join('\n'),
      node: (ref) => publicNode(resolveNode(ref)),
      balancers,
      setReplication,
      stopNode,
      processes,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
