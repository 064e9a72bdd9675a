import { describe, expect, it } from 'vitest';
import type { ArtifactFacts, PatchContent } from '../../../src/artifacts/types.js';
import { judgeChanges } from '../../../src/plan/eligibility.js';
import { ROWS } from '../../../src/plan/eligibility-rows.js';
import { factDifferences, FactsIndex, mergeFacts, type GatheredFacts } from '../../../src/plan/facts.js';
import type { ChangeVerdict } from '../../../src/plan/types.js';
import type { NormalizedInventory } from '../../../src/playbook/inventory/normalize.js';
import type { Change, NodeFacts } from '../../../src/playbook/playbook.generated.js';

// Node facts (declared in the inventory, gathered by `lrroll facts`) deciding verdicts.

const SHA = 'b'.repeat(64);
const JAR = 'artifacts/com.acme.foo-2.2.0.jar';
const at = { file: 'inv.yml', line: 1, col: 1 };

function inventory(nodes: Record<string, NodeFacts | undefined>, defaults?: NodeFacts): NormalizedInventory {
  return {
    defaults: defaults ? { facts: defaults } : undefined,
    nodes: Object.entries(nodes).map(([name, facts]) => ({
      node: { name, ...(facts ? { facts } : {}) },
      source: at,
      locate: () => ({ ...at, line: 9 }),
    })),
  };
}

function gathered(nodes: Record<string, NodeFacts>): GatheredFacts {
  return { path: 'facts.json', sha256: SHA, gatheredAt: '2026-12-01T10:00:00.000Z', nodes };
}

function index(inv: NormalizedInventory, g: GatheredFacts | null = null): FactsIndex {
  return new FactsIndex(mergeFacts(inv, g).facts.nodes);
}

function bundle(requireSchemaVersion: string | null, bundleVersion = '2.2.0'): ArtifactFacts {
  return {
    path: JAR,
    absPath: `/p/${JAR}`,
    fileName: 'com.acme.foo-2.2.0.jar',
    sha256: SHA,
    size: 1,
    manifest: { bundleSymbolicName: 'com.acme.foo', bundleVersion, requireSchemaVersion },
    patch: null,
    config: null,
    error: null,
    invalid: null,
  };
}

const NONE: PatchContent = { jspOrStatic: 3, classes: 0, jars: 0, sqlOrUpgrade: 0, other: 0 };

function patch(path: string, name: string): ArtifactFacts {
  return {
    path,
    absPath: `/p/${path}`,
    fileName: path.split('/').pop() as string,
    sha256: SHA,
    size: 1,
    manifest: null,
    config: null,
    error: null,
    invalid: null,
    patch: {
      name,
      product: 'dxp',
      requirements: [],
      fixedIssues: 1,
      documentation: 'json',
      content: NONE,
      clusterClasses: [],
      sqlOrUpgradeFiles: [],
      unreadable: [],
    },
  };
}

function judge(
  change: Change,
  facts: FactsIndex,
  artifacts: ArtifactFacts[] = [],
  breakingLevels: string[] = [],
): ChangeVerdict {
  const [v] = judgeChanges({
    changes: [change],
    artifacts: new Map(artifacts.map((a) => [a.path, a])),
    breakingLevels,
    facts,
  });
  return v as ChangeVerdict;
}

describe('merging declared and gathered facts', () => {
  it('a node inherits the defaults and overrides them per field; modules merge per bundle', () => {
    const inv = inventory(
      { node1: { java: '17.0.12', modules: { b: 'not-installed' } }, node2: undefined },
      { java: '17.0.10', appServer: '9.0.83', modules: { a: { version: '1.0.0', schemaVersion: '1.0.0' } } },
    );
    const { facts } = mergeFacts(inv, null);
    expect(facts.file).toBeNull();
    expect(facts.nodes[0]).toMatchObject({
      node: 'node1',
      java: { value: '17.0.12', source: 'declared' },
      appServer: { value: '9.0.83', source: 'declared' },
      patches: null,
    });
    expect(facts.nodes[0]?.modules.map((m) => [m.bundle, m.installed])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    expect(facts.nodes[1]).toMatchObject({ node: 'node2', java: { value: '17.0.10', source: 'declared' } });
  });

  it('gathered facts win over declared ones, and a disagreement is a located warning', () => {
    const inv = inventory({ node1: { java: 'openjdk version "17.0.12" 2024-07-16', patches: ['dxp-14-7210'] } });
    const r = mergeFacts(
      inv,
      gathered({
        node1: { java: 'openjdk version "17.0.13" 2024-10-15\nOpenJDK Runtime Environment', patches: ['dxp-15-7210'] },
      }),
    );
    expect(r.facts.file).toEqual({ path: 'facts.json', sha256: SHA, gatheredAt: '2026-12-01T10:00:00.000Z' });
    expect(r.facts.nodes[0]?.java).toEqual({
      value: 'openjdk version "17.0.13" 2024-10-15\nOpenJDK Runtime Environment',
      source: 'gathered',
    });
    expect(r.diagnostics.map((d) => [d.severity, d.code, d.source?.line])).toEqual([
      ['warning', 'W_FACTS', 9],
      ['warning', 'W_FACTS', 9],
    ]);
    expect(r.diagnostics.map((d) => d.summary)).toEqual([
      'node `node1`: the inventory declares Java 17.0.12, the node has 17.0.13; the gathered facts (facts.json) win',
      'node `node1`: the inventory declares patches [dxp-14-7210], the node has [dxp-15-7210]; the ' +
        'gathered facts (facts.json) win',
    ]);
  });

  it('a facts file naming a node the inventory does not have is a warning (facts of another cluster?)', () => {
    const r = mergeFacts(inventory({ node1: undefined }), gathered({ node1: {}, nodeX: { java: '17' } }));
    expect(r.diagnostics.map((d) => d.code)).toEqual(['W_FACTS']);
    expect(r.diagnostics[0]?.summary).toContain('nodeX');
  });

  it('facts that differ between nodes are reported, one sentence per fact', () => {
    const idx = index(
      inventory({
        n1: { java: '17.0.12', modules: { a: { version: '1.0.0' } } },
        n2: { java: '17.0.12', modules: { a: 'not-installed' } },
        n3: { java: '17.0.10' },
      }),
    );
    expect(factDifferences(idx)).toEqual([
      'Java differs between nodes: n1, n2: 17.0.12; n3: 17.0.10',
      'module a differs between nodes: n1: 1.0.0; n2: not installed',
    ]);
  });
});

describe('a module judged against node facts', () => {
  const change: Change = { type: 'module', artifact: JAR, replaces: 'com.acme.foo-*.jar', dataChanges: 'compatible' };

  it(
    'installed schema gathered on every node: a minor move is a full restart resting on the artifact, ' +
      'decided when planning',
    () => {
      const facts = index(
        inventory({ n1: undefined, n2: undefined }),
        gathered({
          n1: { modules: { 'com.acme.foo': { version: '2.1.3', schemaVersion: '2.1.0' } } },
          n2: { modules: { 'com.acme.foo': { version: '2.1.3', schemaVersion: '2.1.0' } } },
        }),
      );
      const v = judge(change, facts, [bundle('2.2.0')]);
      expect(v.level).toBe('full-restart');
      expect(v.basis).toBe('artifact');
      expect(v.row).toBe(ROWS.never);
      expect(v.reasons.join(' ')).toContain('moves 2.1.0 → 2.2.0 (a minor update)');
      expect(v.facts.find((f) => f.fact === 'installed schema of com.acme.foo')).toEqual({
        fact: 'installed schema of com.acme.foo',
        source: 'gathered',
        values: [{ value: '2.1.0', nodes: ['n1', 'n2'] }],
      });
    },
  );

  it('one node without facts: the verdict waits for preflight, and says so', () => {
    const facts = index(
      inventory({ n1: { modules: { 'com.acme.foo': { version: '2.1.3', schemaVersion: '2.2.0' } } }, n2: undefined }),
    );
    const v = judge(change, facts, [bundle('2.2.0')]);
    expect(v.level).toBe('rolling');
    expect(v.facts.find((f) => f.fact.startsWith('installed schema'))?.source).toBe('preflight');
    expect(v.preflightChecks.join(' ')).toContain('same major.minor as 2.2.0');
  });

  it('not installed on any node (declared): a new module', () => {
    const facts = index(inventory({ n1: undefined, n2: undefined }, { modules: { 'com.acme.foo': 'not-installed' } }));
    const v = judge(change, facts, [bundle('2.2.0')]);
    expect(v.row).toBe(ROWS.newModule);
    expect(v.level).toBe('rolling');
    expect(v.reasons.join(' ')).toContain('not installed on any node (node facts): a new module');
  });

  it('a lower version than installed is called a downgrade (a warning)', () => {
    const facts = index(
      inventory({ n1: { modules: { 'com.acme.foo': { version: '2.3.0', schemaVersion: '2.2.0' } } } }),
    );
    const v = judge(change, facts, [bundle('2.2.0', '2.2.0')]);
    expect(v.level).toBe('rolling-with-warning');
    expect(v.warnings).toContain('This is a downgrade of com.acme.foo: 2.3.0 → 2.2.0 (n1).');
  });

  it('schema versions that differ between nodes are judged per node, and the cluster shape is a warning', () => {
    const facts = index(
      inventory({
        n1: { modules: { 'com.acme.foo': { version: '2.1.3', schemaVersion: '2.2.0' } } },
        n2: { modules: { 'com.acme.foo': { version: '2.1.3', schemaVersion: '2.1.9' } } },
        n3: { modules: { 'com.acme.foo': 'not-installed' } },
      }),
    );
    const v = judge(change, facts, [bundle('2.2.0')]);
    expect(v.level).toBe('full-restart');
    expect(v.reasons.join(' ')).toContain('moves 2.1.9 → 2.2.0 on n2 (a minor update)');
    expect(v.warnings.join(' ')).toContain('installed on n1, n2 but not on n3: the cluster is not uniform');
  });
});

describe('Java, fix pack levels and the app server from node facts', () => {
  it('Java from `java -version` output as it is: a minor update is a warning resting on node facts', () => {
    const facts = index(
      inventory(
        { n1: undefined, n2: undefined },
        {
          java: 'openjdk version "17.0.12" 2024-07-16\nOpenJDK Runtime Environment Temurin-17.0.12+7 (build 17.0.12+7)',
        },
      ),
    );
    const v = judge({ type: 'java', javaHome: '/opt/jdk', to: '17.0.13' }, facts);
    expect(v.level).toBe('rolling-with-warning');
    expect(v.summary).toBe('Java 17.0.12 → 17.0.13');
    expect(v.facts[0]).toEqual({
      fact: 'Java version the app server runs',
      source: 'declared',
      values: [{ value: '17.0.12', nodes: ['n1', 'n2'] }],
    });
  });

  it('a major update known from gathered facts is a full restart no override can relax (node-facts)', () => {
    const facts = index(
      inventory({ n1: undefined }),
      gathered({ n1: { java: 'openjdk version "11.0.25" 2024-10-15' } }),
    );
    const v = judge({ type: 'java', javaHome: '/opt/jdk', to: '17.0.13' }, facts);
    expect(v.level).toBe('full-restart');
    expect(v.basis).toBe('node-facts');
    expect(v.facts[0]?.source).toBe('gathered');
  });

  it('Java unknown on one node: the safe verdict, resting on an unknown fact', () => {
    const facts = index(inventory({ n1: { java: '17.0.12' }, n2: undefined }));
    const v = judge({ type: 'java', javaHome: '/opt/jdk', to: '17.0.13' }, facts);
    expect(v.level).toBe('full-restart');
    expect(v.basis).toBe('unknown-fact');
    expect(v.facts[0]?.source).toBe('unknown');
  });

  it('the installed fix pack level from node facts is `from`: a move across a breaking level is refused', () => {
    const zip = 'patches/liferay-fix-pack-dxp-15-7210.zip';
    const facts = index(inventory({ n1: { patches: ['dxp-10-7210', 'hotfix-99-7210'] } }));
    const v = judge({ type: 'fixpack', artifact: zip }, facts, [patch(zip, 'dxp-15-7210')], ['dxp-12']);
    expect(v.level).toBe('full-restart');
    expect(v.basis).toBe('breaking-level');
    expect(v.reasons.join(' ')).toContain('Moving dxp-10 → dxp-15 crosses the breaking level dxp-12');
  });

  it('no fix pack installed (facts say none): moving up from GA crosses every breaking level below the target', () => {
    const zip = 'patches/liferay-fix-pack-dxp-15-7210.zip';
    const v = judge(
      { type: 'fixpack', artifact: zip },
      index(inventory({ n1: { patches: [] } })),
      [patch(zip, 'dxp-15-7210')],
      ['dxp-3'],
    );
    expect(v.level).toBe('full-restart');
    expect(v.reasons.join(' ')).toContain('Moving from no fix pack → dxp-15 crosses the breaking level dxp-3');
  });

  it('installing a lower fix pack than the facts say is called a downgrade', () => {
    const zip = 'patches/liferay-fix-pack-dxp-12-7210.zip';
    const v = judge({ type: 'fixpack', artifact: zip }, index(inventory({ n1: { patches: ['dxp-15-7210'] } })), [
      patch(zip, 'dxp-12-7210'),
    ]);
    expect(v.level).toBe('rolling-with-warning');
    expect(v.warnings[0]).toContain('Installing dxp-12 where dxp-15 is installed is a downgrade');
  });

  it.each([
    ['9.0.83', '9.0.85', 'moves 9.0.83 → 9.0.85 (a micro update)'],
    ['9.0.85', '9.0.83', 'moves 9.0.85 → 9.0.83 (a micro downgrade)'],
    [
      'Server version: Apache Tomcat/9.0.83\nServer number:  9.0.83.0',
      '10.1.20',
      'moves 9.0.83 → 10.1.20 (a major update): check that this Liferay release supports',
    ],
  ])('an app server version move %s → %s is a warning: %s', (from, to, words) => {
    const v = judge(
      { type: 'app-server', commands: ['true'], version: to },
      index(inventory({ n1: { appServer: from } })),
    );
    expect(v.level).toBe('rolling-with-warning');
    expect(v.warnings[0]).toContain(words);
  });

  it('an app server version move with the installed version unknown is still a warning naming the target', () => {
    const v = judge({ type: 'app-server', commands: ['true'], version: '9.0.85' }, index(inventory({ n1: undefined })));
    expect(v.level).toBe('rolling-with-warning');
    expect(v.warnings[0]).toContain('moves to 9.0.85; the installed version is not known');
  });
});
