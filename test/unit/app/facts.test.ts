import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeFacts, parseFactsOutput } from '../../../src/app/facts.js';
import { factsFileProblems, readFactsFile, type FactsFile } from '../../../src/app/facts-file.js';
import { planPlaybook } from '../../../src/app/use-cases.js';

// Node facts from an Ansible inventory, from `lrroll facts` output, and in a facts file.

process.env['GIT_OPTIONAL_LOCKS'] = '0';
const dir = mkdtempSync(join(tmpdir(), 'lrroll-facts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

describe('node facts declared in an Ansible inventory (`lrroll_facts`)', () => {
  it(
    'per group in group_vars, per host in host_vars (Ansible precedence: the host replaces the group ' + 'mapping)',
    async () => {
      write('ans/hosts.yml', 'all:\n  children:\n    liferay:\n      hosts:\n        lr1:\n        lr2:\n');
      write(
        'ans/group_vars/liferay.yml',
        'lrroll_facts:\n  java: openjdk version "17.0.12" 2024-07-16\n  patches: [dxp-14-7210]\n',
      );
      write('ans/host_vars/lr2.yml', 'lrroll_facts:\n  java: "17.0.10"\n');
      const playbook = write(
        'ans/p.yml',
        'lrroll: 1\nname: t\ninventory:\n  file: hosts.yml\nloadBalancer:\n  type: none\nchange:\n  ' +
          'type: java\n  javaHome: /opt/jdk\n  to: 17.0.13\n',
      );
      const out = await planPlaybook(playbook, { vars: {}, limit: null, env: {} });
      expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(out.plan?.facts.nodes.map((n) => [n.node, n.java?.value, n.patches?.value])).toEqual([
        ['lr1', 'openjdk version "17.0.12" 2024-07-16', 'dxp-14-7210'],
        ['lr2', '17.0.10', undefined],
      ]);
      expect(out.plan?.verdict.differences).toEqual(['Java differs between nodes: lr1: 17.0.12; lr2: 17.0.10']);
      expect(out.plan?.verdict.changes[0]?.level).toBe('rolling-with-warning');
    },
  );

  it('a fact of the wrong shape is an error at the line it is written', async () => {
    write('bad/hosts.yml', 'all:\n  hosts:\n    lr1:\n      lrroll_facts: yes please\n');
    const playbook = write(
      'bad/p.yml',
      'lrroll: 1\nname: t\ninventory:\n  file: hosts.yml\nloadBalancer:\n  type: none\nchange:\n  type: restart\n',
    );
    const out = await planPlaybook(playbook, { vars: {}, limit: null, env: {} });
    expect(
      out.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.source?.line} ${d.summary}`),
    ).toEqual([
      'E_INVENTORY 4 `lrroll_facts` must be a mapping of node facts (java, appServer, patches, ' +
        'modules), got `yes please`',
    ]);
  });
});

const OUTPUT = [
  '== java',
  'openjdk version "17.0.13" 2024-10-15',
  'OpenJDK Runtime Environment (build 17.0.13+11)',
  '== app-server',
  'Server number: 9.0.83.0',
  '== patches',
  'patches: dxp-14-7210, hotfix-1234-7210',
  'patches: end',
  '== modules',
  'com.acme.orders.service\t2.1.3\t2.1.0',
  'acme-theme\t1.4.0\t',
  'bad name`x`\t1.0\t1.0',
  'com.acme.odd\tnot a version\t2.x',
  '',
].join('\n');

describe('reading what `lrroll facts` printed on a node', () => {
  it('keeps `java -version` as it is, and only values in the facts forms', () => {
    expect(parseFactsOutput(OUTPUT)).toEqual({
      java: 'openjdk version "17.0.13" 2024-10-15\nOpenJDK Runtime Environment (build 17.0.13+11)',
      appServer: 'Server number: 9.0.83.0',
      patches: ['dxp-14-7210', 'hotfix-1234-7210'],
      modules: {
        'com.acme.orders.service': { version: '2.1.3', schemaVersion: '2.1.0' },
        'acme-theme': { version: '1.4.0' },
        'com.acme.odd': {},
      },
    });
  });

  it('a section that could not be read leaves that fact unknown; "none installed" is an empty list', () => {
    expect(
      parseFactsOutput(
        '== java\nno JAVA_HOME, JRE_HOME or java on the PATH\n== app-server\n== patches\n! no ' +
          'patching tool\n== modules\n',
      ),
    ).toEqual({ modules: {} });
    expect(parseFactsOutput('== patches\npatches: \npatches: end\n')).toEqual({ patches: [] });
    expect(parseFactsOutput('== patches\npatches: end\n')).toEqual({});
  });

  it('describes each node in one line, and the nodes not read', () => {
    const file: FactsFile = {
      lrrollFacts: 1,
      gatheredAt: 'x',
      nodes: { n1: parseFactsOutput(OUTPUT) },
      errors: { n2: 'connect ECONNREFUSED' },
    };
    expect(describeFacts(file)).toEqual([
      'n1: Java 17.0.13 · app server 9.0.83 · patches dxp-14-7210, hotfix-1234-7210 · 3 module(s)',
      'n2: NOT READ — connect ECONNREFUSED',
    ]);
    expect(factsFileProblems(file)).toEqual([]);
  });
});

describe('a facts file given with --facts', () => {
  it('is read with its checksum, and a node not read is a warning', async () => {
    const path = write(
      'f/ok.json',
      JSON.stringify({
        lrrollFacts: 1,
        gatheredAt: '2026-12-01T10:00:00Z',
        nodes: { n1: { java: '17.0.12' } },
        errors: { n2: 'unreachable' },
      }),
    );
    const r = await readFactsFile(path);
    expect(r.facts).toMatchObject({ path, gatheredAt: '2026-12-01T10:00:00Z', nodes: { n1: { java: '17.0.12' } } });
    expect(r.facts?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.diagnostics.map((d) => [d.code, d.source?.line])).toEqual([['W_FACTS', 1]]);
  });

  it('a value of the wrong form is a located error', async () => {
    const path = write(
      'f/bad.json',
      '{\n  "lrrollFacts": 1,\n  "gatheredAt": "x",\n  "nodes": { "n1": { "patches": "dxp-14" } }\n}\n',
    );
    const r = await readFactsFile(path);
    expect(r.facts).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.severity, d.source?.line])).toEqual([['error', 4]]);
  });

  it('a missing file is E_FACTS with how to make one', async () => {
    const r = await readFactsFile(join(dir, 'nope.json'));
    expect(r.diagnostics).toMatchObject([
      {
        severity: 'error',
        code: 'E_FACTS',
        summary: expect.stringContaining('no such file') as unknown,
        hint: expect.stringContaining('lrroll facts') as unknown,
      },
    ]);
  });
});
