// The built-in local demo: three nodes on this machine (local transport) behind a load balancer,
// and a real `lrroll run` of a rolling change with the full progress view while users work through
// the load balancer.
// Usage: npm run demo [-- --nodes sim|tomcat] [-- --lb haproxy|apache|mod_jk|none] [--keep]
//   --nodes sim     simulated Liferay nodes (the default: starts in seconds)
//   --nodes tomcat  real Tomcat 10 nodes (Debian's tomcat10) with a small test portal and HTTP
//                   session replication; logged-in users keep their session through the roll
//   --lb            the load balancer (default: HAProxy when installed, else none)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { findHaproxy, makeNodes, missing, startLb, startNodes, stopAll, waitUp } from './demo-cluster.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// The same rule as lrroll's own output: NO_COLOR wins, then FORCE_COLOR, else colour only on a terminal.
const { NO_COLOR, FORCE_COLOR } = process.env;
const colour = NO_COLOR ? false : FORCE_COLOR !== undefined ? FORCE_COLOR !== '0' : process.stderr.isTTY === true;
const say = (text) => process.stderr.write(`${colour ? '\x1b[2m[demo]\x1b[0m' : '[demo]'} ${text}\n`);

let args;
try {
  args = parseArgs({
    options: {
      nodes: { type: 'string', default: 'sim' },
      lb: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  }).values;
} catch (err) {
  say(`${err.message}\nusage: npm run demo -- [--nodes sim|tomcat] [--lb haproxy|apache|mod_jk|none] [--keep]`);
  process.exit(2);
}
const nodeKind = args.nodes;
const lbKind = args.lb ?? (findHaproxy() ? 'haproxy' : 'none');
if (!['sim', 'tomcat'].includes(nodeKind) || !['haproxy', 'apache', 'mod_jk', 'none'].includes(lbKind)) {
  say(
    `unknown --nodes ${nodeKind} or --lb ${lbKind}\nusage: npm run demo -- [--nodes sim|tomcat] ` +
      `[--lb haproxy|apache|mod_jk|none] [--keep]`,
  );
  process.exit(2);
}
const why = missing(nodeKind, lbKind);
if (why) {
  say(`cannot run this demo here: ${why}`);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'lrroll-demo-'));
let nodes = [];
let lb = null;

/**
 * Simulated users through the load balancer: with Tomcat nodes they log in and keep a counter in their HTTP session.
 */
function startUsers(front, loggedIn) {
  let total = 0;
  let failed = 0;
  let lost = 0;
  let running = true;
  const request = (path, cookie) =>
    new Promise((resolve) => {
      const req = http.get(
        new URL(path, front),
        { timeout: 10_000, headers: { connection: 'close', ...(cookie ? { cookie } : {}) } },
        (res) => {
          res.resume();
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              counter: res.headers['x-lrroll-counter'],
              cookie: (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ') || cookie,
            }),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve({ status: 0, counter: undefined, cookie }));
    });
  const user = async (i) => {
    let cookie = null;
    let session = false;
    while (running) {
      const r = await request(loggedIn && !session ? `/c/portal/login?user=u${i}` : '/web/guest/home', cookie);
      total++;
      cookie = r.cookie;
      if (r.status === 0 || r.status >= 500) failed++;
      else if (loggedIn && session && r.counter === undefined) lost++;
      session = loggedIn && r.status < 500 && r.counter !== undefined;
      await new Promise((res) => setTimeout(res, 200));
    }
  };
  const users = [0, 1, 2, 3, 4, 5].map(user);
  return async () => {
    running = false;
    await Promise.all(users);
    return { total, failed, lost };
  };
}

function getText(url) {
  return new Promise((resolve) => {
    http
      .get(url, { timeout: 5000, headers: { connection: 'close' } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve(text));
      })
      .on('error', () => resolve(''));
  });
}

function playbook() {
  const change =
    nodeKind === 'tomcat'
      ? `change:\n  type: custom\n  name: JSP-only hotfix of the home page (build 1 → 2)\n  ` +
        `rollingSafe: true\n  commands:\n    - sed -i 's/(build 1)/(build 2)/' ` +
        `{{tomcatHome}}/webapps/ROOT/home.jsp\n  backup: ` +
        `['{{tomcatHome}}/webapps/ROOT/home.jsp']\nhealth:\n  startupMarker:\n    timeout: 5m\n  ` +
        `http:\n    interval: 500ms\n    timeout: 5m\n  settle: 1s\n  expectedStartTime: 20s\n`
      : `change:\n  - type: portal-properties\n    set:\n      session.timeout: 45\n  - type: ` +
        `module\n    artifact: ${join(root, 'playbooks/artifacts/com.acme.orders.service-2.1.3.jar')}` +
        `\n    deployTo: modules\n    dataChanges: compatible\n    installedSchemaVersion: ` +
        `2.1.0\nhealth:\n  http:\n    interval: 500ms\n  settle: 2s\n  expectedStartTime: 4s\n`;
  const file = join(dir, 'demo.yml');
  writeFileSync(
    file,
    `# yaml-language-server: $schema=${join(root, 'schemas/playbook.schema.json')}
lrroll: 1
name: Demo — ${nodeKind === 'tomcat' ? 'a JSP hotfix on three real Tomcat nodes' : 'session timeout and an updated module, rolled over three nodes'}
inventory:
  defaults:
    transport: local
  nodes:
${nodes.map((n) => `    - name: ${n.name}\n      host: 127.0.0.1\n      liferayHome: ${n.home}\n      httpPort: ` + `${n.httpPort}\n`).join('')}${lb?.yaml ?? 'loadBalancer:\n  type: none\n'}rollout:
  serial: 1
  minHealthy: 2
${change}`,
  );
  return file;
}

async function main() {
  say(
    `demo cluster in ${dir}: ` +
      (nodeKind === 'tomcat'
        ? 'three real Tomcat 10 nodes with session replication'
        : 'three simulated Liferay nodes') +
      `, load balancer: ${lbKind}`,
  );
  nodes = await makeNodes(nodeKind, dir);
  if (lbKind !== 'none') lb = await startLb(lbKind, dir, nodes);
  else
    say('no load balancer: the demo runs without one (install haproxy, or pass --lb apache|mod_jk, to see draining)');
  say(`starting the nodes${nodeKind === 'tomcat' ? ' (each JVM takes a while)' : ''}…`);
  await startNodes(nodeKind, nodes);
  if (lb) {
    await waitUp(new URL('/c/portal/layout', lb.front).href, 60_000);
    say(`${lbKind} in front of the nodes on ${lb.front}`);
  }
  const file = playbook();
  say(`playbook: ${file}`);
  const stopUsers = lb ? startUsers(lb.front, nodeKind === 'tomcat') : null;
  const run = spawn(process.execPath, [join(root, 'dist/bin/lrroll.js'), 'run', file, '--yes'], {
    stdio: 'inherit',
    env: { ...process.env, LRROLL_HOME: join(dir, 'lrroll-home') },
  });
  const code = await new Promise((resolve) => run.on('close', resolve));
  if (stopUsers) {
    const { total, failed, lost } = await stopUsers();
    say(
      `users through ${lbKind} during the run: ${total} requests, ${failed} failed` +
        `${nodeKind === 'tomcat' ? `, ${lost} lost session(s)` : ''}`,
    );
  }
  if (nodeKind === 'tomcat') {
    const pages = await Promise.all(nodes.map((n) => getText(`http://127.0.0.1:${n.httpPort}/web/guest/home`)));
    say(
      `each node's home page now: ` +
        `${pages.map((p, i) => `${nodes[i].name} ${/\(build \d+\)/.exec(p)?.[0] ?? '?'}`).join(', ')}`,
    );
  }
  return code ?? 1;
}

function cleanup() {
  stopAll(nodes, lb);
  if (!args.keep) rmSync(dir, { recursive: true, force: true });
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
