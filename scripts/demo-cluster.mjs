// The demo's cluster on this machine: three nodes (simulated Liferay nodes, or real Tomcat 10 with
// the test portal and session replication) and a load balancer in front of them (HAProxy, Apache
// mod_proxy_balancer or Apache mod_jk), all on 127.0.0.1 with free ports.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { makeHome } from '../test/sim/make-home.mjs';
import { apacheBalancerConfig, haproxyConfig, modJkConfig, modJkWorkers } from '../test/cluster/lb-configs.mjs';
import { makeTomcatHome, tomcatMissing } from '../test/tomcat/make-tomcat-home.mjs';

const HOST = '127.0.0.1';
const APACHE2 = '/usr/sbin/apache2';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export function findHaproxy() {
  for (const p of ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy', '/usr/bin/haproxy']) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Why the demo cannot use these nodes / this load balancer here, or null. */
export function missing(nodes, lb) {
  if (nodes === 'tomcat') {
    const t = tomcatMissing();
    if (t) return `real Tomcat nodes need ${t.join(', ')} (apt-get install tomcat10 default-jre-headless)`;
    if (spawnSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).status !== 0)
      return 'real Tomcat nodes need java (apt-get install default-jre-headless)';
  }
  if (lb === 'haproxy' && !findHaproxy()) return 'HAProxy is not installed (apt-get install haproxy)';
  if ((lb === 'apache' || lb === 'mod_jk') && !existsSync(APACHE2))
    return 'Apache httpd is not installed (apt-get install apache2)';
  if (lb === 'mod_jk' && !existsSync('/usr/lib/apache2/modules/mod_jk.so'))
    return 'mod_jk is not installed (apt-get install libapache2-mod-jk)';
  if (lb === 'mod_jk' && nodes !== 'tomcat')
    return 'mod_jk speaks AJP, which only real Tomcat nodes have: add --nodes tomcat';
  return null;
}

export function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 5000, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
  });
}

export async function waitUp(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if ([200, 302].includes(await get(url))) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not come up within ${ms / 1000}s`);
}

/**
 * Creates three node homes under `dir`: simulated nodes, or real Tomcat with replication on (sessions survive the
 * roll).
 */
export async function makeNodes(kind, dir) {
  const nodes = [];
  for (const n of [1, 2, 3])
    nodes.push({
      name: `node${n}`,
      home: join(dir, `node${n}`),
      httpPort: await freePort(),
      ajpPort: await freePort(),
      shutdownPort: await freePort(),
      clusterPort: await freePort(),
      address: HOST,
    });
  for (const n of nodes) {
    if (kind === 'tomcat') {
      const members = nodes.map((m) => ({ node: m.name, host: HOST, clusterPort: m.clusterPort }));
      makeTomcatHome({
        home: n.home,
        node: n.name,
        host: HOST,
        httpPort: n.httpPort,
        ajpPort: n.ajpPort,
        shutdownPort: n.shutdownPort,
        clusterPort: n.clusterPort,
        members,
        replication: true,
        ajpSecret: 'lrroll-demo',
      });
    } else {
      makeHome({
        home: n.home,
        node: n.name,
        host: HOST,
        httpPort: n.httpPort,
        startMs: 2500,
        stopMs: 500,
        patches: 'dxp-14',
      });
    }
  }
  return nodes;
}

/**
 * Starts the load balancer; returns its front-end URL, the playbook's `loadBalancer:` section and the processes to
 * kill.
 */
export async function startLb(kind, dir, nodes) {
  const port = await freePort();
  if (kind === 'haproxy') {
    const socket = join(dir, 'haproxy-admin.sock');
    writeFileSync(join(dir, 'haproxy.cfg'), haproxyConfig({ socket, port, nodes }));
    const child = spawn(findHaproxy(), ['-f', join(dir, 'haproxy.cfg'), '-db'], { stdio: 'ignore' });
    return {
      front: `http://${HOST}:${port}/`,
      children: [child],
      groups: [],
      yaml:
        `loadBalancer:\n  type: haproxy\n  socket: ${socket}` +
        `\n  backend: liferay\n  drainTimeout: 10s\n  pollInterval: 250ms\n`,
    };
  }
  const lbDir = join(dir, kind);
  mkdirSync(lbDir, { recursive: true });
  const conf = join(lbDir, 'httpd.conf');
  if (kind === 'apache') writeFileSync(conf, apacheBalancerConfig({ dir: lbDir, host: HOST, port, nodes }));
  else {
    writeFileSync(conf, modJkConfig({ dir: lbDir, host: HOST, port }));
    writeFileSync(join(lbDir, 'workers.properties'), modJkWorkers({ nodes, secret: 'lrroll-demo' }));
  }
  // Its own process group: httpd's children go with it at the end.
  const child = spawn(APACHE2, ['-f', conf, '-DFOREGROUND'], { stdio: 'ignore', detached: true });
  const admin = `http://${HOST}:${port}/${kind === 'apache' ? 'balancer-manager' : 'jkstatus'}`;
  return {
    front: `http://${HOST}:${port}/`,
    children: [],
    groups: [child],
    yaml:
      `loadBalancer:\n  type: ${kind}\n  url: ${admin}\n  balancer: liferay\n  drainTimeout: 10s\n  ` +
      `pollInterval: 250ms\n`,
  };
}

/** Starts every node with its own catalina.sh and waits until each answers. */
export async function startNodes(kind, nodes) {
  for (const n of nodes)
    spawnSync('sh', [join(n.home, 'tomcat/bin/catalina.sh'), 'start'], {
      stdio: 'ignore',
      env: { ...process.env, CATALINA_PID: join(n.home, 'liferay.pid') },
    });
  await Promise.all(
    nodes.map((n) => waitUp(`http://${HOST}:${n.httpPort}/c/portal/layout`, kind === 'tomcat' ? 240_000 : 60_000)),
  );
}

/** Stops every node and kills the load balancer. */
export function stopAll(nodes, lb) {
  for (const c of lb?.children ?? []) c.kill('SIGKILL');
  for (const g of lb?.groups ?? []) {
    try {
      process.kill(-g.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const n of nodes)
    spawnSync('sh', [join(n.home, 'tomcat/bin/catalina.sh'), 'stop', '10', '-force'], {
      stdio: 'ignore',
      env: { ...process.env, CATALINA_PID: join(n.home, 'liferay.pid') },
    });
}
