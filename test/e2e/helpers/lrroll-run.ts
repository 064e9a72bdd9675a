import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestCluster } from '../../cluster/cluster.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(ROOT, 'dist/bin/lrroll.js');

/** The result of running the built CLI. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Parsed NDJSON events (with --output json). */
  events: Array<Record<string, unknown> & { kind: string }>;
}

/** Runs `lrroll <args>` as a child process with the cluster's known_hosts and no ~/.ssh/config. */
export function lrroll(
  args: string[],
  cluster: TestCluster,
  env: Record<string, string> = {},
  timeoutMs = 240_000,
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: cluster.dir,
      env: {
        ...process.env,
        NO_COLOR: '1',
        CI: 'true',
        LRROLL_KNOWN_HOSTS: cluster.knownHostsFile,
        LRROLL_SSH_CONFIG: '/dev/null',
        SSH_AUTH_SOCK: '',
        LRROLL_HOME: join(cluster.dir, 'lrroll-home'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      // NDJSON lines only (a pretty-printed document, e.g. `plan --format json`, is not an event stream).
      const events = stdout.split('\n').flatMap((l) => {
        if (!l.startsWith('{')) return [];
        try {
          return [JSON.parse(l) as CliRun['events'][number]];
        } catch {
          return [];
        }
      });
      resolve({ code, stdout, stderr, events });
    });
  });
}

/**
 * Writes a playbook for the test cluster (its nodes in `order`, default node1..N); `body` is YAML appended after the
 * inventory and load balancer (`lbYaml`, else HAProxy or none) and default health gates (unless it has its own
 * `health:`).
 */
export function writePlaybook(
  cluster: TestCluster,
  name: string,
  body: string,
  options: { lb?: boolean; lbYaml?: string; tomcatDir?: string; order?: string[] } = {},
): string {
  // Nodes whose Liferay Home or Tomcat folder differs from the defaults below get their own paths.
  const tomcatOf = (home: string): string => readdirSync(home).find((d) => /^tomcat/.test(d)) ?? 'tomcat';
  const ownPaths = (n: TestCluster['nodes'][number]): string =>
    n.remoteHome === '/opt/liferay' && tomcatOf(n.home) === (options.tomcatDir ?? 'tomcat')
      ? ''
      : `      liferayHome: ${n.remoteHome}\n      tomcatHome: ${n.remoteHome}/${tomcatOf(n.home)}\n`;
  const listed = options.order ? options.order.map((n) => cluster.node(n)) : cluster.nodes;
  const nodes = listed
    .map(
      (n) =>
        `    - name: ${n.name}\n      host: ${n.address}\n      port: ${n.sshPort}\n      httpPort: ` +
        `${n.httpPort}\n${ownPaths(n)}`,
    )
    .join('');
  const lb =
    options.lbYaml ??
    (options.lb === false || !cluster.haproxy
      ? 'loadBalancer:\n  type: none\n'
      : `loadBalancer:\n  type: haproxy\n  socket: ${cluster.haproxy.socket}\n  backend: ` +
        `${cluster.haproxy.backend}\n  drainTimeout: 4s\n  pollInterval: 200ms\n  upTimeout: 30s\n`);
  const health = /^health:/m.test(body)
    ? ''
    : `health:
  http:
    url: http://{{host}}:{{httpPort}}/c/portal/layout
    interval: 300ms
    timeout: 60s
  startupMarker:
    timeout: 60s
  settle: 500ms
`;
  const text = `lrroll: 1
name: ${name}
inventory:
  defaults:
    user: ${cluster.sshUser}
    identityFile: ${cluster.identityFile}
    liferayHome: /opt/liferay
    tomcatHome: /opt/liferay/${options.tomcatDir ?? 'tomcat'}
    service:
      stopTimeout: 20s
      startTimeout: 30s
  nodes:
${nodes}${lb}${health}${body}`;
  const file = join(cluster.dir, `${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.yml`);
  writeFileSync(file, text);
  return file;
}
