import { describe, expect, it } from 'vitest';
import type { ArtifactFacts, PatchContent } from '../../../src/artifacts/types.js';
import { crossedLevels } from '../../../src/domain/levels.js';
import { judgeChanges } from '../../../src/plan/eligibility.js';
import { ROWS } from '../../../src/plan/eligibility-rows.js';
import type { ChangeVerdict } from '../../../src/plan/types.js';
import type { Change } from '../../../src/playbook/playbook.generated.js';

// Removing fix packs and moving across breaking levels in both directions.

const ZIP = 'patches/liferay-fix-pack-dxp-15-7210.zip';
const CONTENT: PatchContent = { jspOrStatic: 0, classes: 0, jars: 0, sqlOrUpgrade: 0, other: 0 };

function zip(
  content: Partial<PatchContent>,
  over: { name?: string; sqlOrUpgradeFiles?: string[]; clusterClasses?: string[] } = {},
): ArtifactFacts {
  return {
    path: ZIP,
    absPath: `/p/${ZIP}`,
    fileName: 'liferay-fix-pack-dxp-15-7210.zip',
    sha256: 'c'.repeat(64),
    size: 1,
    manifest: null,
    config: null,
    error: null,
    invalid: null,
    patch: {
      name: over.name ?? 'dxp-15-7210',
      product: 'dxp',
      requirements: [],
      fixedIssues: 3,
      documentation: 'json',
      content: { ...CONTENT, ...content },
      clusterClasses: over.clusterClasses ?? [],
      sqlOrUpgradeFiles: over.sqlOrUpgradeFiles ?? [],
      unreadable: [],
    },
  };
}

function judge(change: Change, artifacts: ArtifactFacts[] = [], breakingLevels: string[] = []): ChangeVerdict {
  return judgeChanges({
    changes: [change],
    artifacts: new Map(artifacts.map((a) => [a.path, a])),
    breakingLevels,
  })[0] as ChangeVerdict;
}

describe('fixpack-revert: the level it returns to', () => {
  it('removing dxp-15 back to dxp-10 across the breaking level dxp-12 is refused exactly as moving up is', () => {
    const down = judge(
      { type: 'fixpack-revert', patch: 'dxp-15-7210', to: 'dxp-10', revertible: true },
      [],
      ['dxp-12'],
    );
    expect(down.level).toBe('full-restart');
    expect(down.basis).toBe('breaking-level');
    expect(down.row).toBe(ROWS.never);
    expect(down.reasons.join(' ')).toContain(
      'Moving down dxp-15 → dxp-10 (a downgrade) crosses the breaking level dxp-12',
    );
    const up = judgeChanges({
      changes: [{ type: 'fixpack', artifact: ZIP, from: 'dxp-10', revertible: true }],
      artifacts: new Map([[ZIP, zip({ jspOrStatic: 1 })]]),
      breakingLevels: ['dxp-12'],
    })[0];
    expect(up?.level).toBe('full-restart');
    expect(up?.row).toBe(down.row);
  });

  it('the removed level itself breaking is crossed on the way down', () => {
    const v = judge({ type: 'fixpack-revert', patch: 'dxp-15-7210', to: 'dxp-14', revertible: true }, [], ['dxp-15']);
    expect(v.level).toBe('full-restart');
    expect(v.reasons.join(' ')).toContain('crosses the breaking level dxp-15');
  });

  it('a way down with no breaking level → rolling, and preflight checks the level before and after', () => {
    const v = judge({ type: 'fixpack-revert', patch: 'dxp-15-7210', to: 'dxp-14', revertible: true }, [], ['dxp-12']);
    expect(v.level).toBe('rolling');
    expect(v.summary).toBe('remove patch dxp-15-7210 (back to dxp-14)');
    expect(v.reasons.join(' ')).toContain('Moving down dxp-15 → dxp-14 (a downgrade) crosses no known breaking level');
    expect(v.preflightChecks).toEqual(['installed fix pack level must be dxp-15; after the removal, dxp-14']);
  });

  it('breaking levels are written as `from` is: `dxp-12-7210` in the playbook counts as dxp-12', () => {
    const v = judge({
      type: 'fixpack-revert',
      patch: 'dxp-15-7210',
      to: 'dxp-10-7210',
      revertible: true,
      breakingLevels: ['dxp-12-7210'],
    });
    expect(v.level).toBe('full-restart');
    expect(v.reasons.join(' ')).toContain('crosses the breaking level dxp-12');
    expect(crossedLevels('dxp-10', 'dxp-15', ['dxp-12', 'dxp-12-7210'])).toEqual(['dxp-12']);
  });

  it('a fix pack removal without `to` cannot be judged: the safe verdict, resting on a missing declaration', () => {
    const v = judge({ type: 'fixpack-revert', patch: 'dxp-15-7210', revertible: true });
    expect(v.level).toBe('full-restart');
    expect(v.basis).toBe('missing-declaration');
    expect(v.reasons.join(' ')).toContain('declare `to` (the level it returns to, e.g. `dxp-14`)');
  });

  it('a hotfix removal needs no `to`: hotfixes are not levels', () => {
    const v = judge({ type: 'fixpack-revert', patch: 'liferay-hotfix-1234-7210.zip', revertible: true });
    expect(v.level).toBe('rolling');
  });

  it.each(['dxp-15', 'dxp-16', 'de-10'])('`to: %s` is not a level below dxp-15 → refused on the declaration', (to) => {
    const v = judge({ type: 'fixpack-revert', patch: 'dxp-15-7210', to, revertible: true });
    expect(v.level).toBe('full-restart');
    expect(v.basis).toBe('declaration');
    expect(v.reasons.join(' ')).toContain('is not a level below dxp-15');
  });
});

describe('fixpack-revert: the artifact being removed', () => {
  it('SQL or upgrade steps in it → never rolled, whatever is declared (resting on the artifact)', () => {
    const v = judge({ type: 'fixpack-revert', patch: 'dxp-15-7210', to: 'dxp-14', artifact: ZIP, revertible: true }, [
      zip({ sqlOrUpgrade: 1 }, { sqlOrUpgradeFiles: ['sql/update.sql'] }),
    ]);
    expect(v.level).toBe('full-restart');
    expect(v.basis).toBe('artifact');
  });

  it('classes in cluster packages → never rolled', () => {
    const v = judge({ type: 'fixpack-revert', patch: 'dxp-15-7210', to: 'dxp-14', artifact: ZIP, revertible: true }, [
      zip({ classes: 1 }, { clusterClasses: ['com/liferay/portal/kernel/cluster/X.class'] }),
    ]);
    expect(v.level).toBe('full-restart');
    expect(v.reasons.join(' ')).toContain('cluster code');
  });

  it('JSP/static only → rolling without a `revertible` declaration', () => {
    const v = judge({ type: 'fixpack-revert', patch: 'dxp-15-7210', to: 'dxp-14', artifact: ZIP }, [
      zip({ jspOrStatic: 4 }),
    ]);
    expect(v.level).toBe('rolling');
    expect(v.reasons.join(' ')).toContain('Only JSP/static resources change (4 files)');
  });

  it('class changes and no declaration → the safe verdict, resting on a missing declaration', () => {
    const v = judge({ type: 'fixpack-revert', patch: 'dxp-15-7210', to: 'dxp-14', artifact: ZIP }, [
      zip({ classes: 3 }),
    ]);
    expect(v.level).toBe('full-restart');
    expect(v.basis).toBe('missing-declaration');
  });

  it('an artifact of another level than `patch` names → refused: say which one is removed', () => {
    const v = judge({ type: 'fixpack-revert', patch: 'dxp-14-7210', to: 'dxp-13', artifact: ZIP, revertible: true }, [
      zip({ jspOrStatic: 1 }),
    ]);
    expect(v.level).toBe('full-restart');
    expect(v.reasons.join(' ')).toContain('The artifact is fix pack dxp-15, but `patch` names dxp-14');
  });

  it('an unreadable artifact → the safe verdict, resting on an unknown fact', () => {
    const v = judge({ type: 'fixpack-revert', patch: 'dxp-15-7210', to: 'dxp-14', artifact: ZIP, revertible: true }, [
      { ...zip({}), patch: null, error: 'invalid zip file' },
    ]);
    expect(v.level).toBe('full-restart');
    expect(v.basis).toBe('unknown-fact');
  });
});

describe('fixpack-revert as written in a playbook', () => {
  it('`to` and `breakingLevels` in the long spelling (`dxp-12-7210`) validate and decide the verdict', async () => {
    const { planText, withBase } = await import('../input/helpers.js');
    const yaml = (levels: string): string =>
      withBase(
        'change:\n  type: restart\n',
        `rollout:\n  strategy: full\nchange:\n  type: fixpack-revert\n  patch: ` +
          `liferay-fix-pack-dxp-15-7210\n  to: dxp-10-7210\n  revertible: true\n  breakingLevels: [` +
          `${levels}]\n`,
      );
    const across = await planText(yaml('dxp-12-7210'));
    expect(across.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(across.plan?.verdict.changes[0]).toMatchObject({ level: 'full-restart', basis: 'breaking-level' });
    expect(across.plan?.verdict.changes[0]?.reasons.join(' ')).toContain(
      'Moving down dxp-15 → dxp-10 (a downgrade) crosses the breaking level dxp-12',
    );
    const below = await planText(yaml('dxp-9-7210'));
    expect(below.plan?.verdict.changes[0]?.level).toBe('rolling');
  });
});
