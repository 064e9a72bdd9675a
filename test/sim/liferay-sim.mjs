#!/usr/bin/env node
// A simulated Tomcat + Liferay DXP 7.2 node for lrroll's end-to-end tests (no Java needed).
//
//   node liferay-sim.mjs --home <liferay home made by make-home.mjs>
//
// Normally started by <home>/tomcat/bin/catalina.sh (stdout → tomcat/logs/catalina.out).
// Reads <home>/sim.json; see test/sim/README.md for the contract (log lines, HTTP, cluster).
// Plain Node.js, no dependencies; reads bundle manifests with `unzip -p`.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { portalAdmin } from './portal-admin.mjs';

const T0 = Date.now();
const TOMCAT_VERSION = '9.0.83';

// ---------------------------------------------------------------------------------------------
// Arguments and configuration

function argValue(name) {
  const i = process.argv.indexOf(name);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`${name}=`));
  return eq ? eq.slice(name.length + 1) : undefined;
}

const HOME = argValue('--home');
if (!HOME) {
  process.stderr.write('usage: node liferay-sim.mjs --home <liferay home>\n');
  process.exit(2);
}
const SIM_JSON = join(HOME, 'sim.json');
let cfg;
try {
  cfg = JSON.parse(readFileSync(SIM_JSON, 'utf8'));
} catch (err) {
  process.stderr.write(`lrroll-sim: cannot read ${SIM_JSON}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
const NODE = String(cfg.node ?? 'node');
const HOST = String(cfg.host ?? '127.0.0.1');
const PORT = Number(cfg.httpPort ?? 8080);
const START_MS = Number(cfg.startMs ?? 1500);
const STOP_MS = Number(cfg.stopMs ?? 400);
const RESPONSE_MS = Number(cfg.responseMs ?? 0);
const DEPLOY_INTERVAL_MS = Number(cfg.deployIntervalMs ?? 500);
const MAX_LIFETIME_MS = Number(cfg.maxLifetimeMs ?? 0);
const CLUSTER_DIR = cfg.clusterDir ? String(cfg.clusterDir) : null;
const CLUSTER_JOIN_MS = Number(cfg.clusterJoinMs ?? Math.floor(START_MS / 2));
const TOMCAT = join(HOME, String(cfg.tomcatDir ?? 'tomcat'));
const SIM_PID_FILE = join(HOME, 'sim.pid');
const BUNDLE_STATE = join(HOME, 'osgi/state/lrroll-sim-bundles.json');
const HEARTBEAT_MS = 200;
const MEMBER_TTL_MS = 1000;

// ---------------------------------------------------------------------------------------------
// Logging (stdout is catalina.out when started by catalina.sh)

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n) => String(n).padStart(2, '0');
const p3 = (n) => String(n).padStart(3, '0');
const clock = (d) => `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${p3(d.getMilliseconds())}`;

function out(line) {
  try {
    process.stdout.write(`${line}\n`);
  } catch {
    // the log is gone (home removed): nothing to do
  }
}

/** Tomcat JULI OneLineFormatter: `17-Oct-2023 22:48:19.644 INFO [main] org.apache.Class.method message`. */
function tomcat(level, thread, where, message) {
  const d = new Date();
  out(
    `${p2(d.getDate())}-${MONTHS[d.getMonth()]}-${d.getFullYear()} ${clock(d)} ${level} [${thread}] ` +
      `${where} ${message}`,
  );
}

/** Liferay log4j console: `2023-10-17 22:48:19.644 INFO  [main][Class:line] message`. */
function liferay(level, thread, where, message) {
  const d = new Date();
  out(
    `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${clock(d)} ${level.padEnd(5)} [` +
      `${thread}][${where}] ${message}`,
  );
}

/** A machine-readable line for tests: `lrroll-sim: node=<n> event=<e> pid=<pid> at=<ISO> [k=v ...]`. */
function event(name, extra = '') {
  out(
    `lrroll-sim: node=${NODE} event=${name} pid=${process.pid} at=${new Date().toISOString()}` +
      `${extra ? ` ${extra}` : ''}`,
  );
}

function note(key, value) {
  out(`lrroll-sim: node=${NODE} ${key}=${value}`);
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function sha256OfFile(file) {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}

function readText(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function listFiles(dir) {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function unzipP(file, entry) {
  return new Promise((resolve) => {
    execFile('unzip', ['-p', file, entry], { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 }, (err, stdout) =>
      resolve(err ? null : stdout),
    );
  });
}

function unzipList(file) {
  return new Promise((resolve) => {
    execFile('unzip', ['-Z1', file], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout) =>
      resolve(err ? [] : stdout.split('\n').filter((l) => l !== '')),
    );
  });
}

/** Main-section attributes of a JAR manifest (continuation lines start with one space). */
function parseManifest(text) {
  const lines = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    if (raw === '') {
      if (lines.length > 0) break;
      continue;
    }
    if (raw.startsWith(' ') && lines.length > 0) lines[lines.length - 1] += raw.slice(1);
    else lines.push(raw);
  }
  const attrs = new Map();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) attrs.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return attrs;
}

/** `key=value` pairs of a simple .properties text (enough for liferay-plugin-package.properties). */
function parseProperties(text) {
  const props = new Map();
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(t);
    if (m) props.set(m[1], m[2]);
  }
  return props;
}

/** bsn and version from a file name such as `com.acme.foo-1.2.3.jar` (version 0.0.0 when none). */
function fromFileName(file) {
  const base = file.replace(/\.(jar|war|lpkg)$/i, '');
  const m = /^(.+?)-(\d+(?:\.\d+)*(?:[.-][A-Za-z0-9_]+)*)$/.exec(base);
  return m ? { bsn: m[1], version: m[2] } : { bsn: base, version: '0.0.0' };
}

/** The bundles of one jar/war (one) or lpkg (its inner jars/wars). */
async function bundlesOf(path) {
  const file = basename(path);
  if (/\.lpkg$/i.test(file)) {
    const inner = (await unzipList(path)).filter((n) => /\.(jar|war)$/i.test(n) && !n.includes('/'));
    const found = [];
    for (const name of inner) {
      const bytes = await unzipP(path, name);
      if (!bytes) continue;
      const tmp = join(tmpdir(), `lrroll-sim-${process.pid}-${randomBytes(4).toString('hex')}-${name}`);
      try {
        writeFileSync(tmp, bytes);
        found.push(...(await bundlesOf(tmp)).map((b) => ({ ...b, inner: name })));
      } finally {
        rmSync(tmp, { force: true });
      }
    }
    return found;
  }
  let bsn = null;
  let version = null;
  const manifest = await unzipP(path, 'META-INF/MANIFEST.MF');
  if (manifest) {
    const attrs = parseManifest(manifest.toString('utf8'));
    bsn = attrs.get('bundle-symbolicname')?.split(';')[0]?.trim() || null;
    version = attrs.get('bundle-version')?.trim() || null;
  }
  if (!bsn && /\.war$/i.test(file)) {
    // Liferay's WAB generator: liferay-plugin-package.properties, else the file name.
    const pkg = await unzipP(path, 'WEB-INF/liferay-plugin-package.properties');
    if (pkg) {
      const props = parseProperties(pkg.toString('utf8'));
      bsn =
        props.get('Bundle-SymbolicName')?.split(';')[0]?.trim() || props.get('servlet-context-name')?.trim() || null;
      version = version ?? (props.get('Bundle-Version')?.trim() || null);
    }
  }
  const fallback = fromFileName(file);
  return [{ bsn: bsn ?? fallback.bsn, version: version ?? fallback.version }];
}

// ---------------------------------------------------------------------------------------------
// State

let phase = 'starting'; // starting → started → stopping
let readyAt = null;
let healthy = false;
const timers = new Set();
const intervals = new Set();
let server = null;
let inFlight = 0;
let requests = 0;
const sessions = new Set();

function later(ms, fn) {
  const t = setTimeout(() => {
    timers.delete(t);
    fn();
  }, ms);
  timers.add(t);
  return t;
}

function every(ms, fn) {
  const t = setInterval(fn, ms);
  intervals.add(t);
  return t;
}

function clearAllTimers() {
  for (const t of timers) clearTimeout(t);
  timers.clear();
  for (const t of intervals) clearInterval(t);
  intervals.clear();
}

const javaHome = process.env.JAVA_HOME ?? '';
const jreHome = process.env.JRE_HOME ?? '';
const catalinaOpts = process.env.CATALINA_OPTS ?? '';
const javaOpts = process.env.JAVA_OPTS ?? '';
const liferayEnv = Object.fromEntries(
  Object.entries(process.env)
    .filter(([k]) => k.startsWith('LIFERAY_'))
    .sort(([a], [b]) => a.localeCompare(b)),
);
const propertiesSha256 = sha256OfFile(join(HOME, 'portal-ext.properties'));
const setenvSha256 = sha256OfFile(join(TOMCAT, 'bin/setenv.sh'));
const serverXmlSha256 = sha256OfFile(join(TOMCAT, 'conf/server.xml'));
const patches = (readText(join(HOME, 'patching-tool/.installed')) ?? '')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '');
const osgiStateFresh = listFiles(join(HOME, 'osgi/state')).length === 0 && !existsSync(BUNDLE_STATE);
const workFresh = (() => {
  try {
    return readdirSync(join(HOME, 'work')).length === 0;
  } catch {
    return true;
  }
})();

// ---------------------------------------------------------------------------------------------
// OSGi bundles: deploy/ processing and osgi/{modules,war,marketplace} watching

/** Bundle ids persist in osgi/state (like the OSGi framework's storage), keyed by location. */
const bundleIds = (() => {
  try {
    const s = JSON.parse(readFileSync(BUNDLE_STATE, 'utf8'));
    return { nextId: Number(s.nextId) || 1100, ids: s.ids ?? {} };
  } catch {
    return { nextId: 1100, ids: {} };
  }
})();

function bundleId(location) {
  if (!(location in bundleIds.ids)) bundleIds.ids[location] = bundleIds.nextId++;
  return bundleIds.ids[location];
}

function saveBundleState() {
  try {
    mkdirSync(join(HOME, 'osgi/state'), { recursive: true });
    writeFileSync(`${BUNDLE_STATE}.tmp`, JSON.stringify(bundleIds, null, 2));
    renameSync(`${BUNDLE_STATE}.tmp`, BUNDLE_STATE);
  } catch {
    // ignore: state is a nicety
  }
}

const MODULE_DIRS = ['osgi/modules', 'osgi/war', 'osgi/marketplace'];
/** Installed files: relative path → { mtimeMs, size, bundles: [{ bsn, version, id }] }. */
const installed = new Map();

function moveInto(src, destDir) {
  mkdirSync(destDir, { recursive: true });
  const dest = join(destDir, basename(src));
  try {
    renameSync(src, dest);
  } catch (err) {
    if (err?.code !== 'EXDEV') throw err;
    copyFileSync(src, dest);
    unlinkSync(src);
  }
  return dest;
}

/** deploy/ files seen by the previous scan: name → "size:mtimeMs". */
let deploySeen = new Map();
/** A file untouched for this long is complete even if no earlier scan saw it. */
const DEPLOY_SETTLED_MS = 1000;

/**
 * Processes deploy/ like Liferay's AutoDeployScanner: jars → osgi/modules, wars → osgi/war,
 * lpkgs → osgi/marketplace, xml keys → data/license. Dot files and *.lrroll-tmp/*.part/*.tmp are
 * ignored, and a file is taken only when it looks complete: unchanged since the previous scan, or
 * not modified for DEPLOY_SETTLED_MS (so a file still being written is not moved half way).
 */
function processDeployDir() {
  const deploy = join(HOME, 'deploy');
  const previous = deploySeen;
  deploySeen = new Map();
  for (const file of listFiles(deploy)) {
    if (/\.(lrroll-tmp|part|tmp|swp)$/i.test(file)) continue;
    const src = join(deploy, file);
    let st;
    try {
      st = statSync(src);
    } catch {
      continue;
    }
    const sig = `${st.size}:${st.mtimeMs}`;
    if (previous.get(file) !== sig && Date.now() - st.mtimeMs < DEPLOY_SETTLED_MS) {
      deploySeen.set(file, sig);
      continue;
    }
    const target = /\.jar$/i.test(file)
      ? 'osgi/modules'
      : /\.war$/i.test(file)
        ? 'osgi/war'
        : /\.lpkg$/i.test(file)
          ? 'osgi/marketplace'
          : /\.xml$/i.test(file)
            ? 'data/license'
            : null;
    if (!target) continue;
    liferay(
      'INFO',
      'com.liferay.portal.kernel.deploy.auto.AutoDeployScanner',
      'AutoDeployDir:252',
      `Processing ${file}`,
    );
    try {
      moveInto(src, join(HOME, target));
      if (target === 'data/license')
        liferay(
          'INFO',
          'com.liferay.portal.kernel.deploy.auto.AutoDeployScanner',
          'LicenseAutoDeployListener:55',
          `License registered for ${file}`,
        );
    } catch (err) {
      liferay(
        'ERROR',
        'com.liferay.portal.kernel.deploy.auto.AutoDeployScanner',
        'AutoDeployDir:261',
        `Unable to process ${file}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
}

function logStopped(rel, entry) {
  for (const b of entry.bundles)
    liferay(
      'INFO',
      `fileinstall-${join(HOME, rel.split('/').slice(0, 2).join('/'))}`,
      'BundleStartStopLogger:42',
      `STOPPED ${b.bsn}_${b.version} [${b.id}]`,
    );
}

/** Diffs the module folders against what is installed and logs STARTED/STOPPED lines. */
async function scanModules() {
  const seen = new Set();
  for (const dir of MODULE_DIRS) {
    const abs = join(HOME, dir);
    const exts = dir === 'osgi/marketplace' ? /\.lpkg$/i : dir === 'osgi/war' ? /\.war$/i : /\.jar$/i;
    for (const file of listFiles(abs).filter((f) => exts.test(f))) {
      const rel = `${dir}/${file}`;
      seen.add(rel);
      let st;
      try {
        st = statSync(join(abs, file));
      } catch {
        continue;
      }
      const old = installed.get(rel);
      if (old && old.mtimeMs === st.mtimeMs && old.size === st.size) continue;
      if (old) logStopped(rel, old);
      const found = await bundlesOf(join(abs, file));
      if (phase === 'stopping') return;
      const bundles = found.map((b) => ({
        bsn: b.bsn,
        version: b.version,
        id: bundleId(b.inner ? `${rel}!/${b.inner}` : rel),
      }));
      installed.set(rel, { mtimeMs: st.mtimeMs, size: st.size, bundles });
      for (const b of bundles) {
        liferay('INFO', `fileinstall-${abs}`, 'BundleStartStopLogger:39', `STARTED ${b.bsn}_${b.version} [${b.id}]`);
        if (dir === 'osgi/war' && /theme/i.test(b.bsn))
          liferay(
            'INFO',
            `fileinstall-${abs}`,
            'ThemeHotDeployListener:108',
            `1 theme for ${b.bsn} is available for use`,
          );
      }
    }
  }
  for (const [rel, entry] of [...installed]) {
    if (!seen.has(rel)) {
      logStopped(rel, entry);
      installed.delete(rel);
    }
  }
  saveBundleState();
}

let scanning = false;
async function deployTick() {
  if (scanning || phase !== 'started') return;
  scanning = true;
  try {
    processDeployDir();
    await scanModules();
  } finally {
    scanning = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Cluster: heartbeat files in clusterDir, views installed by the coordinator (the oldest member)

const cluster = {
  joined: false,
  joinedAt: 0,
  file: CLUSTER_DIR ? join(CLUSTER_DIR, NODE) : null,
  viewFile: CLUSTER_DIR ? join(CLUSTER_DIR, '.view') : null,
  loggedViewId: null,
  lastView: null,
};

function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function writeHeartbeat() {
  writeAtomic(cluster.file, JSON.stringify({ node: NODE, pid: process.pid, joinedAt: cluster.joinedAt }) + '\n');
}

function liveMembers(now) {
  const members = [];
  let names = [];
  try {
    names = readdirSync(CLUSTER_DIR).filter((n) => !n.startsWith('.') && !n.endsWith('.tmp'));
  } catch {
    return members;
  }
  for (const name of names) {
    const file = join(CLUSTER_DIR, name);
    try {
      const st = statSync(file);
      if (!st.isFile() || (name !== NODE && now - st.mtimeMs > MEMBER_TTL_MS)) continue;
      let joinedAt = st.birthtimeMs || st.ctimeMs;
      try {
        joinedAt = Number(JSON.parse(readFileSync(file, 'utf8')).joinedAt) || joinedAt;
      } catch {
        // keep the file time
      }
      members.push({ name, joinedAt });
    } catch {
      // vanished meanwhile
    }
  }
  return members.sort((a, b) => a.joinedAt - b.joinedAt || a.name.localeCompare(b.name));
}

function readView() {
  try {
    const v = JSON.parse(readFileSync(cluster.viewFile, 'utf8'));
    return Number.isInteger(v.id) && Array.isArray(v.members) ? v : null;
  } catch {
    return null;
  }
}

function logView(v) {
  const text = `Accepted view [${v.coordinator}|${v.id}] (${v.members.length}) [${v.members.join(', ')}]`;
  liferay('INFO', `jgroups-12,liferay-channel-control,${NODE}`, 'JGroupsReceiver:93', text);
  liferay('INFO', `Incoming-2,liferay-channel-transport-0,${NODE}`, 'JGroupsReceiver:91', text);
}

function clusterTick() {
  if (!cluster.joined || phase === 'stopping') return;
  const now = Date.now();
  try {
    utimesSync(cluster.file, now / 1000, now / 1000);
  } catch {
    try {
      writeHeartbeat();
    } catch {
      return;
    }
  }
  const members = liveMembers(now);
  if (members.length === 0) return;
  const names = members.map((m) => m.name);
  let view = readView();
  if (members[0]?.name === NODE && (!view || view.members.join(',') !== names.join(','))) {
    view = { id: (view?.id ?? 0) + 1, coordinator: NODE, members: names, at: new Date(now).toISOString() };
    try {
      writeAtomic(cluster.viewFile, JSON.stringify(view) + '\n');
    } catch {
      return;
    }
  }
  if (view && view.id !== cluster.loggedViewId && view.members.includes(NODE)) {
    cluster.loggedViewId = view.id;
    cluster.lastView = view;
    logView(view);
  }
}

function joinCluster() {
  if (!CLUSTER_DIR || phase === 'stopping') return;
  try {
    mkdirSync(CLUSTER_DIR, { recursive: true });
    cluster.joinedAt = Date.now();
    writeHeartbeat();
  } catch (err) {
    liferay(
      'ERROR',
      'main',
      'JGroupsClusterChannel:120',
      `Unable to join the cluster: ${err instanceof Error ? err.message : String(err)}`,
    );
    return;
  }
  cluster.joined = true;
  for (const channel of ['liferay-channel-control', 'liferay-channel-transport-0']) {
    out('-------------------------------------------------------------------');
    out(
      `GMS: address=${NODE}, cluster=${channel}, physical address=` +
        `${HOST === '0.0.0.0' ? '127.0.0.1' : HOST}:${channel.endsWith('0') ? 7801 : 7800}`,
    );
    out('-------------------------------------------------------------------');
  }
  clusterTick();
  every(HEARTBEAT_MS, clusterTick);
}

function leaveCluster() {
  if (!cluster.joined) return;
  cluster.joined = false;
  try {
    rmSync(cluster.file, { force: true });
  } catch {
    // ignore
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

function stateJson() {
  return {
    node: NODE,
    pid: process.pid,
    phase,
    healthy,
    startedAt: new Date(T0).toISOString(),
    readyAt: readyAt ? new Date(readyAt).toISOString() : null,
    patches,
    modules: [...installed.entries()].flatMap(([file, e]) =>
      e.bundles.map((b) => ({ bsn: b.bsn, version: b.version, id: b.id, file })),
    ),
    configs: listFiles(join(HOME, 'osgi/configs')),
    licenses: listFiles(join(HOME, 'data/license')),
    propertiesSha256,
    setenvSha256,
    serverXmlSha256,
    javaHome,
    jreHome,
    catalinaOpts,
    javaOpts,
    liferayEnv,
    osgiStateFresh,
    workFresh,
    cluster: cluster.lastView
      ? { coordinator: cluster.lastView.coordinator, viewId: cluster.lastView.id, members: cluster.lastView.members }
      : null,
    requests,
    inFlight,
    sessions: sessions.size,
    config: cfg,
  };
}

function cookieSession(req) {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === 'JSESSIONID') return v.join('=');
  }
  return null;
}

function send(req, res, status, headers, body) {
  const payload = typeof body === 'string' ? body : JSON.stringify(body, null, 2) + '\n';
  res.writeHead(status, { 'X-Lrroll-Node': NODE, 'Content-Length': Buffer.byteLength(payload), ...headers });
  res.end(req.method === 'HEAD' ? undefined : payload);
}

function page(title, text) {
  return (
    `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>${title}</h1><p>${text}` +
    `</p><p id="lrroll-node">Node: ${NODE}</p></body></html>\n`
  );
}

async function handle(req, res) {
  requests++;
  const url = new URL(req.url ?? '/', 'http://sim.invalid');
  if (url.pathname === '/lrroll-sim/state') {
    send(req, res, 200, { 'Content-Type': 'application/json' }, stateJson());
    return;
  }
  inFlight++;
  try {
    // A request is judged when it arrives: one accepted before a stop still completes normally.
    const servable = healthy;
    const arrivedIn = phase;
    if (RESPONSE_MS > 0) await sleep(RESPONSE_MS);
    const closing = phase === 'stopping' ? { Connection: 'close' } : {};
    if (!servable) {
      send(
        req,
        res,
        503,
        { 'Content-Type': 'text/html;charset=UTF-8', ...closing },
        page(
          'HTTP Status 503 – Service Unavailable',
          `Liferay is ${arrivedIn === 'stopping' ? 'stopping' : 'starting'} on ${NODE}.`,
        ),
      );
      return;
    }
    const headers = { ...closing };
    const current = cookieSession(req);
    if (current && sessions.has(current)) {
      headers['X-Lrroll-Session'] = 'existing';
    } else {
      // Tomcat with <Engine jvmRoute="node">: a new session id ends with ".<jvmRoute>".
      const id = `${randomBytes(16).toString('hex').toUpperCase()}.${NODE}`;
      sessions.add(id);
      headers['Set-Cookie'] = `JSESSIONID=${id}; Path=/; HttpOnly`;
      headers['X-Lrroll-Session'] = 'new';
    }
    const session =
      current && sessions.has(current) ? current : /JSESSIONID=([^;]+)/.exec(headers['Set-Cookie'] ?? '')?.[1];
    const admin = await portalAdmin(req, url, {
      session,
      admin: cfg.admin ?? { login: 'test@liferay.com', password: 'test' },
      onCacheClear,
    });
    if (admin) {
      send(req, res, admin.status, { ...headers, ...admin.headers }, admin.body);
    } else if (url.pathname === '/c/portal/layout') {
      send(req, res, 302, { ...headers, Location: '/web/guest/home', 'Content-Type': 'text/html;charset=UTF-8' }, '');
    } else if (url.pathname === '/c/portal/robots' || url.pathname === '/robots.txt') {
      send(
        req,
        res,
        200,
        { ...headers, 'Content-Type': 'text/plain;charset=UTF-8' },
        `User-Agent: *\nDisallow: /c/\n# node ${NODE}\n`,
      );
    } else if (url.pathname.startsWith('/o/') || /json/.test(req.headers.accept ?? '')) {
      send(
        req,
        res,
        200,
        { ...headers, 'Content-Type': 'application/json' },
        { node: NODE, path: url.pathname, status: 'ok' },
      );
    } else {
      send(
        req,
        res,
        200,
        { ...headers, 'Content-Type': 'text/html;charset=UTF-8' },
        page('Liferay DXP (simulated)', `${url.pathname} served by ${NODE}`),
      );
    }
  } finally {
    inFlight--;
  }
}

/** Server Administration's cache actions, logged as Liferay would run them (and as a test line). */
function onCacheClear(cmd, user) {
  if (cmd === 'cacheMulti')
    liferay(
      'INFO',
      'http-nio-exec-1',
      'EditServerMVCActionCommand:262',
      `Clearing content cached across the cluster for ${user}`,
    );
  event('cache-clear', `cmd=${cmd || '(none)'} user=${user}`);
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

function removeOwnFiles() {
  leaveCluster();
  try {
    if (readText(SIM_PID_FILE)?.trim() === String(process.pid)) rmSync(SIM_PID_FILE, { force: true });
  } catch {
    // ignore
  }
}

function exitNow(code, reason) {
  clearAllTimers();
  removeOwnFiles();
  event('exit', `code=${code}${reason ? ` reason=${reason}` : ''}`);
  process.exit(code);
}

function protocolName() {
  return `["http-nio-${HOST === '0.0.0.0' || HOST === '::' ? '' : `${HOST}-`}${PORT}"]`;
}

async function startup() {
  tomcat(
    'INFO',
    'main',
    'org.apache.catalina.startup.VersionLoggerListener.log',
    `Server version name:   Apache Tomcat/${TOMCAT_VERSION}`,
  );
  tomcat(
    'INFO',
    'main',
    'org.apache.catalina.startup.VersionLoggerListener.log',
    `Server number:         ${TOMCAT_VERSION}.0`,
  );
  tomcat(
    'INFO',
    'main',
    'org.apache.catalina.startup.VersionLoggerListener.log',
    `Java Home:             ${jreHome || javaHome || '(simulated; none set)'}`,
  );
  tomcat(
    'INFO',
    'main',
    'org.apache.catalina.startup.VersionLoggerListener.log',
    `JVM Version:           simulated (Node.js ${process.version})`,
  );
  tomcat('INFO', 'main', 'org.apache.catalina.startup.VersionLoggerListener.log', `CATALINA_BASE:         ${TOMCAT}`);
  tomcat('INFO', 'main', 'org.apache.catalina.startup.VersionLoggerListener.log', `CATALINA_HOME:         ${TOMCAT}`);
  for (const arg of `${javaOpts} ${catalinaOpts}`.split(/\s+/).filter((a) => a !== '')) {
    tomcat('INFO', 'main', 'org.apache.catalina.startup.VersionLoggerListener.log', `Command line argument: ${arg}`);
  }
  note('JAVA_HOME', javaHome);
  note('CATALINA_OPTS', catalinaOpts);
  note('portal-ext.properties.sha256', propertiesSha256 ?? 'missing');
  tomcat('INFO', 'main', 'org.apache.coyote.AbstractProtocol.init', `Initializing ProtocolHandler ${protocolName()}`);
  tomcat(
    'INFO',
    'main',
    'org.apache.catalina.startup.Catalina.load',
    `Server initialized in [${Date.now() - T0}] milliseconds`,
  );
  tomcat('INFO', 'main', 'org.apache.catalina.core.StandardService.startInternal', 'Starting service [Catalina]');
  tomcat(
    'INFO',
    'main',
    'org.apache.catalina.core.StandardEngine.startInternal',
    `Starting Servlet engine: [Apache Tomcat/${TOMCAT_VERSION}]`,
  );
  tomcat(
    'INFO',
    'main',
    'org.apache.catalina.startup.HostConfig.deployDescriptor',
    `Deploying deployment descriptor [${TOMCAT}/conf/Catalina/localhost/ROOT.xml]`,
  );
  out(`Loading file:${HOME}/portal-ext.properties`);
  if (osgiStateFresh)
    liferay(
      'INFO',
      'main',
      'ModuleFrameworkImpl:1346',
      `The OSGi framework state in ${HOME}/osgi/state is empty: installing every bundle`,
    );

  later(Math.floor(START_MS * 0.3), () => {
    liferay('INFO', 'main', 'ModuleFrameworkImpl:1678', 'Starting initial bundles');
    liferay('INFO', 'main', 'ModuleFrameworkImpl:1953', 'Started initial bundles');
    liferay('INFO', 'main', 'ModuleFrameworkImpl:1982', 'Starting dynamic bundles');
    liferay('INFO', 'main', 'ModuleFrameworkImpl:2083', 'Started dynamic bundles');
    liferay(
      'INFO',
      'main',
      'ModuleFrameworkImpl:2153',
      'Navigate to Control Panel > System > Gogo Shell and enter "lb" to see all bundles',
    );
    out('');
    out('Starting Liferay Digital Experience Platform 7.2.10 GA1 (Mueller / Build 7210 / June 4, 2019)');
    out('');
    liferay(
      'INFO',
      'main',
      'StartupHelperUtil:72',
      patches.length === 0
        ? 'There are no patches installed'
        : `The following patches are installed: ${patches.join(', ')}`,
    );
    try {
      mkdirSync(join(HOME, 'work/com.liferay.portal.sim'), { recursive: true });
      writeFileSync(join(HOME, 'work/com.liferay.portal.sim/started'), `${new Date().toISOString()}\n`);
    } catch {
      // ignore
    }
  });
  if (CLUSTER_DIR) later(Math.min(CLUSTER_JOIN_MS, START_MS), joinCluster);
  later(START_MS, () => {
    void finishStartup().catch((err) => {
      liferay('ERROR', 'main', 'MainServlet:287', `${err instanceof Error ? err.stack : String(err)}`);
      exitNow(1, 'error');
    });
  });
}

async function finishStartup() {
  if (phase !== 'starting') return;
  if (cfg.failStart) {
    liferay(
      'ERROR',
      'main',
      'MainServlet:287',
      'java.lang.RuntimeException: lrroll-sim: simulated startup failure (sim.json failStart=true)',
    );
    out('java.lang.RuntimeException: lrroll-sim: simulated startup failure (sim.json failStart=true)');
    out('\tat com.liferay.portal.internal.servlet.MainServlet.init(MainServlet.java:287)');
    tomcat(
      'SEVERE',
      'main',
      'org.apache.catalina.core.StandardContext.startInternal',
      'One or more listeners failed to start. Full details will be found in the appropriate container log file',
    );
    tomcat(
      'SEVERE',
      'main',
      'org.apache.catalina.core.StandardContext.startInternal',
      'Context [] startup failed due to previous errors',
    );
    exitNow(1, 'failStart');
    return;
  }
  liferay('INFO', 'main', 'AutoDeployDir:193', `Auto deploy scanner started for ${join(HOME, 'deploy')}`);
  processDeployDir();
  await scanModules();
  if (phase !== 'starting') return;
  tomcat('INFO', 'main', 'org.apache.coyote.AbstractProtocol.start', `Starting ProtocolHandler ${protocolName()}`);
  tomcat(
    'INFO',
    'main',
    'org.apache.catalina.startup.Catalina.start',
    `Server startup in [${Date.now() - T0}] milliseconds`,
  );
  phase = 'started';
  readyAt = Date.now();
  if (cfg.neverHealthy) {
    liferay('WARN', 'main', 'PortalInstances:261', 'lrroll-sim: neverHealthy=true: answering 503 forever');
  } else {
    healthy = true;
  }
  event('ready', `startupMs=${readyAt - T0}`);
  every(Math.max(50, DEPLOY_INTERVAL_MS), () => void deployTick());
}

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  event('stop', `signal=${signal}`);
  phase = 'stopping';
  healthy = false;
  clearAllTimers();
  leaveCluster();
  tomcat('INFO', 'Thread-1', 'org.apache.coyote.AbstractProtocol.pause', `Pausing ProtocolHandler ${protocolName()}`);
  // Stop accepting connections; idle keep-alive connections are closed, in-flight requests finish.
  const closed = server ? new Promise((r) => server.close(() => r())) : Promise.resolve();
  if (cfg.hangOnStop) {
    liferay(
      'WARN',
      'Thread-1',
      'PortalContextLoaderListener:150',
      'lrroll-sim: hangOnStop=true: the shutdown hangs (only SIGKILL ends this process)',
    );
    return; // the watchdog interval keeps the process alive
  }
  while (inFlight > 0) await sleep(10);
  await sleep(STOP_MS);
  tomcat('INFO', 'Thread-1', 'org.apache.catalina.core.StandardService.stopInternal', 'Stopping service [Catalina]');
  for (const [rel, entry] of installed) logStopped(rel, entry);
  server?.closeAllConnections?.();
  await Promise.race([closed, sleep(200)]);
  tomcat('INFO', 'Thread-1', 'org.apache.coyote.AbstractProtocol.stop', `Stopping ProtocolHandler ${protocolName()}`);
  tomcat(
    'INFO',
    'Thread-1',
    'org.apache.coyote.AbstractProtocol.destroy',
    `Destroying ProtocolHandler ${protocolName()}`,
  );
  exitNow(0, signal);
}

function threadDump() {
  out(`${new Date().toISOString().replace('T', ' ').slice(0, 19)}`);
  out('Full thread dump OpenJDK 64-Bit Server VM (simulated by lrroll-sim, mixed mode):');
  out('');
  out(`"main" #1 prio=5 os_prio=0 tid=0x00007f0000000001 nid=0x${process.pid.toString(16)} runnable`);
  out('   java.lang.Thread.State: RUNNABLE');
  out(`\tat lrroll.sim.LiferaySim.phase_${phase}(liferay-sim.mjs)`);
  out('');
}

// ---------------------------------------------------------------------------------------------
// Main

event('start', `home=${HOME} port=${PORT}`);
try {
  writeFileSync(SIM_PID_FILE, `${process.pid}\n`);
} catch {
  // ignore
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGHUP', () => out(`lrroll-sim: node=${NODE} SIGHUP ignored (started with nohup)`));
process.on('SIGQUIT', threadDump);
process.on('uncaughtException', (err) => {
  tomcat(
    'SEVERE',
    'main',
    'org.apache.catalina.core.StandardServer.await',
    `lrroll-sim crashed: ${err instanceof Error ? err.stack : String(err)}`,
  );
  exitNow(1, 'crash');
});

// Watchdog (not cleared by a shutdown, so a hung stop still ends): a home that disappears (a test
// removed its temp dir) or an expired lifetime ends the process.
setInterval(() => {
  if (!existsSync(SIM_JSON)) exitNow(0, 'home-removed');
  if (MAX_LIFETIME_MS > 0 && Date.now() - T0 > MAX_LIFETIME_MS) exitNow(0, 'maxLifetimeMs');
}, 1000);

server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    try {
      send(
        req,
        res,
        500,
        { 'Content-Type': 'text/plain' },
        `lrroll-sim error: ${err instanceof Error ? err.message : String(err)}\n`,
      );
    } catch {
      // response already sent
    }
  });
});
server.keepAliveTimeout = 5000;
server.on('error', (err) => {
  tomcat(
    'SEVERE',
    'main',
    'org.apache.catalina.core.StandardService.initInternal',
    `Failed to initialize connector [Connector[HTTP/1.1-${PORT}]]`,
  );
  out(
    `\tjava.net.BindException: ${err.code === 'EADDRINUSE' ? 'Address already in use' : err.message} (${HOST}:${PORT})`,
  );
  exitNow(1, 'bind');
});
server.listen(PORT, HOST, () => {
  void startup().catch((err) => {
    tomcat(
      'SEVERE',
      'main',
      'org.apache.catalina.startup.Catalina.start',
      `lrroll-sim startup error: ${err instanceof Error ? err.stack : String(err)}`,
    );
    exitNow(1, 'error');
  });
});
