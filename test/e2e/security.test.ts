// End-to-end: hostile and careless input on a real cluster (sshd per node in its own mount
// namespace, HAProxy, simulated Liferay nodes).
//
// A var, a node name, a member name, an artifact's file name or its Bundle-SymbolicName holding
// `$(…)`, backticks, quotes, `;`, a newline or a leading `-` never runs anything — on a node, on
// this machine, in HAProxy's runtime API — and never becomes an option. Each payload would create
// a marker file if it ran; the test looks for every marker afterwards. Whichever layer stops a value
// is fine: a located validation error (exit 2), a refusal (exit 3), or the value passed on as plain
// data (exit 0, and the value shows up literally where it was used).
//
// Secrets from the environment appear in no output, plan, event, run record or `ps` listing; the
// run record and the backups on the nodes are readable by their owner only.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { makeZip } from '../helpers/make-zip.js';
import { recordOf, resetCluster, runEnd, runLrroll, type LrEvent } from './helpers/faults.js';

const support = clusterSupport();
if (!support.ok) process.stderr.write(`security e2e skipped: ${support.reason}\n`);

const STACK = /\n\s+at .+:\d+:\d+\)?\n|internal error/;
const TAG = `lrroll-pwn-${randomBytes(4).toString('hex')}`;
const log = (text: string) => process.stderr.write(`security e2e: ${text}\n`);

/** The ways a value can try to break out of a shell word, an API command or an argument list. */
function payloads(field: string, absolute = true): Array<{ id: string; value: string }> {
  const m = (id: string): string => `${absolute ? '/tmp/' : ''}${TAG}-${field}-${id}`;
  return [
    { id: 'dollar', value: `$(touch ${m('dollar')})` },
    { id: 'backtick', value: `\`touch ${m('backtick')}\`` },
    { id: 'squote', value: `'; touch ${m('squote')}; '` },
    { id: 'dquote', value: `"; touch ${m('dquote')}; "` },
    { id: 'semicolon', value: `x; touch ${m('semicolon')}` },
    { id: 'newline', value: `x\ntouch ${m('newline')}` },
    { id: 'dash', value: `-oProxyCommand=touch ${m('dash')}` },
  ];
}

const yamlString = (s: string): string => JSON.stringify(s); // JSON strings are YAML double-quoted scalars

describe.skipIf(!support.ok)(
  `hostile input and secrets on a real cluster (sshd per node + HAProxy)` +
    `${support.ok ? '' : ` — skipped: ${support.reason}`}`,
  () => {
    let cluster: TestCluster;
    const home = (s: string) => join(cluster.dir, `lrroll-home-${s}`);

    beforeAll(async () => {
      cluster = await startTestCluster({ nodes: 2, haproxy: true, startMs: 500, stopMs: 100 });
      await cluster.startAll();
    }, 120_000);
    afterAll(async () => {
      spawnSync('sh', ['-c', `rm -rf /tmp/${TAG}* /root/${TAG}* ${homedir()}/${TAG}*`]);
      await cluster?.stop();
    }, 60_000);
    beforeEach(async () => {
      if (cluster) await resetCluster(cluster, { startMs: 500 });
    }, 90_000);

    /**
     * Every marker file a payload created, wherever a command could have run (this machine, a node's home, ssh's login
     * folder).
     */
    function markers(): string[] {
      const dirs = ['/tmp', '/root', homedir(), '/', cluster.dir, ...cluster.nodes.map((n) => n.home)];
      const r = spawnSync('find', [...new Set(dirs), '-maxdepth', '4', '-name', `${TAG}*`], { encoding: 'utf8' });
      return r.stdout.split('\n').filter(Boolean).sort();
    }

    /** A playbook for the test cluster with these inventory entries (host/port default to node i's). */
    function playbook(
      name: string,
      nodes: Array<{ name: string; host?: string; member?: string }>,
      body: string,
      health = '',
    ): string {
      const inv = nodes
        .map((n, i) => {
          const c = cluster.nodes[i] ?? cluster.nodes[0];
          return (
            `    - name: ${yamlString(n.name)}\n      host: ${yamlString(n.host ?? c?.address ?? '')}` +
            `\n      port: ${c?.sshPort}\n      httpPort: ${c?.httpPort}\n` +
            `${n.member ? `      member: ${yamlString(n.member)}\n` : ''}`
          );
        })
        .join('');
      const text = `lrroll: 1
name: ${yamlString(name)}
inventory:
  defaults:
    user: ${cluster.sshUser}
    identityFile: ${cluster.identityFile}
    liferayHome: /opt/liferay
    tomcatHome: /opt/liferay/tomcat
    service:
      stopTimeout: 20s
      startTimeout: 30s
  nodes:
${inv}loadBalancer:
  type: haproxy
  socket: ${cluster.haproxy?.socket}
  backend: ${cluster.haproxy?.backend}
  drainTimeout: 3s
  pollInterval: 200ms
  upTimeout: 30s
health:
  http:
    url: http://{{host}}:{{httpPort}}/c/portal/layout
    interval: 300ms
    timeout: 60s
  startupMarker:
    timeout: 60s
  settle: 200ms
${health}rollout:
  serial: 1
  minHealthy: 1
${body}`;
      const file = join(cluster.dir, `${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.yml`);
      writeFileSync(file, text);
      return file;
    }

    /**
     * The run is one of the accepted outcomes, no stack trace, an exit 2 names where; nothing ran; HAProxy has every
     * server UP (unless the run may fail and leave one out).
     */
    async function expectNothingRan(
      what: string,
      run: { code: number | null; stdout: string; stderr: string },
      allowed: number[],
    ): Promise<void> {
      log(`${what}: exit ${run.code}${run.code === 2 ? `: ${run.stderr.split('\n')[0]}` : ''}`);
      expect(allowed, `${what}: exit ${run.code}\n${run.stderr}${run.stdout.slice(-2000)}`).toContain(run.code);
      expect(run.stdout + run.stderr).not.toMatch(STACK);
      if (run.code === 2) expect(run.stderr, what).toMatch(/error\[E_[A-Z_]+\].*:\d+:\d+/);
      expect(markers(), `${what}: a payload ran`).toEqual([]);
      if (run.code !== 1)
        expect(
          (await cluster.haproxyServers()).map((s) => s.status),
          `${what}: HAProxy`,
        ).toEqual(['UP', 'UP']);
    }

    const outputLines = (events: readonly LrEvent[]): string[] =>
      events.filter((e) => e.kind === 'step-output').map((e) => String(e.line));

    it(
      'vars (playbook and --var) and property values: passed as data to node and local commands, never ' + 'run',
      async () => {
        const ps = payloads('var');
        const cli = { id: 'cli', value: `$(touch /tmp/${TAG}-var-cli)` };
        const vars = ps.map((p) => `  v_${p.id}: ${yamlString(p.value)}\n`).join('');
        const words = [...ps, cli].map((p) => `{{v_${p.id}}}`).join(' ');
        const props = payloads('prop')
          .map((p) => `    lrroll.e2e.sec.${p.id}: ${yamlString(p.value)}\n`)
          .join('');
        const pb = playbook(
          'S1 hostile vars',
          [{ name: 'node1' }, { name: 'node2' }],
          `vars:\n${vars}change:\n  type: portal-properties\n  set:\n${props}` +
            `hooks:\n  beforeNode:\n    - run: ${yamlString(`printf '<%s>\\n' ${words}`)}` +
            `\n      on: node\n  afterRun:\n    - run: ${yamlString(`printf '<%s>\\n' ${words}`)}` +
            `\n      on: local\n`,
        );
        const run = await runLrroll(
          ['run', pb, '--yes', '--output', 'json', '--var', `v_cli=${cli.value}`],
          cluster,
          home('vars'),
        );
        await expectNothingRan('vars', run, [0, 2]);
        if (run.code !== 0) return;
        const lines = outputLines(run.events);
        for (const p of [...ps, cli].filter((x) => !x.value.includes('\n')))
          expect(lines, p.id).toContain(`<${p.value}>`);
        const props1 = (await cluster.ssh('node1', 'cat /opt/liferay/portal-ext.properties')).stdout;
        expect(props1).toContain('lrroll.e2e.sec.dollar=');
      },
      180_000,
    );

    it('node names: used in commands, step ids and hooks, never run', async () => {
      const ps = payloads('node');
      for (let i = 0; i < ps.length; i += 2) {
        const pair = ps.slice(i, i + 2);
        const names = pair.length === 2 ? pair : [...pair, { id: 'plain', value: 'node2' }];
        const pb = playbook(
          `S2 hostile node names ${i}`,
          names.map((p, k) => ({ name: p.value, member: `node${k + 1}` })),
          `change:\n  type: restart\nhooks:\n  afterNode:\n    - run: ` +
            `${yamlString("printf '<%s>\\n' {{node}}")}\n      on: node\n    - run: ` +
            `${yamlString("printf '<%s>\\n' {{node}}")}\n      on: local\n`,
        );
        const run = await runLrroll(['run', pb, '--yes', '--output', 'json'], cluster, home('names'));
        await expectNothingRan(`node names ${names.map((p) => p.id).join(', ')}`, run, [0, 2]);
        if (run.code === 0)
          for (const p of names.filter((x) => !x.value.includes('\n')))
            expect(outputLines(run.events)).toContain(`<${p.value}>`);
      }
    }, 300_000);

    it('a host that looks like an ssh option is never one', async () => {
      const [dash] = payloads('host').filter((p) => p.id === 'dash');
      const pb = playbook(
        'S3 hostile host',
        [{ name: 'node1', host: dash?.value ?? '' }, { name: 'node2' }],
        'change:\n  type: restart\n',
      );
      await expectNothingRan(
        'host',
        await runLrroll(['run', pb, '--yes', '--output', 'json'], cluster, home('host')),
        [2, 3],
      );
    }, 120_000);

    it('member names never reach HAProxy as commands (`;` and newlines would chain runtime API commands)', async () => {
      const haproxy = [
        { id: 'chain', value: 'node1;set server liferay/node2 state maint' },
        { id: 'chain-nl', value: 'node1\nset server liferay/node2 state maint' },
      ];
      const ps = [...payloads('member'), ...haproxy];
      for (let i = 0; i < ps.length; i += 2) {
        const pair = ps.slice(i, i + 2);
        const members = pair.length === 2 ? pair : [...pair, { id: 'plain', value: 'node2' }];
        const pb = playbook(
          `S4 hostile members ${i}`,
          members.map((p, k) => ({ name: `node${k + 1}`, member: p.value })),
          'change:\n  type: restart\n',
        );
        const run = await runLrroll(['run', pb, '--yes', '--output', 'json'], cluster, home('members'));
        await expectNothingRan(`members ${pair.map((p) => p.id).join(', ')}`, run, [2, 3]);
        expect(run.events.filter((e) => e.kind === 'step-start' && String(e.action).startsWith('lb-'))).toEqual([]);
      }
    }, 300_000);

    it(
      'artifact file names and Bundle-SymbolicNames from the artifact never run (the installed-schema ' +
        'lookup included)',
      async () => {
        const names = payloads('artifact', false);
        const bsns = payloads('bsn');
        const changes: string[] = [];
        for (const p of names) {
          const file = join(cluster.dir, 'hostile', `${p.value}.jar`);
          await makeZip(file, {
            'META-INF/MANIFEST.MF':
              `Manifest-Version: 1.0\r\nBundle-SymbolicName: com.acme.sec.${p.id}` +
              `\r\nBundle-Version: 1.0.0\r\n\r\n`,
            'content/readme.txt': 'x',
          });
          changes.push(
            `  - type: module\n    artifact: ${yamlString(`hostile/${p.value}.jar`)}\n    dataChanges: none\n`,
          );
        }
        for (const p of bsns) {
          const file = join(cluster.dir, 'hostile', `bsn-${p.id}.jar`);
          await makeZip(file, {
            'META-INF/MANIFEST.MF':
              `Manifest-Version: 1.0\r\nBundle-SymbolicName: ${p.value.replace('\n', '\r\n ')}` +
              `;singleton:=true\r\nBundle-Version: 1.0.0\r\nLiferay-Require-SchemaVersion: 1.0.0\r\n\r\n`,
            'content/readme.txt': 'x',
          });
          changes.push(`  - type: module\n    artifact: hostile/bsn-${p.id}.jar\n    dataChanges: compatible\n`);
        }
        // The simulated node cannot log such names the way lrroll reads them, so the modules gate may
        // fail (exit 1, node left out): what matters here is that nothing ran.
        const modulesGate = '  modules:\n    timeout: 5s\n';
        const newline = names.findIndex((p) => p.id === 'newline');
        const runs: Array<[string, string[], number[]]> = [
          ['file names', changes.slice(0, names.length).filter((_, i) => i !== newline), [0, 2, 3]],
          ['a file name with a line break', [changes[newline] ?? ''], [2]],
          ['Bundle-SymbolicNames', changes.slice(names.length), [0, 1, 2, 3]],
        ];
        for (const [label, list, allowed] of runs) {
          const pb = playbook(
            `S5 hostile ${label}`,
            [{ name: 'node1' }, { name: 'node2' }],
            `change:\n${list.join('')}`,
            modulesGate,
          );
          const plan = spawnSync(process.execPath, ['dist/bin/lrroll.js', 'plan', pb, '--format', 'json'], {
            encoding: 'utf8',
            env: { ...process.env, NO_COLOR: '1' },
          });
          expect(plan.stdout + plan.stderr).not.toMatch(STACK);
          const run = await runLrroll(['run', pb, '--yes', '--output', 'json'], cluster, home('artifacts'));
          await expectNothingRan(`artifact ${label}`, run, allowed);
          if (label === 'file names' && run.code === 0) {
            const installed = (await cluster.ssh('node1', 'ls /opt/liferay/osgi/modules')).stdout;
            for (const p of names.filter((x) => !x.value.includes('\n'))) expect(installed).toContain(`${p.value}.jar`);
          }
          if (label === 'Bundle-SymbolicNames' && run.code !== 2)
            expect(
              run.events.some((e) => e.kind === 'step-end' && String(e.stepId).includes('check-schema-version')),
              'the lookup ran',
            ).toBe(true);
          // Leave no hostile module behind: the next runs' consistency check would see the nodes differ.
          await Promise.all(
            cluster.nodes.map((n) =>
              cluster.ssh(
                n.name,
                `find /opt/liferay/osgi /opt/liferay/deploy -name '*${TAG}*' -delete -o -name 'bsn-*' -delete; true`,
              ),
            ),
          );
          await resetCluster(cluster, { startMs: 500 });
        }
      },
      300_000,
    );

    describe('secrets from the environment', () => {
      const SECRET = `Sx-${randomBytes(9).toString('base64url')}-"q'$(x)`;
      const forms = [SECRET, encodeURIComponent(SECRET), JSON.stringify(SECRET).slice(1, -1)];
      const leaks = (text: string): string[] => forms.filter((f) => text.includes(f));
      /** Runs `fn` while listing every process's arguments every 100 ms; returns the lines that held the secret. */
      async function scanningPs<T>(fn: () => Promise<T>): Promise<{ result: T; seen: string[]; scans: number }> {
        const seen: string[] = [];
        let scans = 0;
        const scanner = setInterval(() => {
          scans += 1;
          const out = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
          seen.push(...out.split('\n').filter((l) => leaks(l).length > 0));
        }, 100);
        try {
          return { result: await fn(), seen, scans };
        } finally {
          clearInterval(scanner);
        }
      }
      const readAll = (dir: string): string =>
        readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((d) => d.isFile())
          .map((d) => readFileSync(join(d.parentPath, d.name), 'utf8'))
          .join('\n');

      it(
        'a failing local beforeRun hook printing the secret: no output, plan, event, record or `ps` ' +
          'listing carries it',
        async () => {
          const pb = playbook(
            'S6 secret beforeRun',
            [{ name: 'node1' }, { name: 'node2' }],
            `vars:\n  token: \${LRROLL_E2E_TOKEN}\nchange:\n  type: ` +
              `restart\nhooks:\n  beforeRun:\n    - run: ` +
              yamlString('echo logging in with {{token}}; sleep 1.5; echo denied for {{token}} >&2; exit 4') +
              `\n      on: local\n`,
          );
          const h = home('secret-before');
          const env = { LRROLL_E2E_TOKEN: SECRET };
          const {
            result: json,
            seen,
            scans,
          } = await scanningPs(() => runLrroll(['run', pb, '--yes', '--output', 'json'], cluster, h, env));
          expect(scans).toBeGreaterThan(10);
          expect(seen, 'the secret in a process argument list (local transport)').toEqual([]);
          const plain = await runLrroll(['run', pb, '--yes', '--output', 'plain', '--verbose'], cluster, h, env);
          expect(json.code).toBe(1);
          expect(plain.code).toBe(1);
          expect(runEnd(json.events)?.reason).toMatch(
            /^a beforeRun hook failed, nothing was changed: .*: the hook exited with code 4: denied for \*\*\*$/,
          );
          expect(plain.stdout).toContain('denied for ***');
          const planText = spawnSync(process.execPath, ['dist/bin/lrroll.js', 'plan', pb, '--full'], {
            encoding: 'utf8',
            env: { ...process.env, ...env, NO_COLOR: '1' },
          });
          const planJson = spawnSync(process.execPath, ['dist/bin/lrroll.js', 'plan', pb, '--format', 'json'], {
            encoding: 'utf8',
            env: { ...process.env, ...env },
          });
          for (const [what, text] of [
            ['json run', json.stdout + json.stderr],
            ['plain run', plain.stdout + plain.stderr],
            ['plan', planText.stdout + planJson.stdout],
            ['record', readAll(h)],
          ] as const)
            expect(leaks(text), what).toEqual([]);
        },
        120_000,
      );

      it(
        'a node hook printing the secret while it runs, then failing: not in any output, event, record, ' +
          'report, nor any `ps` listing on the way',
        async () => {
          const pb = playbook(
            'S7 secret on the node',
            [{ name: 'node1' }, { name: 'node2' }],
            `vars:\n  token: \${LRROLL_E2E_TOKEN}\nchange:\n  type: ` +
              `restart\nhooks:\n  beforeNode:\n    - run: ` +
              `${yamlString('echo token is {{token}}; sleep 2; echo still {{token}} >&2')}` +
              `\n      on: node\n  afterNode:\n    - run: ` +
              `${yamlString('sleep 1; echo failed with {{token}} >&2; exit 5')}\n      on: node\n`,
          );
          const h = home('secret-node');
          const {
            result: run,
            seen,
            scans,
          } = await scanningPs(() =>
            runLrroll(['run', pb, '--yes', '--output', 'json'], cluster, h, { LRROLL_E2E_TOKEN: SECRET }),
          );
          log(`secret on the node: exit ${run.code}; ${scans} ps scans`);
          expect(run.code).toBe(1);
          expect(scans).toBeGreaterThan(20);
          expect(seen, 'the secret in a process argument list').toEqual([]);
          expect(outputLines(run.events)).toEqual(
            expect.arrayContaining(['token is ***', 'still ***', 'failed with ***']),
          );
          expect(leaks(run.stdout + run.stderr), 'output').toEqual([]);
          expect(leaks(readAll(h)), 'record').toEqual([]);
          const runId = String(run.events.find((e) => e.kind === 'run-start')?.runId);
          for (const format of ['html', 'json', 'md', 'junit']) {
            const report = await runLrroll(['report', runId, '--format', format], cluster, h);
            expect(report.code, report.stderr).toBe(0);
            expect(report.stdout.length, format).toBeGreaterThan(100);
            expect(leaks(report.stdout), `the ${format} report`).toEqual([]);
          }
        },
        120_000,
      );

      it('a secret shorter than 4 characters is refused before anything is touched (exit 3)', async () => {
        const pb = playbook(
          'S8 short secret',
          [{ name: 'node1' }, { name: 'node2' }],
          `vars:\n  token: \${LRROLL_E2E_TOKEN}\nchange:\n  type: restart\nhooks:\n  beforeNode:\n    ` +
            `- run: echo {{token}}\n      on: node\n`,
        );
        const run = await runLrroll(['run', pb, '--yes', '--output', 'json'], cluster, home('secret-short'), {
          LRROLL_E2E_TOKEN: 'ab',
        });
        expect(run.code).toBe(3);
        expect(runEnd(run.events)?.reason).toMatch(
          /^secret environment variable\(s\) LRROLL_E2E_TOKEN is empty or shorter than 4 characters/,
        );
        expect(run.events.filter((e) => e.kind === 'step-start')).toEqual([]);
      }, 60_000);
    });

    it('the run record and the backups on the nodes are readable by their owner only', async () => {
      const h = home('modes');
      const pb = playbook(
        'S9 modes',
        [{ name: 'node1' }, { name: 'node2' }],
        'change:\n  type: portal-properties\n  set:\n    lrroll.e2e.modes: "1"\n',
      );
      const run = await runLrroll(['run', pb, '--yes', '--output', 'json'], cluster, h);
      expect(run.code, run.stderr).toBe(0);
      const rec = recordOf(h, run);
      expect(statSync(rec.dir).mode & 0o777).toBe(0o700);
      for (const f of readdirSync(rec.dir)) expect([f, statSync(join(rec.dir, f)).mode & 0o777]).toEqual([f, 0o600]);
      // Another user cannot read it.
      const nobody = spawnSync(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', 'cat', join(rec.dir, 'events.ndjson')],
        { encoding: 'utf8' },
      );
      expect(nobody.status).not.toBe(0);
      for (const n of ['node1', 'node2']) {
        const modes = (
          await cluster.ssh(n, 'for d in /opt/liferay/.lrroll/backups/*/; do stat -c %a "$d"; done')
        ).stdout
          .trim()
          .split('\n');
        expect(modes.length, n).toBeGreaterThan(0);
        expect(new Set(modes), n).toEqual(new Set(['700']));
      }
    }, 120_000);
  },
);
