import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPropertiesKeys, readSetenv } from '../../../src/artifacts/config-file.js';
import type { PlanOutcome } from '../../../src/app/use-cases.js';
import type { ApplyStep, NodeStep, Plan, UploadStep, VerifyStep } from '../../../src/plan/types.js';
import { errorsOf, planText, withBase } from '../input/helpers.js';

// What the format can say now: an app server version update, an OS upgrade's target, a custom
// change touching cluster code, a setenv.sh and a portal-ext.properties shipped from the repo.

const change = (yaml: string): string => withBase('change:\n  type: restart\n', `change:\n${yaml}`);
const node1 = (plan: Plan): NodeStep[] => plan.batches[0]?.nodePlans[0]?.steps ?? [];
const stepOf = <A extends NodeStep['action']>(plan: Plan, action: A): Extract<NodeStep, { action: A }> =>
  node1(plan).find((s) => s.action === action) as Extract<NodeStep, { action: A }>;

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

function sh(command: string): { code: number | null; stderr: string } {
  const r = spawnSync('sh', ['-c', command], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

function ok(outcome: PlanOutcome): Plan {
  expect(errorsOf(outcome)).toEqual([]);
  return outcome.plan as Plan;
}

describe('an app server version update', () => {
  it(
    'commands run on the stopped node, the version is checked after them, and the move is a warning in ' +
      'the verdict',
    async () => {
      const plan = ok(
        await planText(
          change(
            '  type: app-server\n  version: 9.0.85\n  commands:\n    - apt-get install -y ' +
              'tomcat9={{v}}\n  backup: ["{{tomcatHome}}/lib"]\n',
          ).replace('lrroll: 1\n', 'lrroll: 1\nvars:\n  v: 9.0.85-1\n'),
        ),
      );
      const apply = stepOf(plan, 'apply') as ApplyStep;
      expect(apply.command).toContain('apt-get install -y tomcat9=9.0.85-1');
      expect(apply.pointOfNoReturn).toBe(false);
      expect(stepOf(plan, 'backup').paths).toEqual(['/opt/liferay/tomcat/lib']);
      expect(stepOf(plan, 'verify').title).toBe('verify: the app server reports 9.0.85');
      expect(plan.verdict.changes[0]).toMatchObject({
        level: 'rolling-with-warning',
        summary: 'app server → 9.0.85 (1 command(s))',
      });
    },
  );

  it(
    'the version check passes when catalina.sh reports the version and fails (naming what it found) ' + 'when not',
    async () => {
      const plan = ok(await planText(change('  type: app-server\n  version: 9.0.85\n  commands: ["true"]\n')));
      const verify = (stepOf(plan, 'verify') as VerifyStep).command ?? '';
      dir = mkdtempSync(join(tmpdir(), 'lrroll-appserver-'));
      const tomcat = join(dir, 'tomcat');
      mkdirSync(join(tomcat, 'bin'), { recursive: true });
      const catalina = (v: string): void => {
        writeFileSync(
          join(tomcat, 'bin/catalina.sh'),
          `#!/bin/sh\n[ "$1" = version ] && { echo "Server version: Apache Tomcat/${v}` +
            `"; echo "Server number:  ${v}.0"; }\n`,
        );
        chmodSync(join(tomcat, 'bin/catalina.sh'), 0o755);
      };
      const run = (): ReturnType<typeof sh> => sh(verify.replaceAll('/opt/liferay/tomcat', tomcat));
      catalina('9.0.85');
      expect(run().code).toBe(0);
      catalina('9.0.83');
      expect(run()).toEqual({ code: 1, stderr: 'lrroll: the app server reports 9.0.83, not 9.0.85\n' });
    },
  );

  it('an app-server change needs files or commands', async () => {
    expect(errorsOf(await planText(change('  type: app-server\n  version: 9.0.85\n')))).toEqual([
      'E_REQUIRED 19:3 an `app-server` change needs `files` or `commands`',
    ]);
  });
});

describe("an OS upgrade's target", () => {
  const release = Object.fromEntries(
    readFileSync('/etc/os-release', 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^"|"$/g, '')]),
  );

  it('is named in the verdict and checked against /etc/os-release after the commands', async () => {
    const plan = ok(
      await planText(
        change(
          `  type: os-upgrade\n  commands: ["true"]\n  target: { id: ${release['ID']}, version: "` +
            `${release['VERSION_ID']}" }\n`,
        ).replace('change:\n', 'rollout:\n  strategy: full\nchange:\n'),
      ),
    );
    expect(plan.verdict.changes[0]?.summary).toBe(
      `operating system upgrade to ${release['ID']} ${release['VERSION_ID']}`,
    );
    expect(sh((stepOf(plan, 'verify') as VerifyStep).command ?? '').code).toBe(0);
    const other = ok(
      await planText(
        change('  type: os-upgrade\n  commands: ["true"]\n  target: { id: rhel, version: "9.4" }\n').replace(
          'change:\n',
          'rollout:\n  strategy: full\nchange:\n',
        ),
      ),
    );
    expect(sh((stepOf(other, 'verify') as VerifyStep).command ?? '')).toEqual({
      code: 1,
      stderr: `lrroll: the node runs ${release['ID']} ${release['VERSION_ID']}, not rhel 9.4\n`,
    });
  });
});

describe('a custom change that touches cluster code', () => {
  it('is a full restart resting on the declaration', async () => {
    const plan = ok(
      await planText(
        change(
          '  type: custom\n  name: patch JGroups config\n  commands: ["true"]\n  rollingSafe: false\n ' +
            ' clusterCode: true\n',
        ).replace('change:\n', 'rollout:\n  strategy: full\nchange:\n'),
      ),
    );
    expect(plan.verdict.changes[0]).toMatchObject({ level: 'full-restart', basis: 'declaration' });
    expect(plan.verdict.changes[0]?.reasons[0]).toContain('Declared `clusterCode: true`');
  });

  it('cannot also be declared rolling-safe', async () => {
    expect(
      errorsOf(
        await planText(
          change('  type: custom\n  name: x\n  commands: ["true"]\n  rollingSafe: true\n  clusterCode: true\n'),
        ),
      ),
    ).toEqual([
      'E_SCHEMA 23:16 a `custom` change cannot be `rollingSafe: true` and change cluster code (`clusterCode: true`)',
    ]);
  });
});

const SETENV =
  '#!/bin/sh\n# kept in git\nCATALINA_OPTS="$CATALINA_OPTS -Xms8g -Xmx8g ' +
  '-Dfile.encoding=UTF-8"\nexport JAVA_HOME=/usr/lib/jvm/jdk-17.0.13 # ' +
  'pinned\nJAVA_OPTS="-XX:+UseG1GC"; export JAVA_OPTS\n';

describe('a setenv.sh shipped from the repository', () => {
  it(
    'is uploaded in preflight, installed as the setenv script, and its JVM options read into the ' + 'verdict',
    async () => {
      const plan = ok(await planText(change('  type: jvm-settings\n  source: setenv.sh\n'), { 'setenv.sh': SETENV }));
      const upload = plan.preflight.find((s): s is UploadStep => s.action === 'upload' && s.node === 'node1');
      expect(upload).toMatchObject({ localPath: 'setenv.sh' });
      expect((stepOf(plan, 'apply') as ApplyStep).command).toContain(
        'mv -f /opt/liferay/tomcat/bin/.setenv.sh.lrroll-tmp /opt/liferay/tomcat/bin/setenv.sh',
      );
      expect(stepOf(plan, 'backup').paths).toEqual(['/opt/liferay/tomcat/bin/setenv.sh']);
      const v = plan.verdict.changes[0];
      expect(v?.reasons).toContain(
        'JVM options read from setenv.sh: -Xms8g -Xmx8g -Dfile.encoding=UTF-8 -XX:+UseG1GC.',
      );
      expect(v?.level).toBe('rolling-with-warning');
      expect(v?.warnings[0]).toContain('setenv.sh sets JAVA_HOME: this also changes the JVM');
    },
  );

  it('is either a shipped file or a managed block', async () => {
    expect(
      errorsOf(
        await planText(change('  type: jvm-settings\n  source: setenv.sh\n  options: [-Xmx1g]\n'), {
          'setenv.sh': SETENV,
        }),
      ),
    ).toEqual([
      'E_SCHEMA 20:11 a `jvm-settings` change ships a whole setenv script (`source`) or manages a ' +
        'block (`options`/`env`), not both',
    ]);
  });
});

describe('a portal-ext.properties shipped from the repository', () => {
  it('is uploaded and installed whole; Cluster Link keys in it are advice, not a warning', async () => {
    const plan = ok(
      await planText(change('  type: portal-properties\n  source: portal-ext.properties\n'), {
        'portal-ext.properties': 'company.default.locale=en_US\ncluster.link.enabled=true\n',
      }),
    );
    expect(
      plan.preflight.some((s) => s.action === 'upload' && (s as UploadStep).localPath === 'portal-ext.properties'),
    ).toBe(true);
    expect(stepOf(plan, 'verify').title).toBe('verify: 1 file(s) in place with the expected checksums');
    expect(plan.verdict.changes[0]).toMatchObject({
      level: 'rolling',
      warnings: [],
      summary: 'portal-ext.properties from portal-ext.properties (2 keys)',
    });
    expect(plan.verdict.changes[0]?.advice[0]).toContain(
      'The shipped file sets Cluster Link keys (cluster.link.enabled)',
    );
  });

  it('without Cluster Link keys there is no advice', async () => {
    const plan = ok(
      await planText(change('  type: portal-properties\n  source: p.properties\n'), { 'p.properties': 'a=b\n' }),
    );
    expect(plan.verdict.changes[0]?.advice).toEqual([]);
  });

  it('is either a shipped file or key edits', async () => {
    expect(
      errorsOf(
        await planText(change('  type: portal-properties\n  source: p.properties\n  set: { a: b }\n'), {
          'p.properties': 'a=b\n',
        }),
      ),
    ).toEqual([
      'E_SCHEMA 20:11 a `portal-properties` change ships a whole file (`source`) or edits keys ' +
        '(`set`/`unset`), not both',
    ]);
  });
});

describe('reading shipped configuration files', () => {
  it('setenv: options of CATALINA_OPTS and JAVA_OPTS, their self-references dropped; assigned variables', () => {
    expect(readSetenv(SETENV)).toEqual({
      keys: [],
      jvmOptions: ['-Xms8g', '-Xmx8g', '-Dfile.encoding=UTF-8', '-XX:+UseG1GC'],
      variables: ['CATALINA_OPTS', 'JAVA_HOME', 'JAVA_OPTS'],
    });
    expect(readSetenv("# CATALINA_OPTS=-Xmx1g\nCATALINA_OPTS='${CATALINA_OPTS} -Xmx2g'\n").jvmOptions).toEqual([
      '-Xmx2g',
    ]);
  });

  it('properties: the keys in order, continuation lines and escapes as Java reads them', () => {
    expect(readPropertiesKeys('# c\na=1\nb\\\n  .c=2\nd\\:e=3\na=4\n').keys).toEqual(['a', 'b.c', 'd:e']);
  });
});
