/**
 * The simulated Liferay node (test/sim): catalina.sh, the HTTP life cycle, hot deploy, the fake
 * Patching Tool, fault flags and the JGroups-style cluster view. Every process started here is
 * killed in afterAll (and each sim.json carries maxLifetimeMs, and a sim exits when its home vanishes).
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PATTERNS } from '../../../src/plan/defaults.js';
import { makeZip } from '../../helpers/make-zip.js';
import { makeFakeJdk, makeHome, type MakeHomeOptions, type SimHome as Home } from '../../sim/make-home.mjs';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let root: string;
const homes: Home[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'lrroll-sim-test-'));
});

afterAll(() => {
  // Kill whatever is still running, even when a test failed half way.
  for (const h of homes) {
    for (const f of [h.pidFile, join(h.home, 'sim.pid')]) {
      const pid = Number(readIf(f).trim());
      if (Number.isInteger(pid) && pid > 1 && alive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }
  rmSync(root, { recursive: true, force: true });
});

function readIf(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not reaped yet) counts as gone.
  return !/^\d+ \(.*\) Z/.test(readIf(`/proc/${pid}/stat`));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function newHome(
  name: string,
  opts: Partial<MakeHomeOptions> = {},
  extra: MakeHomeOptions['extra'] = {},
): Promise<Home> {
  const h = makeHome({
    home: join(root, name),
    node: name,
    host: '127.0.0.1',
    httpPort: await freePort(),
    startMs: 300,
    stopMs: 50,
    ...opts,
    extra: { maxLifetimeMs: 60_000, deployIntervalMs: 100, ...extra },
  });
  homes.push(h);
  return h;
}

function setSim(h: Home, patch: Record<string, unknown>): void {
  const cfg = JSON.parse(readFileSync(h.simJson, 'utf8')) as Record<string, unknown>;
  writeFileSync(h.simJson, JSON.stringify({ ...cfg, ...patch }, null, 2));
}

/** An environment without the caller's Java/Tomcat settings. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env))
    if (/^(JAVA_HOME|JRE_HOME|JAVA_OPTS|CATALINA_\w+|LIFERAY_\w+)$/.test(k)) delete env[k];
  return env;
}

function sh(script: string, args: string[], cwd = root): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', [script, ...args], { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out }));
  });
}

const catalina = (h: Home, ...args: string[]) => sh(h.catalina, args);
const patchingTool = (h: Home, ...args: string[]) => sh(h.patchingTool, args);

function get(h: Home, path: string, headers: Record<string, string> = {}): Promise<Reply | null> {
  return new Promise((resolve) => {
    const req = request(`${h.url}${path}`, { agent: false, headers, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', () => resolve(null));
    });
    req.on('error', () => resolve(null));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function waitFor<T>(
  what: string,
  fn: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  h?: Home,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end)
      throw new Error(
        `timed out waiting for ${what}${h ? `; ${h.log}:\n${log(h).split('\n').slice(-25).join('\n')}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 25));
  }
}

const log = (h: Home): string => readIf(h.log);
const count = (text: string, re: RegExp): number => [...text.matchAll(new RegExp(re.source, 'gm'))].length;
const MARKER = new RegExp(PATTERNS.startupMarker);
const STARTED = new RegExp(PATTERNS.moduleStarted, 'g');
const VIEW = new RegExp(
  String.raw`\[[^\]]*?(liferay-channel-[\w-]+)[^\]]*\]` +
    PATTERNS.clusterView.replace(/^JGroupsReceiver/, String.raw`\[JGroupsReceiver`),
  'g',
);

function pidOf(h: Home): number {
  return Number(readIf(h.pidFile).trim());
}

function started(text: string): Array<{ bsn: string; version: string; id: string }> {
  return [...text.matchAll(STARTED)].map((m) => ({ bsn: m[1] as string, version: m[2] as string, id: m[3] as string }));
}

function views(text: string): Array<{ channel: string; coordinator: string; size: number; members: string[] }> {
  return [...text.matchAll(VIEW)].map((m) => ({
    channel: m[1] as string,
    coordinator: m[2] as string,
    size: Number(m[4]),
    members: (m[5] as string).split(',').map((s) => s.trim()),
  }));
}

describe.concurrent('simulated Liferay node (test/sim)', () => {
  it('starts (503, then 302/200), hot-deploys, sets JSESSIONID.<node>, stops gracefully and restarts', async () => {
    const h = await newHome('node1', { startMs: 1200, stopMs: 100 });
    const jdk = join(root, 'jdk-17.0.13');
    makeFakeJdk(jdk, '17.0.13');
    writeFileSync(
      h.setenv,
      `JAVA_HOME='${jdk}'; export JAVA_HOME\nCATALINA_OPTS="$CATALINA_OPTS -Xmx2g -Dlrroll.test=yes"\n`,
    );
    const longBsn = 'com.acme.orders.service.with.a.rather.long.symbolic.name.that.wraps.ar';
    await makeZip(join(h.home, 'deploy/acme-orders-9.9.9.jar'), {
      'META-INF/MANIFEST.MF':
        `Manifest-Version: 1.0\r\nBundle-ManifestVersion: 2\r\nBundle-SymbolicName: ${longBsn}` +
        `\r\n ound;singleton:=true\r\nBundle-Version: 2.1.3\r\n\r\n`,
      'com/acme/Orders.class': 'x',
    });
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(h.home, 'deploy/acme-orders-9.9.9.jar'), old, old); // copied in while the node was down

    const start = await catalina(h, 'start');
    expect(start).toMatchObject({ code: 0 });
    expect(start.out).toContain('Tomcat started.');
    const pid = pidOf(h);
    expect(alive(pid)).toBe(true);

    const first = await waitFor('the first HTTP answer', () => get(h, '/c/portal/layout'), h);
    expect(first.status).toBe(503);
    expect(first.headers['x-lrroll-node']).toBe('node1');
    const up = await waitFor(
      '302 from /c/portal/layout',
      async () => {
        const r = await get(h, '/c/portal/layout');
        return r?.status === 302 ? r : null;
      },
      h,
    );
    expect(up.headers.location).toBe('/web/guest/home');
    const cookie = String(up.headers['set-cookie']);
    expect(cookie).toMatch(/^JSESSIONID=[0-9A-F]{32}\.node1; Path=\/; HttpOnly$/);
    const jsession = cookie.split(';')[0] as string;
    const again = await get(h, '/web/guest/home', { Cookie: jsession });
    expect(again).toMatchObject({ status: 200, headers: { 'x-lrroll-session': 'existing' } });
    expect(again?.headers['set-cookie']).toBeUndefined();
    expect(again?.body).toContain('node1');

    let text = log(h);
    expect(count(text, /^lrroll-sim: node=node1 event=start pid=\d+ at=\S+/)).toBe(1);
    expect(count(text, new RegExp(MARKER.source))).toBe(1);
    expect(text.indexOf('event=start')).toBeLessThan(text.search(MARKER));
    expect(text).toContain(`Auto deploy scanner started for ${h.home}/deploy`);
    expect(text).toMatch(/\[AutoDeployDir:\d+\] Processing acme-orders-9\.9\.9\.jar/);
    expect(started(text)).toContainEqual(expect.objectContaining({ bsn: `${longBsn}ound`, version: '2.1.3' }));
    expect(text.search(STARTED)).toBeLessThan(text.search(MARKER));
    expect(existsSync(join(h.home, 'osgi/modules/acme-orders-9.9.9.jar'))).toBe(true);
    expect(readdirSync(join(h.home, 'deploy'))).toEqual([]);
    expect(text).toContain(`lrroll-sim: node=node1 JAVA_HOME=${jdk}`);
    expect(text).toMatch(/lrroll-sim: node=node1 CATALINA_OPTS=.*-Xmx2g -Dlrroll\.test=yes/);
    expect(text).toMatch(/portal-ext\.properties\.sha256=[0-9a-f]{64}/);
    expect(text).toContain('There are no patches installed');
    // Tomcat and Liferay time stamp formats.
    expect(text).toMatch(
      /^\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2}\.\d{3} INFO \[main\] org\.apache\.catalina\.startup\.Catalina\.load /m,
    );
    expect(text).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} INFO  \[main\]\[StartupHelperUtil:72\] /m);

    const state = JSON.parse((await get(h, '/lrroll-sim/state'))?.body ?? '{}') as Record<string, unknown>;
    expect(state).toMatchObject({
      node: 'node1',
      pid,
      phase: 'started',
      patches: [],
      javaHome: jdk,
      osgiStateFresh: true,
    });
    expect(String(state.catalinaOpts)).toContain('-Xmx2g');
    expect(state.propertiesSha256).toMatch(/^[0-9a-f]{64}$/);

    // Hot deploy while running: no manifest, so bsn and version come from the file name.
    // Written next to deploy/ and renamed in, as lrroll does (a scanner may see a half-written file otherwise).
    await makeZip(join(h.home, 'deploy/.com.acme.hot-1.0.4.jar.lrroll-tmp'), { 'readme.txt': 'no manifest' });
    renameSync(
      join(h.home, 'deploy/.com.acme.hot-1.0.4.jar.lrroll-tmp'),
      join(h.home, 'deploy/com.acme.hot-1.0.4.jar'),
    );
    await waitFor(
      'STARTED com.acme.hot',
      () => started(log(h)).some((b) => b.bsn === 'com.acme.hot' && b.version === '1.0.4'),
      h,
    );

    const stop = await catalina(h, 'stop', '5', '-force');
    expect(stop).toMatchObject({ code: 0 });
    expect(stop.out).toContain('Tomcat stopped.');
    expect(existsSync(h.pidFile)).toBe(false);
    expect(alive(pid)).toBe(false);
    text = log(h);
    expect(text).toMatch(/^lrroll-sim: node=node1 event=stop pid=\d+ at=\S+ signal=SIGTERM$/m);
    expect(text).toContain('org.apache.catalina.core.StandardService.stopInternal Stopping service [Catalina]');
    expect(text).toMatch(/^lrroll-sim: node=node1 event=exit .* code=0/m);
    expect(await get(h, '/c/portal/layout')).toBeNull();

    // Restart with a response delay: a request in flight when the stop begins still completes.
    setSim(h, { startMs: 300, responseMs: 400 });
    expect(await catalina(h, 'start')).toMatchObject({ code: 0 });
    await waitFor('restart', async () => (await get(h, '/c/portal/layout'))?.status === 302, h);
    const oldSession = await get(h, '/web/guest/home', { Cookie: jsession });
    expect(oldSession?.headers['x-lrroll-session']).toBe('new'); // the session died with the old JVM
    expect(String(oldSession?.headers['set-cookie'])).toMatch(/\.node1;/);
    const slow = get(h, '/web/guest/home');
    await new Promise((r) => setTimeout(r, 100));
    const stopping = catalina(h, 'stop', '5', '-force');
    expect(await slow).toMatchObject({ status: 200 });
    expect(await stopping).toMatchObject({ code: 0 });
    text = log(h);
    expect(count(text, /^lrroll-sim: node=node1 event=start /)).toBe(2);
    expect(count(text, /^lrroll-sim: node=node1 event=stop /)).toBe(2);
    expect(count(text, new RegExp(MARKER.source))).toBe(2);
    // Bundle ids persist in osgi/state across restarts.
    const ids = started(text)
      .filter((b) => b.bsn === 'com.acme.hot')
      .map((b) => b.id);
    expect(new Set(ids).size).toBe(1);
    expect(ids.length).toBe(2);
  });

  it('catalina.sh refuses a second start, and stop without a running process aborts like Tomcat', async () => {
    const h = await newHome('node9', { startMs: 100 });
    expect(await catalina(h, 'start')).toMatchObject({ code: 0 });
    const second = await catalina(h, 'start');
    expect(second.code).toBe(1);
    expect(second.out).toContain(`Tomcat appears to still be running with PID ${pidOf(h)}. Start aborted.`);
    expect(await catalina(h, 'stop', '5', '-force')).toMatchObject({ code: 0 });
    const again = await catalina(h, 'stop', '5', '-force');
    expect(again.code).toBe(1);
    expect(again.out).toContain('Is Tomcat running? Stop aborted.');
    // A JAVA_HOME without bin/java is fatal, as in Tomcat's setclasspath.sh.
    writeFileSync(h.setenv, `JAVA_HOME='${join(root, 'no-such-jdk')}'; export JAVA_HOME\n`);
    const bad = await catalina(h, 'start');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('The JAVA_HOME environment variable is not defined correctly');
    expect(existsSync(h.pidFile)).toBe(false);
  });

  it('hangOnStop: stop without -force gives up (exit 1, thread dump), stop -force kills', async () => {
    const h = await newHome('node8', { startMs: 100 }, { hangOnStop: true });
    expect(await catalina(h, 'start')).toMatchObject({ code: 0 });
    await waitFor('the startup marker', () => MARKER.test(log(h)), h);
    const soft = await catalina(h, 'stop', '1');
    expect(soft.code).toBe(1);
    expect(soft.out).toContain('Tomcat did not stop in time.');
    expect(soft.out).toContain('PID file was not removed.');
    expect(existsSync(h.pidFile)).toBe(true);
    await waitFor('the thread dump', () => log(h).includes('Full thread dump'), h);
    const pid = pidOf(h);
    const hard = await catalina(h, 'stop', '1', '-force');
    expect(hard.code).toBe(0);
    expect(hard.out).toContain(`Killing Tomcat with the PID: ${pid}`);
    expect(existsSync(h.pidFile)).toBe(false);
    expect(alive(pid)).toBe(false);
    expect(log(h)).not.toMatch(/event=exit/); // SIGKILL: no last words
  });

  it('patching-tool.sh installs the zips in patches/, reports them with info, and refuses while running', async () => {
    const h = await newHome('node2', { patches: 'dxp-14' });
    const pt = join(h.home, 'patching-tool');
    const installedLine = async (): Promise<string> => {
      const r = await patchingTool(h, 'info');
      expect(r.code).toBe(0);
      expect(r.out).toContain('Product information:');
      expect(r.out).toContain('  * build number: 7210');
      expect(r.out).toContain('  * patching-tool version: 2.0.15');
      return /^Currently installed patches:.*$/m.exec(r.out)?.[0] ?? 'missing';
    };
    expect(await installedLine()).toBe('Currently installed patches: dxp-14-7210');

    const doc = (name: string) =>
      JSON.stringify({
        patch: { id: name, name, product: 'dxp', requirements: 'dxp=14', 'fixed-issues': ['LPS-1'] },
        build: { 'git-revision': 'abc' },
      });
    await makeZip(join(pt, 'patches/liferay-fix-pack-dxp-15-7210.zip'), {
      'fixpack_documentation.json': doc('dxp-15-7210'),
      'binary/a.jsp': 'a',
    });
    // no documentation: name from the file
    await makeZip(join(pt, 'patches/liferay-hotfix-1234-7210.zip'), { 'binary/b.jsp': 'b' });
    const install = await sh(h.patchingTool, ['install'], '/');
    expect(install.code).toBe(0);
    expect(install.out).toContain('The installation was successful. 2 patches are installed on the system.');
    expect(await installedLine()).toBe('Currently installed patches: dxp-15-7210, hotfix-1234-7210');
    const info = (await patchingTool(h, 'info')).out;
    expect(info).toContain('Available patches: dxp-14-7210, dxp-15-7210, hotfix-1234-7210');
    expect(info).toContain('  [*I] dxp-15-7210 :: Installed; Will be installed. :: Built for LIFERAY');
    expect(info).toMatch(/^ {2}\[ -\] dxp-14-7210 :: /m);

    // The exact commands lrroll runs (verify and check-patch-level).
    const verify = await sh('-c', [
      `cd '${pt}' && ./patching-tool.sh info | grep -F 'Currently installed patches:' | grep -qF dxp-15-7210`,
    ]);
    expect(verify.code).toBe(0);
    const level = await sh('-c', [
      `(cd '${pt}' && ./patching-tool.sh info) | sed -n 's/^ *Currently installed patches: *//p'`,
    ]);
    expect(level.out.trim()).toBe('dxp-15-7210, hotfix-1234-7210');

    expect(await catalina(h, 'start')).toMatchObject({ code: 0 });
    const refused = await patchingTool(h, 'install');
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('The application server is running');
    await waitFor(
      'the patch list in the log',
      () =>
        log(h).includes('[StartupHelperUtil:72] The following patches are installed: dxp-15-7210, hotfix-1234-7210'),
      h,
    );
    expect(await catalina(h, 'stop', '5', '-force')).toMatchObject({ code: 0 });

    for (const f of readdirSync(join(pt, 'patches'))) rmSync(join(pt, 'patches', f));
    expect((await patchingTool(h, 'install')).code).toBe(0);
    expect(await installedLine()).toBe('Currently installed patches:');
  });

  it('failStart: logs SEVERE and exits 1 before the startup marker', async () => {
    const h = await newHome('node3', {}, { failStart: true });
    expect(await catalina(h, 'start')).toMatchObject({ code: 0 });
    const pid = pidOf(h);
    await waitFor('the process to exit', () => !alive(pid), h);
    const text = log(h);
    expect(text).toMatch(
      /SEVERE \[main\] org\.apache\.catalina\.core\.StandardContext\.startInternal Context \[\] startup failed/,
    );
    expect(text).toMatch(/event=exit .*code=1/);
    expect(text).not.toMatch(MARKER);
    // The stale pid file stays, as after a crashed JVM; Tomcat's stop then aborts.
    const stop = await catalina(h, 'stop', '5', '-force');
    expect(stop.code).toBe(1);
    expect(stop.out).toContain('PID file found but either no matching process was found');
  });

  it('neverHealthy: logs the startup marker but keeps answering 503', async () => {
    const h = await newHome('node4', {}, { neverHealthy: true });
    expect(await catalina(h, 'start')).toMatchObject({ code: 0 });
    await waitFor('the startup marker', () => MARKER.test(log(h)), h);
    for (let i = 0; i < 3; i++) {
      expect((await get(h, '/c/portal/layout'))?.status).toBe(503);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await catalina(h, 'stop', '5', '-force')).toMatchObject({ code: 0 });
  });

  it(
    'two nodes sharing a cluster dir log "Accepted view … (2)" on both channels, and (1) after one ' + 'stops',
    async () => {
      const clusterDir = join(root, 'cluster');
      const a = await newHome('lr-a', { clusterDir, startMs: 200 });
      const b = await newHome('lr-b', { clusterDir, startMs: 200 });
      expect(await catalina(a, 'start')).toMatchObject({ code: 0 });
      expect(await catalina(b, 'start')).toMatchObject({ code: 0 });
      const both = (h: Home, size: number) => {
        const seen = views(log(h)).filter((v) => v.size === size);
        return ['liferay-channel-control', 'liferay-channel-transport-0'].every((c) =>
          seen.some((v) => v.channel === c),
        )
          ? seen
          : null;
      };
      for (const h of [a, b]) {
        const seen = await waitFor(`view (2) on ${h.node}`, () => both(h, 2), h);
        expect(new Set(seen[0]?.members)).toEqual(new Set(['lr-a', 'lr-b']));
      }
      expect(await catalina(b, 'stop', '5', '-force')).toMatchObject({ code: 0 });
      expect(existsSync(join(clusterDir, 'lr-b'))).toBe(false);
      const after = await waitFor('view (1) on lr-a', () => both(a, 1), a);
      expect(after[0]?.members).toEqual(['lr-a']);
      expect(await catalina(a, 'stop', '5', '-force')).toMatchObject({ code: 0 });
    },
  );
});
