// Real Apache httpd instances for the test cluster: mod_proxy_balancer (balancer-manager) or mod_jk
// (status worker) in front of the nodes, each with its own config directory and a loopback
// listener. httpd runs in the foreground in its own process group (parent + two children), so
// the harness can kill the whole group.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { APACHE_MODULES, apacheBalancerConfig, modJkConfig, modJkWorkers } from './lb-configs.mjs';

/** The apache2 binary of Debian's package. */
export const APACHE2 = '/usr/sbin/apache2';

/** A node as the balancers see it. */
export interface BalancedNode {
  name: string;
  address: string;
  httpPort: number;
  ajpPort: number;
}

/** One running httpd. */
export interface ApacheInstance {
  kind: 'apache' | 'mod_jk';
  /** Front-end URL users go through, e.g. http://127.0.0.1:40123 */
  url: string;
  /** balancer-manager or jkstatus URL (what lrroll's playbook names). */
  adminUrl: string;
  /** Balancer / lb worker name. */
  pool: string;
  dir: string;
  child: ChildProcess;
  pid: number;
}

/** What is missing to run the Apache load balancers here, or null. */
export function apacheMissing(kind: 'apache' | 'mod_jk'): string | null {
  if (!existsSync(APACHE2)) return `${APACHE2} (apache2)`;
  if (kind === 'apache' && !existsSync(join(APACHE_MODULES, 'mod_proxy_balancer.so')))
    return 'mod_proxy_balancer (apache2)';
  if (kind === 'mod_jk' && !existsSync(join(APACHE_MODULES, 'mod_jk.so')))
    return `${APACHE_MODULES}/mod_jk.so (libapache2-mod-jk)`;
  return null;
}

function get(url: string, headers: Record<string, string>): Promise<{ status: number; text: string } | null> {
  return new Promise((resolve) => {
    const req = http.get(url, { headers: { connection: 'close', ...headers }, agent: false, timeout: 2000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(null));
  });
}

/** Writes the instance's config (and workers.properties for mod_jk) and checks it with `apache2 -t`. */
function writeConfig(
  kind: 'apache' | 'mod_jk',
  dir: string,
  host: string,
  port: number,
  nodes: BalancedNode[],
  ajpSecret: string,
): string {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'httpd.conf');
  if (kind === 'apache') writeFileSync(conf, apacheBalancerConfig({ dir, host, port, nodes }));
  else {
    writeFileSync(conf, modJkConfig({ dir, host, port }));
    writeFileSync(join(dir, 'workers.properties'), modJkWorkers({ nodes, secret: ajpSecret }));
  }
  const check = spawnSync(APACHE2, ['-t', '-f', conf], { encoding: 'utf8', timeout: 30_000 });
  if (check.status !== 0) throw new Error(`apache2 -t -f ${conf} failed: ${check.stderr}${check.stdout}`);
  return conf;
}

/** Starts one httpd and resolves once its admin page answers. */
export async function startApache(
  kind: 'apache' | 'mod_jk',
  dir: string,
  host: string,
  port: number,
  nodes: BalancedNode[],
  ajpSecret: string,
  timeoutMs = 30_000,
): Promise<ApacheInstance> {
  const conf = writeConfig(kind, dir, host, port, nodes, ajpSecret);
  const child = spawn(APACHE2, ['-f', conf, '-DFOREGROUND'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.unref();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  const url = `http://${host}:${port}`;
  const adminUrl = kind === 'apache' ? `${url}/balancer-manager` : `${url}/jkstatus`;
  const probe = kind === 'apache' ? `${adminUrl}?xml=1` : `${adminUrl}?cmd=list&mime=prop`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    const r = await get(probe, { Referer: adminUrl });
    if (r?.status === 200 && (r.text.includes('<httpd:manager') || r.text.includes('result.type=OK'))) {
      return { kind, url, adminUrl, pool: 'liferay', dir, child, pid: child.pid as number };
    }
    await new Promise((r2) => setTimeout(r2, 100));
  }
  killGroup(child);
  let log = '';
  try {
    log = readFileSync(join(dir, 'error.log'), 'utf8');
  } catch {
    /* none */
  }
  throw new Error(`apache2 (${kind}) on ${host}:${port} did not come up: ${stderr}${log}`);
}

/** SIGKILLs httpd's whole process group (the parent and its children). */
export function killGroup(child: ChildProcess): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}
