// The built-in local demo: three simulated Liferay nodes on this machine (local transport), behind
// HAProxy when it is installed, and a real `lrroll run` of a rolling change with the full progress
// view while a small load runs through the load balancer.
// Usage: npm run demo            (builds first)      node scripts/demo.mjs [--keep]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeHome } from '../test/sim/make-home.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
const dir = mkdtempSync(join(tmpdir(), 'lrroll-demo-'));
const children = [];
// The same rule as lrroll's own output: NO_COLOR wins, then FORCE_COLOR, else colour only on a terminal.
const { NO_COLOR, FORCE_COLOR } = process.env;
const colour = NO_COLOR ? false : FORCE_COLOR !== undefined ? FORCE_COLOR !== '0' : process.stderr.isTTY === true;
const say = (text) => process.stderr.write(`${colour ? '\x1b[2m[demo]\x1b[0m' : '[demo]'} ${text}\n`);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function findHaproxy() {
  for (const p of ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy', '/usr/bin/haproxy']) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
  });
}

async function waitUp(url, ms = 60_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if ([200, 302].includes(await get(url))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

/** A small steady load through the load balancer, counting failed requests. */
function startLoad(url) {
  let total = 0;
  let failed = 0;
  let running = true;
  const loop = async () => {
    while (running) {
      total++;
      const code = await get(url);
      if (code === 0 || code >= 500) failed++;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const loops = [loop(), loop()];
  return async () => {
    running = false;
    await Promise.all(loops);
    return { total, failed };
  };
}

function cleanup() {
  for (const c of children) c.kill('SIGKILL');
  for (const n of [1, 2, 3]) spawnSync('sh', [join(dir, `node${n}/tomcat/bin/catalina.sh`), 'stop', '2', '-force'], { stdio: 'ignore' });
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

async function main() {
  say(`demo cluster in ${dir}`);
  const nodes = [];
  for (const n of [1, 2, 3]) {
    const httpPort = await freePort();
    makeHome({ home: join(dir, `node${n}`), node: `node${n}`, host: '127.0.0.1', httpPort, startMs: 2500, stopMs: 500, patches: 'dxp-14' });
    nodes.push({ name: `node${n}`, httpPort, home: join(dir, `node${n}`) });
  }
  const haproxy = findHaproxy();
  let lbYaml = 'loadBalancer:\n  type: none\n';
  let front = null;
  if (haproxy) {
    const port = await freePort();
    const socket = join(dir, 'haproxy-admin.sock');
    const servers = nodes.map((n) => `  server ${n.name} 127.0.0.1:${n.httpPort} cookie ${n.name} check inter 500ms fall 2 rise 2`).join('\n');
    writeFileSync(join(dir, 'haproxy.cfg'), `global\n  stats socket ${socket} mode 600 level admin\ndefaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n  option redispatch\n  retries 3\nfrontend web\n  bind 127.0.0.1:${port}\n  default_backend liferay\nbackend liferay\n  balance roundrobin\n  cookie JSESSIONID prefix nocache\n  option httpchk GET /c/portal/layout\n  http-check expect status 200,302\n${servers}\n`);
    children.push(spawn(haproxy, ['-f', join(dir, 'haproxy.cfg'), '-db'], { stdio: 'ignore' }));
    lbYaml = `loadBalancer:\n  type: haproxy\n  socket: ${socket}\n  backend: liferay\n  drainTimeout: 10s\n  pollInterval: 250ms\n`;
    front = `http://127.0.0.1:${port}/`;
    say(`HAProxy ${haproxy} in front of the nodes on ${front}`);
  } else {
    say('HAProxy is not installed: the demo runs without a load balancer (install it, e.g. `apt-get install haproxy`, to see draining)');
  }
  say('starting the three simulated Liferay nodes…');
  for (const n of nodes) spawnSync('sh', [join(n.home, 'tomcat/bin/catalina.sh'), 'start'], { stdio: 'ignore' });
  await Promise.all(nodes.map((n) => waitUp(`http://127.0.0.1:${n.httpPort}/c/portal/layout`)));
  if (front) await waitUp(front);
  const playbook = join(dir, 'demo.yml');
  writeFileSync(
    playbook,
    `# yaml-language-server: $schema=${join(root, 'schemas/playbook.schema.json')}
lrroll: 1
name: Demo — session timeout and an updated module, rolled over three nodes
inventory:
  defaults:
    transport: local
  nodes:
${nodes.map((n) => `    - name: ${n.name}\n      host: 127.0.0.1\n      liferayHome: ${n.home}\n      httpPort: ${n.httpPort}\n`).join('')}${lbYaml}change:
  - type: portal-properties
    set:
      session.timeout: 45
  - type: module
    artifact: ${join(root, 'playbooks/artifacts/com.acme.orders.service-2.1.3.jar')}
    deployTo: modules
    dataChanges: compatible
    installedSchemaVersion: 2.1.0
rollout:
  serial: 1
  minHealthy: 2
health:
  http:
    interval: 500ms
  settle: 2s
  expectedStartTime: 4s
`,
  );
  say(`playbook: ${playbook}`);
  const stopLoad = front ? startLoad(front) : null;
  const run = spawn(process.execPath, [join(root, 'dist/cli/main.js'), 'run', playbook, '--yes'], { stdio: 'inherit', env: { ...process.env, LRROLL_HOME: join(dir, 'lrroll-home') } });
  const code = await new Promise((resolve) => run.on('close', resolve));
  if (stopLoad) {
    const { total, failed } = await stopLoad();
    say(`load through HAProxy during the run: ${total} requests, ${failed} failed`);
  }
  return code ?? 1;
}

process.on('SIGINT', () => undefined);
main()
  .then((code) => {
    cleanup();
    process.exit(code);
  })
  .catch((err) => {
    say(`failed: ${err.message}`);
    cleanup();
    process.exit(1);
  });
