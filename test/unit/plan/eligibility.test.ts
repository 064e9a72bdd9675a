import { describe, expect, it } from 'vitest';
import type { ArtifactFacts, ManifestFacts, PatchContent, PatchFacts } from '../../../src/artifacts/types.js';
import { crossedLevels, parseLevel } from '../../../src/domain/levels.js';
import { javaMajor, schemaChangeLevel } from '../../../src/domain/versions.js';
import { judgeChanges } from '../../../src/plan/eligibility.js';
import { ROWS } from '../../../src/plan/eligibility-rows.js';
import type { ChangeVerdict } from '../../../src/plan/types.js';
import type { Change } from '../../../src/playbook/playbook.generated.js';

// ---------------------------------------------------------------------------------------------
// Builders for the facts the artifact inspector would gather.

const SHA = 'a'.repeat(64);

function facts(path: string, over: Partial<ArtifactFacts> = {}): ArtifactFacts {
  const fileName = path.split('/').pop() ?? path;
  return {
    path,
    absPath: `/play/${path}`,
    fileName,
    sha256: SHA,
    size: 1234,
    manifest: null,
    patch: null,
    config: null,
    error: null,
    invalid: null,
    ...over,
  };
}

/** A jar/war with a manifest. */
function bundle(path: string, manifest: Partial<ManifestFacts> = {}): ArtifactFacts {
  return facts(path, {
    manifest: { bundleSymbolicName: 'com.acme.foo', bundleVersion: '2.1.3', requireSchemaVersion: null, ...manifest },
  });
}

/** An artifact that could not be read. */
function unreadable(path: string, error = 'invalid zip file: end of central directory not found'): ArtifactFacts {
  return facts(path, { sha256: null, size: 0, error });
}

const NO_CONTENT: PatchContent = { jspOrStatic: 0, classes: 0, jars: 0, sqlOrUpgrade: 0, other: 0 };

/** A fix pack / hotfix zip. */
function patchZip(
  path: string,
  patch: Partial<Omit<PatchFacts, 'content'>> & { content?: Partial<PatchContent> } = {},
): ArtifactFacts {
  const { content, ...rest } = patch;
  return facts(path, {
    patch: {
      name: 'de-32-7010',
      product: 'dxp',
      requirements: ['de=28'],
      fixedIssues: 42,
      documentation: 'json',
      clusterClasses: [],
      sqlOrUpgradeFiles: [],
      unreadable: [],
      ...rest,
      content: { ...NO_CONTENT, ...content },
    },
  });
}

const JSP_ONLY = { jspOrStatic: 12 } as const;
const WITH_CLASSES = { jspOrStatic: 3, classes: 40, jars: 2 } as const;

interface Judge {
  artifacts?: ArtifactFacts[];
  breakingLevels?: string[];
}

/** Judges a list of changes with the given facts. */
function judgeAll(changes: Change[], { artifacts = [], breakingLevels = [] }: Judge = {}): ChangeVerdict[] {
  return judgeChanges({ changes, artifacts: new Map(artifacts.map((a) => [a.path, a])), breakingLevels });
}

/** Judges one change; returns its verdict. */
function judge(change: Change, opts: Judge = {}): ChangeVerdict {
  const verdicts = judgeAll([change], opts);
  expect(verdicts).toHaveLength(1);
  return verdicts[0] as ChangeVerdict;
}

/** The checks every table-row test makes: eligible, the row, and a piece of the reasons. */
function expectVerdict(v: ChangeVerdict, eligible: boolean, row: string, reason: string): void {
  expect(v.level !== 'full-restart', `level ${v.level}`).toBe(eligible);
  expect(v.row).toBe(row);
  expect(v.reasons.join('\n')).toContain(reason);
}

// ---------------------------------------------------------------------------------------------

describe('module / plugin', () => {
  const jar = 'modules/com.acme.foo-2.1.3.jar';

  it('new module without Liferay-Require-SchemaVersion → eligible (new module row)', () => {
    const v = judge({ type: 'module', artifact: jar, dataChanges: 'none' }, { artifacts: [bundle(jar)] });
    expectVerdict(v, true, ROWS.newModule, 'no `Liferay-Require-SchemaVersion`');
    expect(v.warnings).toEqual([]);
    expect(v.preflightChecks).toEqual([]);
    expect(v.type).toBe('module');
    expect(v.index).toBe(0);
    expect(v.summary).toBe('module com.acme.foo 2.1.3');
  });

  it(
    'new module without a schema, `dataChanges` undeclared → rolling, and no data reminder (it does not ' + 'apply)',
    () => {
      const v = judge({ type: 'module', artifact: jar }, { artifacts: [bundle(jar)] });
      expectVerdict(v, true, ROWS.newModule, 'no `Liferay-Require-SchemaVersion`');
      expect(v.level).toBe('rolling');
      expect(v.warnings).toEqual([]);
      expect(v.advice).toEqual([]);
    },
  );

  it(
    'a module with a Service Builder schema and `dataChanges` undeclared → the reminder is advice, not ' + 'a warning',
    () => {
      const v = judge(
        { type: 'module', artifact: jar, installedSchemaVersion: '2.1.0' },
        { artifacts: [bundle(jar, { requireSchemaVersion: '2.1.0' })] },
      );
      expect(v.level).toBe('rolling');
      expect(v.warnings).toEqual([]);
      expect(v.advice.join('\n')).toContain('`dataChanges` is not declared');
    },
  );

  it('new module with `dataChanges: compatible` → eligible, no warning', () => {
    const v = judge({ type: 'module', artifact: jar, dataChanges: 'compatible' }, { artifacts: [bundle(jar)] });
    expectVerdict(v, true, ROWS.newModule, 'brings no Service Builder schema');
    expect(v.warnings).toEqual([]);
  });

  it('summary falls back to the file name when the manifest has no Bundle-SymbolicName', () => {
    const v = judge({ type: 'module', artifact: jar, dataChanges: 'none' }, { artifacts: [facts(jar)] });
    expect(v.level !== 'full-restart').toBe(true);
    expect(v.summary).toBe('module com.acme.foo-2.1.3.jar');
  });

  it('update with the same schema version as installed → eligible (module update row)', () => {
    const v = judge(
      {
        type: 'module',
        artifact: jar,
        replaces: 'com.acme.foo-*.jar',
        dataChanges: 'compatible',
        installedSchemaVersion: '2.1.0',
      },
      { artifacts: [bundle(jar, { requireSchemaVersion: '2.1.0' })] },
    );
    expectVerdict(v, true, ROWS.moduleUpdate, '2.1.0 → 2.1.0: no major/minor change');
    expect(v.level).toBe('rolling');
    expect(v.warnings).toEqual([]);
    expect(v.preflightChecks).toEqual([
      'installed schema version of com.acme.foo must still be 2.1.0 (as the declared facts say)',
    ]);
    expect(v.facts).toEqual([
      {
        fact: 'installed schema of com.acme.foo',
        source: 'declared',
        values: [{ value: '2.1.0', nodes: ['every node'] }],
      },
    ]);
  });

  it('update with a micro schema change → eligible with a warning', () => {
    const v = judge(
      {
        type: 'module',
        artifact: jar,
        replaces: 'com.acme.foo-*.jar',
        dataChanges: 'compatible',
        installedSchemaVersion: '2.1.0',
      },
      { artifacts: [bundle(jar, { requireSchemaVersion: '2.1.1' })] },
    );
    expectVerdict(v, true, ROWS.moduleUpdate, 'no major/minor change');
    expect(v.level).toBe('rolling-with-warning');
    expect(v.warnings.join('\n')).toContain('2.1.0 → 2.1.1 (a micro update)');
  });

  it('a micro schema downgrade is called a downgrade (a warning)', () => {
    const v = judge(
      {
        type: 'module',
        artifact: jar,
        replaces: 'com.acme.foo-*.jar',
        dataChanges: 'compatible',
        installedSchemaVersion: '2.1.1',
      },
      { artifacts: [bundle(jar, { requireSchemaVersion: '2.1.0' })] },
    );
    expect(v.level).toBe('rolling-with-warning');
    expect(v.warnings.join('\n')).toContain('moves down 2.1.1 → 2.1.0 (a micro downgrade)');
  });

  it.each([
    { installed: '2.1.0', required: '2.2.0', words: 'moves 2.1.0 → 2.2.0 (a minor update)' },
    { installed: '2.1.0', required: '3.0.0', words: 'moves 2.1.0 → 3.0.0 (a major update)' },
    { installed: '2.1.5', required: '2.0.0', words: 'moves down 2.1.5 → 2.0.0 (a minor downgrade)' },
    { installed: '3.0.0', required: '2.9.0', words: 'moves down 3.0.0 → 2.9.0 (a major downgrade)' },
    { installed: '1.0.0', required: '2.0.0', words: 'moves 1.0.0 → 2.0.0 (a major update)' },
  ])(
    'a schema move $installed → $required → full restart, resting on the artifact: $words',
    ({ installed, required, words }) => {
      const v = judge(
        {
          type: 'module',
          artifact: jar,
          replaces: 'com.acme.foo-*.jar',
          dataChanges: 'compatible',
          installedSchemaVersion: installed,
        },
        { artifacts: [bundle(jar, { requireSchemaVersion: required })] },
      );
      expectVerdict(v, false, ROWS.never, words);
      expect(v.basis).toBe('artifact');
    },
  );

  it('schema version present, installed version not declared → eligible with a preflight check recorded', () => {
    const v = judge(
      { type: 'module', artifact: jar, replaces: 'com.acme.foo-*.jar', dataChanges: 'compatible' },
      { artifacts: [bundle(jar, { requireSchemaVersion: '2.1.0' })] },
    );
    expectVerdict(v, true, ROWS.moduleUpdate, 'requires schema 2.1.0; preflight compares it');
    expect(v.preflightChecks).toHaveLength(1);
    expect(v.preflightChecks[0]).toContain('com.acme.foo');
    expect(v.preflightChecks[0]).toContain('same major.minor as 2.1.0');
  });

  it('`dataChanges: incompatible` → refused (never rolling)', () => {
    const v = judge({ type: 'module', artifact: jar, dataChanges: 'incompatible' }, { artifacts: [bundle(jar)] });
    expectVerdict(v, false, ROWS.never, '`dataChanges: incompatible`');
  });

  it('`dataChanges: incompatible` is refused even when the schema does not move', () => {
    const v = judge(
      {
        type: 'module',
        artifact: jar,
        replaces: 'com.acme.foo-*.jar',
        dataChanges: 'incompatible',
        installedSchemaVersion: '2.1.0',
      },
      { artifacts: [bundle(jar, { requireSchemaVersion: '2.1.0' })] },
    );
    expectVerdict(v, false, ROWS.never, 'non-backward-compatible');
  });

  it('unreadable artifact → refused (safe verdict), naming the read error', () => {
    const v = judge({ type: 'module', artifact: jar, dataChanges: 'none' }, { artifacts: [unreadable(jar)] });
    expectVerdict(v, false, ROWS.unknown, 'cannot be read (invalid zip file');
    expect(v.reasons.join('\n')).toContain('schema version is unknown');
  });

  it('unreadable artifact of an update → refused under the unknown-facts row', () => {
    const v = judge(
      { type: 'module', artifact: jar, replaces: 'com.acme.foo-*.jar', installedSchemaVersion: '2.1.0' },
      { artifacts: [unreadable(jar, 'EACCES')] },
    );
    expectVerdict(v, false, ROWS.unknown, 'cannot be read (EACCES)');
  });

  it('artifact never inspected (no facts) → refused (safe verdict)', () => {
    const v = judge({ type: 'module', artifact: jar, dataChanges: 'none' });
    expectVerdict(v, false, ROWS.unknown, 'cannot be read (not inspected)');
  });
});

describe('theme', () => {
  const war = 'themes/acme-theme.war';
  const themeFacts = bundle(war, { bundleSymbolicName: 'acme-theme', bundleVersion: '7.4.0' });

  it('new theme → eligible (new module / plugin, theme row)', () => {
    const v = judge({ type: 'theme', artifact: war, dataChanges: 'none' }, { artifacts: [themeFacts] });
    expectVerdict(v, true, ROWS.newModule, 'no `Liferay-Require-SchemaVersion`');
    expect(v.type).toBe('theme');
    expect(v.summary).toBe('theme acme-theme 7.4.0');
    expect(v.warnings).toEqual([]);
  });

  it('theme replacing an older one → eligible (module update row)', () => {
    const v = judge(
      { type: 'theme', artifact: war, replaces: 'acme-theme-*.war', dataChanges: 'none' },
      { artifacts: [themeFacts] },
    );
    expectVerdict(v, true, ROWS.moduleUpdate, 'brings no Service Builder schema');
  });

  it('theme with a schema version → eligible with a preflight check (themes cannot declare the installed one)', () => {
    const v = judge(
      { type: 'theme', artifact: war, dataChanges: 'none' },
      { artifacts: [bundle(war, { bundleSymbolicName: 'acme-theme', requireSchemaVersion: '1.0.0' })] },
    );
    expectVerdict(v, true, ROWS.newModule, 'requires schema 1.0.0');
    expect(v.preflightChecks.join('\n')).toContain('acme-theme');
  });

  it('theme with `dataChanges: incompatible` → refused', () => {
    const v = judge({ type: 'theme', artifact: war, dataChanges: 'incompatible' }, { artifacts: [themeFacts] });
    expectVerdict(v, false, ROWS.never, '`dataChanges: incompatible`');
  });

  it('unreadable theme → refused (safe verdict)', () => {
    const v = judge({ type: 'theme', artifact: war }, { artifacts: [unreadable(war, 'ENOENT')] });
    expectVerdict(v, false, ROWS.unknown, 'cannot be read (ENOENT)');
  });
});

describe('fix pack', () => {
  const zip = 'patches/liferay-fix-pack-de-32-7010.zip';

  it('only JSP/static resources, nothing declared → eligible', () => {
    const v = judge({ type: 'fixpack', artifact: zip }, { artifacts: [patchZip(zip, { content: JSP_ONLY })] });
    expectVerdict(v, true, ROWS.patchRevertible, 'Only JSP/static resources change (12 files)');
    expect(v.summary).toBe('fixpack de-32-7010');
  });

  it('class/jar changes, declared `revertible: true` → eligible', () => {
    const v = judge(
      { type: 'fixpack', artifact: zip, revertible: true },
      { artifacts: [patchZip(zip, { content: WITH_CLASSES })] },
    );
    expectVerdict(v, true, ROWS.patchRevertible, '40 classes, 2 jars) and is declared `revertible: true`');
  });

  it('class changes only (no jars), declared `revertible: true` → eligible', () => {
    const v = judge(
      { type: 'fixpack', artifact: zip, revertible: true },
      { artifacts: [patchZip(zip, { content: { classes: 1 } })] },
    );
    expectVerdict(v, true, ROWS.patchRevertible, '(1 classes, 0 jars)');
  });

  it('class/jar changes, declared `revertible: false` → refused (non-revertible row)', () => {
    const v = judge(
      { type: 'fixpack', artifact: zip, revertible: false },
      { artifacts: [patchZip(zip, { content: WITH_CLASSES })] },
    );
    expectVerdict(v, false, ROWS.patchNonRevertible, 'declared non-revertible');
  });

  it('class/jar changes, revertibility undeclared → refused with a hint to declare it', () => {
    const v = judge({ type: 'fixpack', artifact: zip }, { artifacts: [patchZip(zip, { content: { jars: 1 } })] });
    expectVerdict(
      v,
      false,
      ROWS.patchNonRevertible,
      'Declare `revertible: true` if the Customer Portal marks it revertible',
    );
  });

  it('SQL / upgrade content → refused even when declared revertible', () => {
    const v = judge(
      { type: 'fixpack', artifact: zip, revertible: true },
      {
        artifacts: [
          patchZip(zip, {
            content: { classes: 5, sqlOrUpgrade: 2 },
            sqlOrUpgradeFiles: ['portal-impl.jar!com/liferay/portal/upgrade/v7_0_5/UpgradeFoo.class', 'sql/update.sql'],
          }),
        ],
      },
    );
    expectVerdict(
      v,
      false,
      ROWS.never,
      'SQL or upgrade steps (portal-impl.jar!com/liferay/portal/upgrade/v7_0_5/UpgradeFoo.class, sql/update.sql)',
    );
    expect(v.reasons.join('\n')).toContain('whatever is declared');
  });

  it('SQL counted but not listed → still refused', () => {
    const v = judge(
      { type: 'fixpack', artifact: zip, revertible: true },
      { artifacts: [patchZip(zip, { content: { jspOrStatic: 1, sqlOrUpgrade: 1 } })] },
    );
    expectVerdict(v, false, ROWS.never, 'SQL or upgrade steps');
  });

  it('SQL listed but not counted → still refused', () => {
    const v = judge(
      { type: 'fixpack', artifact: zip, revertible: true },
      { artifacts: [patchZip(zip, { content: JSP_ONLY, sqlOrUpgradeFiles: ['update.sql'] })] },
    );
    expectVerdict(v, false, ROWS.never, 'SQL or upgrade steps (update.sql)');
  });

  // SPEC §3: "only JSP/static resources = safe"; reference A1 (L4): roll only patches whose diff
  // "shows only .jsp*/static resources". PatchContent.other counts patch-level files that are neither
  // (xml, non-language properties, …). judgePatchContent only looks at classes + jars, so such a patch
  // is judged eligible with the reason "Only JSP/static resources change (0 files)", which is false.
  it(
    'BUG: patch-level files that are not JSP/static (content.other) are not judged "only JSP/static" ' +
      'and need a declaration',
    () => {
      const v = judge({ type: 'fixpack', artifact: zip }, { artifacts: [patchZip(zip, { content: { other: 5 } })] });
      expect(v.reasons.join('\n')).not.toContain('Only JSP/static resources');
      expect(v.level !== 'full-restart').toBe(false);
    },
  );

  // SPEC §3: "When the facts are unknown (…, an archive that cannot be read), the verdict is the safe
  // one: not eligible". PatchFacts.unreadable lists nested archives that could not be inspected, so
  // their cluster classes and upgrade steps are unknown; judgePatch never looks at it, and a patch
  // declared `revertible: true` is judged eligible although it may hold cluster code or SQL.
  it('BUG: a patch with nested archives that could not be inspected is refused (safe verdict)', () => {
    const v = judge(
      { type: 'fixpack', artifact: zip, revertible: true },
      {
        artifacts: [
          patchZip(zip, { content: { classes: 10, jars: 2 }, unreadable: ['portal-kernel.jar: invalid zip file'] }),
        ],
      },
    );
    expect(v.level !== 'full-restart').toBe(false);
    expect(v.reasons.join('\n')).toContain('portal-kernel.jar');
  });

  it('classes in cluster packages → refused even when declared revertible', () => {
    const v = judge(
      { type: 'fixpack', artifact: zip, revertible: true },
      {
        artifacts: [
          patchZip(zip, {
            content: WITH_CLASSES,
            clusterClasses: ['portal-kernel.jar!com/liferay/portal/kernel/cluster/ClusterExecutorUtil.class'],
          }),
        ],
      },
    );
    expectVerdict(
      v,
      false,
      ROWS.never,
      'changes cluster code (portal-kernel.jar!com/liferay/portal/kernel/cluster/ClusterExecutorUtil.class)',
    );
  });

  it('no fixpack_documentation.json/.xml → refused', () => {
    const v = judge(
      { type: 'fixpack', artifact: zip, revertible: true },
      { artifacts: [patchZip(zip, { documentation: null, name: null, content: JSP_ONLY })] },
    );
    expectVerdict(v, false, ROWS.unknown, 'no fixpack_documentation.json/.xml');
  });

  it('unreadable archive → refused (safe verdict)', () => {
    const v = judge({ type: 'fixpack', artifact: zip, revertible: true }, { artifacts: [unreadable(zip)] });
    expectVerdict(v, false, ROWS.unknown, 'cannot be read (invalid zip file');
    expect(v.summary).toBe('fixpack liferay-fix-pack-de-32-7010.zip');
  });

  it('archive read but not recognised as a patch (no patch facts) → refused', () => {
    const v = judge({ type: 'fixpack', artifact: zip, revertible: true }, { artifacts: [facts(zip)] });
    expectVerdict(v, false, ROWS.unknown, 'cannot be read (not inspected)');
  });

  it('archive never inspected → refused', () => {
    const v = judge({ type: 'fixpack', artifact: zip, revertible: true });
    expectVerdict(v, false, ROWS.unknown, 'content is unknown');
  });

  describe('known breaking levels', () => {
    it('crossing a shipped breaking intermediate level (de-28 → de-32 over de-30) → refused naming de-30', () => {
      const v = judge(
        { type: 'fixpack', artifact: zip, from: 'de-28', revertible: true },
        { artifacts: [patchZip(zip, { content: JSP_ONLY })], breakingLevels: ['de-30'] },
      );
      expectVerdict(v, false, ROWS.never, 'Moving de-28 → de-32 crosses the breaking level de-30');
      expect(v.reasons.join('\n')).not.toContain('Only JSP/static');
    });

    it('breaking level given with a product suffix in the list still counts', () => {
      const v = judge(
        { type: 'fixpack', artifact: zip, from: 'de-28' },
        { artifacts: [patchZip(zip, { content: JSP_ONLY })], breakingLevels: ['de-30-7010'] },
      );
      expectVerdict(v, false, ROWS.never, 'crosses the breaking level de-30');
    });

    it('the target level itself breaking → refused', () => {
      const v = judge(
        { type: 'fixpack', artifact: zip, from: 'de-28' },
        { artifacts: [patchZip(zip, { content: JSP_ONLY })], breakingLevels: ['de-32'] },
      );
      expectVerdict(v, false, ROWS.never, 'crosses the breaking level de-32');
    });

    it('the installed level itself breaking (already crossed) → eligible', () => {
      const v = judge(
        { type: 'fixpack', artifact: zip, from: 'de-30' },
        { artifacts: [patchZip(zip, { content: JSP_ONLY })], breakingLevels: ['de-30'] },
      );
      expectVerdict(v, true, ROWS.patchRevertible, 'Only JSP/static resources');
    });

    it('a breaking level beyond the target → eligible', () => {
      const v = judge(
        { type: 'fixpack', artifact: zip, from: 'de-28' },
        { artifacts: [patchZip(zip, { content: JSP_ONLY })], breakingLevels: ['de-33', 'de-40'] },
      );
      expectVerdict(v, true, ROWS.patchRevertible, 'Only JSP/static resources');
    });

    it('a breaking level in another family is ignored', () => {
      const v = judge(
        { type: 'fixpack', artifact: zip, from: 'de-28' },
        { artifacts: [patchZip(zip, { content: JSP_ONLY })], breakingLevels: ['dxp-30', 'portal-31', 'fp-29'] },
      );
      expectVerdict(v, true, ROWS.patchRevertible, 'Only JSP/static resources');
    });

    it('playbook-declared `breakingLevels` are added to the shipped list', () => {
      const v = judge(
        { type: 'fixpack', artifact: zip, from: 'de-28', breakingLevels: ['de-31'] },
        { artifacts: [patchZip(zip, { content: JSP_ONLY })], breakingLevels: [] },
      );
      expectVerdict(v, false, ROWS.never, 'crosses the breaking level de-31');
    });

    it('shipped and declared levels crossed together are all named', () => {
      const v = judge(
        { type: 'fixpack', artifact: zip, from: 'de-28', breakingLevels: ['de-31'] },
        { artifacts: [patchZip(zip, { content: JSP_ONLY })], breakingLevels: ['de-30'] },
      );
      expectVerdict(v, false, ROWS.never, 'crosses the breaking level de-30, de-31');
    });

    it('breaking levels are checked for a `dxp-N-7210` patch name too', () => {
      const dxp = 'patches/liferay-fix-pack-dxp-15-7210.zip';
      const v = judge(
        { type: 'fixpack', artifact: dxp, from: 'dxp-10' },
        { artifacts: [patchZip(dxp, { name: 'dxp-15-7210', content: JSP_ONLY })], breakingLevels: ['dxp-12'] },
      );
      expectVerdict(v, false, ROWS.never, 'Moving dxp-10 → dxp-15 crosses the breaking level dxp-12');
    });

    it('a declared `from` is recorded as a preflight check', () => {
      const v = judge(
        { type: 'fixpack', artifact: zip, from: 'de-28' },
        { artifacts: [patchZip(zip, { content: JSP_ONLY })], breakingLevels: ['de-40'] },
      );
      expect(v.level !== 'full-restart').toBe(true);
      expect(v.preflightChecks).toEqual(['installed fix pack level must be de-28']);
    });

    it('`from` not declared → eligible, with a preflight check recorded for the breaking levels', () => {
      const v = judge(
        { type: 'fixpack', artifact: zip },
        { artifacts: [patchZip(zip, { content: JSP_ONLY })], breakingLevels: ['de-30'] },
      );
      expectVerdict(v, true, ROWS.patchRevertible, 'Only JSP/static resources');
      expect(v.preflightChecks).toHaveLength(1);
      expect(v.preflightChecks[0]).toContain('the move to de-32 must not cross a known breaking level');
    });

    it('a patch name with no readable level → refused: breaking levels cannot be checked (safe verdict)', () => {
      const v = judge(
        { type: 'fixpack', artifact: zip, from: 'de-28' },
        { artifacts: [patchZip(zip, { name: 'Fix Pack 32', content: JSP_ONLY })], breakingLevels: ['de-30'] },
      );
      expectVerdict(v, false, ROWS.unknown, 'cannot be read from its name');
    });

    it('breaking levels are judged before the content: revertible class changes across de-30 are refused', () => {
      const v = judge(
        { type: 'fixpack', artifact: zip, from: 'de-28', revertible: true },
        { artifacts: [patchZip(zip, { content: WITH_CLASSES })], breakingLevels: ['de-30'] },
      );
      expectVerdict(v, false, ROWS.never, 'crosses the breaking level de-30');
    });

    // SPEC §3 / reference A1 (L5): "If any fix pack *between* the current and target level is
    // breaking, the move needs a full cluster restart." Going down from de-32 to de-28 also moves
    // across de-30 (and undoes its schema change, which cannot be reverted without a DB restore).
    // judgeLevels only looks for levels in (from, target], so a downgrade is never checked.
    it('BUG: moving down across a breaking level (de-32 → de-28 over de-30) is refused', () => {
      const old = 'patches/liferay-fix-pack-de-28-7010.zip';
      const v = judge(
        { type: 'fixpack', artifact: old, from: 'de-32', revertible: true },
        { artifacts: [patchZip(old, { name: 'de-28-7010', content: JSP_ONLY })], breakingLevels: ['de-30'] },
      );
      expectVerdict(v, false, ROWS.never, 'de-30');
    });
  });
});

describe('hotfix', () => {
  const zip = 'patches/liferay-hotfix-1234-7210.zip';
  const hotfix = (content: Partial<PatchContent>, over: Partial<Omit<PatchFacts, 'content'>> = {}): ArtifactFacts =>
    patchZip(zip, { name: 'hotfix-1234-7210', requirements: ['dxp=15'], content, ...over });

  it('only JSP/static resources → eligible', () => {
    const v = judge({ type: 'hotfix', artifact: zip }, { artifacts: [hotfix(JSP_ONLY)] });
    expectVerdict(v, true, ROWS.patchRevertible, 'Only JSP/static resources change');
    expect(v.summary).toBe('hotfix hotfix-1234-7210');
  });

  it('class changes, declared `revertible: true` → eligible', () => {
    const v = judge({ type: 'hotfix', artifact: zip, revertible: true }, { artifacts: [hotfix(WITH_CLASSES)] });
    expectVerdict(v, true, ROWS.patchRevertible, 'declared `revertible: true`');
  });

  it('class changes, revertibility undeclared → refused with a hint', () => {
    const v = judge({ type: 'hotfix', artifact: zip }, { artifacts: [hotfix(WITH_CLASSES)] });
    expectVerdict(v, false, ROWS.patchNonRevertible, 'Declare `revertible: true`');
  });

  it('class changes, declared `revertible: false` → refused', () => {
    const v = judge({ type: 'hotfix', artifact: zip, revertible: false }, { artifacts: [hotfix(WITH_CLASSES)] });
    expectVerdict(v, false, ROWS.patchNonRevertible, 'declared non-revertible');
  });

  it('cluster code → refused even when declared revertible', () => {
    const v = judge(
      { type: 'hotfix', artifact: zip, revertible: true },
      {
        artifacts: [hotfix(WITH_CLASSES, { clusterClasses: ['com/liferay/portal/cache/multiple/internal/Foo.class'] })],
      },
    );
    expectVerdict(v, false, ROWS.never, 'cluster code');
  });

  it('SQL/upgrade content → refused even when declared revertible', () => {
    const v = judge(
      { type: 'hotfix', artifact: zip, revertible: true },
      {
        artifacts: [
          hotfix({ classes: 2, sqlOrUpgrade: 1 }, { sqlOrUpgradeFiles: ['x.jar!com/acme/upgrade/v1_0_1/Up.class'] }),
        ],
      },
    );
    expectVerdict(v, false, ROWS.never, 'SQL or upgrade steps');
  });

  it('fix pack levels are not checked for hotfixes (no preflight level check)', () => {
    const v = judge(
      { type: 'hotfix', artifact: zip },
      { artifacts: [hotfix(JSP_ONLY)], breakingLevels: ['hotfix-1000', 'dxp-12'] },
    );
    expect(v.level !== 'full-restart').toBe(true);
    expect(v.preflightChecks).toEqual([]);
  });

  it('unreadable hotfix → refused', () => {
    const v = judge({ type: 'hotfix', artifact: zip, revertible: true }, { artifacts: [unreadable(zip)] });
    expectVerdict(v, false, ROWS.unknown, 'cannot be read');
  });
});

describe('fix pack removal', () => {
  it('declared `revertible: true` → eligible (fix pack removal row)', () => {
    const v = judge({ type: 'fixpack-revert', patch: 'hotfix-1234-7210', revertible: true });
    expectVerdict(v, true, ROWS.patchRemoval, 'revertible fix packs can be removed in rolling restarts');
    expect(v.summary).toBe('remove patch hotfix-1234-7210');
  });

  it('revertibility missing → refused with a hint to declare it', () => {
    const v = judge({ type: 'fixpack-revert', patch: 'hotfix-1234-7210' });
    expectVerdict(v, false, ROWS.patchNonRevertible, 'Only revertible patches can be removed in a rolling restart');
    expect(v.reasons.join('\n')).toContain('declare `revertible: true`');
  });

  it('declared `revertible: false` → refused', () => {
    const v = judge({ type: 'fixpack-revert', patch: 'de-32-7010', to: 'de-31', revertible: false });
    expectVerdict(v, false, ROWS.patchNonRevertible, 'Declared non-revertible');
  });
});

describe('portal-ext.properties', () => {
  it('ordinary keys → eligible, no warning', () => {
    const v = judge({
      type: 'portal-properties',
      set: { 'company.default.locale': 'en_US', 'session.timeout': 30 },
      unset: ['foo.bar'],
    });
    expectVerdict(v, true, ROWS.config, 'Portal property changes can be applied in rolling restarts');
    expect(v.warnings).toEqual([]);
  });

  it('nothing set or unset → eligible', () => {
    const v = judge({ type: 'portal-properties' });
    expectVerdict(v, true, ROWS.config, 'Portal property');
    expect(v.warnings).toEqual([]);
  });

  it.each<{ name: string; set?: Record<string, string>; unset?: string[]; key: string }>([
    {
      name: 'set cluster.link.channel.properties.control',
      set: { 'cluster.link.channel.properties.control': 'tcp.xml' },
      key: 'cluster.link.channel.properties.control',
    },
    {
      name: 'set cluster.link.channel.logic.name.transport.0',
      set: { 'cluster.link.channel.logic.name.transport.0': 'x' },
      key: 'cluster.link.channel.logic.name.transport.0',
    },
    {
      name: 'unset cluster.link.channel.system.properties',
      unset: ['cluster.link.channel.system.properties'],
      key: 'cluster.link.channel.system.properties',
    },
    {
      name: 'set cluster.link.autodetect.address',
      set: { 'cluster.link.autodetect.address': 'db:5432' },
      key: 'cluster.link.autodetect.address',
    },
    {
      name: 'set cluster.link.bind.addr["cluster-link-control"]',
      set: { 'cluster.link.bind.addr["cluster-link-control"]': '10.0.0.1' },
      key: 'cluster.link.bind.addr["cluster-link-control"]',
    },
  ])('$name → eligible with a Cluster Link warning', ({ set, unset, key }) => {
    const v = judge({ type: 'portal-properties', set: { 'other.key': 'x', ...set }, unset });
    expectVerdict(v, true, ROWS.config, 'Portal property');
    expect(v.warnings).toHaveLength(1);
    expect(v.warnings[0]).toContain(key);
    expect(v.warnings[0]).toContain('change Cluster Link');
    expect(v.warnings[0]).not.toContain('other.key');
  });
});

describe('other change types', () => {
  it('osgi-config → eligible (config row)', () => {
    const v = judge({
      type: 'osgi-config',
      files: [{ source: 'configs/com.acme.Foo.config' }],
      remove: ['com.acme.Old.config'],
    });
    expectVerdict(v, true, ROWS.config, 'System Settings configuration files');
  });

  it('jvm-settings → eligible (app server / JVM row)', () => {
    const v = judge({ type: 'jvm-settings', options: ['-Xmx8g'] });
    expectVerdict(v, true, ROWS.appServer, 'JVM setting changes');
  });

  it('app-server → eligible (app server / JVM row)', () => {
    const v = judge({
      type: 'app-server',
      files: [
        { source: 'server.xml', dest: 'conf/server.xml' },
        { source: 'pg.jar', dest: 'lib/pg.jar' },
      ],
    });
    expectVerdict(v, true, ROWS.appServer, 'Application server updates');
    expect(v.summary).toBe('app server 2 file(s)');
    expect(v.level).toBe('rolling');
  });

  it('activation-key → eligible', () => {
    const v = judge({ type: 'activation-key', artifact: 'license/activation-key.xml' });
    expectVerdict(v, true, ROWS.activationKey, 'Activation keys can be applied in rolling restarts');
  });

  it('os-upgrade → refused (never rolling)', () => {
    const v = judge({ type: 'os-upgrade', commands: ['apt-get -y dist-upgrade'] });
    expectVerdict(v, false, ROWS.never, 'use `strategy: full`');
  });

  it('custom, `rollingSafe: true` → eligible', () => {
    const v = judge({ type: 'custom', name: 'rotate keystore', commands: ['true'], rollingSafe: true });
    expectVerdict(v, true, ROWS.custom, 'Declared `rollingSafe: true`');
    expect(v.summary).toBe('rotate keystore');
  });

  it('custom, `rollingSafe: false` → refused', () => {
    const v = judge({ type: 'custom', name: 'migrate data', commands: ['true'], rollingSafe: false });
    expectVerdict(v, false, ROWS.custom, 'Declared `rollingSafe: false`');
  });

  it('restart → eligible', () => {
    const v = judge({ type: 'restart', reason: 'release memory' });
    expectVerdict(v, true, ROWS.restart, 'Restarting nodes one by one');
    expect(v.summary).toBe('restart only: release memory');
  });

  it('restart without a reason → eligible', () => {
    const v = judge({ type: 'restart' });
    expectVerdict(v, true, ROWS.restart, 'Restarting nodes');
    expect(v.summary).toBe('restart only');
  });
});

describe('java', () => {
  const home = '/opt/jdk-17.0.13';

  it.each([
    { from: '17.0.12', to: '17.0.13', major: 17 },
    { from: '1.8.0_402', to: '1.8.0_412', major: 8 },
    { from: '11.0.2', to: '11.0.24', major: 11 },
    { from: '21', to: '21.0.4', major: 21 },
  ])('minor update $from → $to → eligible', ({ from, to, major }) => {
    const v = judge({ type: 'java', javaHome: home, from, to });
    expectVerdict(v, true, ROWS.javaMinor, `stays on major version ${major}`);
    expect(v.level).toBe('rolling-with-warning');
    expect(v.warnings).toEqual([
      `Java ${from} → ${to} is a minor update: it can be rolled; nodes on ` +
        `the new JVM serve next to nodes on the old one until the last is done.`,
    ]);
    expect(v.preflightChecks).toEqual([`nodes must run Java ${from} now, and ${home} must hold Java ${to}`]);
  });

  it.each([
    { from: '11', to: '17', a: 11, b: 17 },
    { from: '11.0.24', to: '17.0.12', a: 11, b: 17 },
    { from: '1.8.0_412', to: '11.0.2', a: 8, b: 11 },
    { from: '17.0.12', to: '21.0.4', a: 17, b: 21 },
  ])('major update $from → $to → refused (never rolling)', ({ from, to, a, b }) => {
    const v = judge({ type: 'java', javaHome: home, from, to });
    expectVerdict(v, false, ROWS.never, `is a major update (${a} → ${b})`);
    expect(v.basis).toBe('declaration');
  });

  it('a major move down is called a major downgrade', () => {
    const v = judge({ type: 'java', javaHome: home, from: '17.0.12', to: '11.0.24' });
    expectVerdict(v, false, ROWS.never, 'is a major downgrade (17 → 11)');
  });

  it('a minor move down is called a minor downgrade (a warning)', () => {
    const v = judge({ type: 'java', javaHome: home, from: '17.0.13', to: '17.0.12' });
    expect(v.level).toBe('rolling-with-warning');
    expect(v.warnings[0]).toContain('Java 17.0.13 → 17.0.12 is a minor downgrade');
  });

  it('the same version in another JDK home → rolling, no warning', () => {
    const v = judge({ type: 'java', javaHome: home, from: '17.0.13', to: '17.0.13' });
    expect(v.level).toBe('rolling');
    expect(v.reasons.join('\n')).toContain('already runs');
  });

  it('`from` not declared → refused (a major update cannot be ruled out)', () => {
    const v = judge({ type: 'java', javaHome: home, to: '17.0.13' });
    expect(v.level !== 'full-restart').toBe(false);
    expect(v.row).toBe(ROWS.unknown);
    expect(v.reasons.join('\n')).toContain('`from` is not declared');
    expect(v.basis).toBe('unknown-fact');
    expect(v.summary).toBe('Java ? → 17.0.13');
  });
});

describe('a list of changes', () => {
  it('gives one verdict per change, in order, with the ineligible one marked', () => {
    const jar = 'modules/com.acme.foo-2.1.3.jar';
    const verdicts = judgeAll(
      [
        { type: 'module', artifact: jar, dataChanges: 'none' },
        { type: 'java', javaHome: '/opt/jdk-21', from: '17.0.12', to: '21.0.4' },
        { type: 'portal-properties', set: { 'a.b': 'c' } },
        { type: 'restart' },
      ],
      { artifacts: [bundle(jar)] },
    );
    expect(verdicts.map((v) => v.index)).toEqual([0, 1, 2, 3]);
    expect(verdicts.map((v) => v.type)).toEqual(['module', 'java', 'portal-properties', 'restart']);
    expect(verdicts.map((v) => v.level)).toEqual(['rolling', 'full-restart', 'rolling', 'rolling']);
    expect(verdicts.map((v) => v.row)).toEqual([ROWS.newModule, ROWS.never, ROWS.config, ROWS.restart]);
    expect(verdicts[1]?.reasons.join('\n')).toContain('major update (17 → 21)');
  });

  it('looks up facts per artifact path', () => {
    const a = 'modules/a.jar';
    const b = 'modules/b.jar';
    const verdicts = judgeAll(
      [
        { type: 'module', artifact: a, dataChanges: 'none' },
        { type: 'module', artifact: b, dataChanges: 'none' },
      ],
      { artifacts: [bundle(a, { bundleSymbolicName: 'a' }), unreadable(b)] },
    );
    expect(verdicts.map((v) => v.level)).toEqual(['rolling', 'full-restart']);
    expect(verdicts[0]?.summary).toBe('module a 2.1.3');
  });

  it('an empty list gives no verdicts', () => {
    expect(judgeAll([])).toEqual([]);
  });
});

describe('schemaChangeLevel', () => {
  it.each([
    { from: '1.0.0', to: '1.0.0', expected: 'none' },
    { from: '1.0', to: '1.0.0', expected: 'none' },
    { from: '1', to: '1.0.0', expected: 'none' },
    { from: '1.0.0', to: '1.0.1', expected: 'micro' },
    { from: '1.0.5', to: '1.0.1', expected: 'micro' },
    { from: '1.0', to: '1.0.1', expected: 'micro' },
    { from: '1.0.0', to: '1.1.0', expected: 'minor' },
    { from: '1.2.3', to: '1.1.3', expected: 'minor' },
    { from: '1.0.0', to: '1.1.1', expected: 'minor' },
    { from: '1.0.0', to: '2.0.0', expected: 'major' },
    { from: '2.1.1', to: '1.1.1', expected: 'major' },
    { from: '1.0.0', to: '2.1.1', expected: 'major' },
    { from: '2.10.0', to: '2.9.0', expected: 'minor' },
    { from: '2.01.0', to: '2.1.0', expected: 'none' },
  ] as const)('$from → $to is $expected', ({ from, to, expected }) => {
    expect(schemaChangeLevel(from, to)).toBe(expected);
  });
});

describe('parseLevel', () => {
  it.each([
    { text: 'de-28', expected: { family: 'de', number: 28 } },
    { text: 'de-32-7010', expected: { family: 'de', number: 32 } },
    { text: 'liferay-fix-pack-de-32-7010', expected: { family: 'de', number: 32 } },
    { text: 'dxp-10', expected: { family: 'dxp', number: 10 } },
    { text: 'dxp-15-7210', expected: { family: 'dxp', number: 15 } },
    { text: 'liferay-fix-pack-dxp-15-7210', expected: { family: 'dxp', number: 15 } },
    { text: 'portal-45-6210', expected: { family: 'portal', number: 45 } },
    { text: 'liferay-fix-pack-portal-45-6210', expected: { family: 'portal', number: 45 } },
    { text: 'fp-7', expected: { family: 'fp', number: 7 } },
    { text: 'hotfix-1234-7210', expected: { family: 'hotfix', number: 1234 } },
    { text: 'sp-3', expected: { family: 'sp', number: 3 } },
  ])('$text → $expected.family-$expected.number', ({ text, expected }) => {
    expect(parseLevel(text)).toEqual(expected);
  });

  it.each(['', 'de', 'de-', '32', 'Fix Pack 32', '7.4.13-u72', '2024.q1.0', 'de-32.zip', 'de-x'])(
    '%j is not a level',
    (text) => {
      expect(parseLevel(text)).toBeUndefined();
    },
  );
});

describe('javaMajor', () => {
  it.each([
    { version: '1.8.0_412', expected: 8 },
    { version: '1.8.0_402', expected: 8 },
    { version: '1.8.0', expected: 8 },
    { version: '1.8', expected: 8 },
    { version: '1.7.0_80', expected: 7 },
    { version: '8', expected: 8 },
    { version: '8.0.412', expected: 8 },
    { version: '9.0.4', expected: 9 },
    { version: '11', expected: 11 },
    { version: '11.0.2', expected: 11 },
    { version: '17.0.12', expected: 17 },
    { version: '17.0.13', expected: 17 },
    { version: '21.0.4', expected: 21 },
    { version: '17.0.12+7', expected: 17 },
  ])('$version → $expected', ({ version, expected }) => {
    expect(javaMajor(version)).toBe(expected);
  });
});

describe('later rules', () => {
  const zip = 'patches/liferay-fix-pack-de-32-7010.zip';

  it('a JSP-only patch declared `revertible: false` is refused: non-revertible patches never roll', () => {
    const v = judge(
      { type: 'fixpack', artifact: zip, revertible: false },
      { artifacts: [patchZip(zip, { content: JSP_ONLY })] },
    );
    expectVerdict(v, false, ROWS.patchNonRevertible, 'declared non-revertible');
  });

  it('toggling `cluster.link.enabled` warns as well', () => {
    const v = judge({ type: 'portal-properties', set: { 'cluster.link.enabled': true } });
    expect(v.level !== 'full-restart').toBe(true);
    expect(v.warnings[0]).toContain('cluster.link.enabled change Cluster Link');
  });

  it.each([
    ['de-28', 'de-32', ['de-30'], ['de-30']],
    ['de-32', 'de-28', ['de-30'], ['de-30']],
    ['de-28', 'de-30', ['de-30'], ['de-30']],
    ['de-30', 'de-32', ['de-30'], []],
    ['de-28', 'de-32', ['dxp-30'], []],
    ['dxp-10-7210', 'dxp-15-7210', ['dxp-12', 'dxp-15', 'dxp-16'], ['dxp-12', 'dxp-15']],
  ])('crossedLevels(%s, %s, %j) = %j', (from, to, breaking, expected) => {
    expect(crossedLevels(from, to, breaking)).toEqual(expected);
  });
});
