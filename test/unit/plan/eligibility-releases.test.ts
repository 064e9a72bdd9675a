import { describe, expect, it } from 'vitest';
import type { ArtifactFacts } from '../../../src/artifacts/types.js';
import { judgeChanges } from '../../../src/plan/eligibility.js';
import { parseRelease, releaseMove, releaseName } from '../../../src/domain/releases.js';
import { RELEASE_ROWS } from '../../../src/plan/eligibility-releases.js';
import type { Change } from '../../../src/playbook/playbook.generated.js';

const LPKG = 'releases/Liferay Foundation.lpkg';

function releaseFacts(path: string, over: Partial<ArtifactFacts> = {}): ArtifactFacts {
  return {
    path,
    absPath: `/play/${path}`,
    fileName: path.split('/').pop() ?? path,
    sha256: 'a'.repeat(64),
    size: 99,
    manifest: null,
    patch: null,
    error: null,
    invalid: null,
    config: null,
    bundles: [
      { bundleSymbolicName: 'com.liferay.journal.service', bundleVersion: '5.0.93', requireSchemaVersion: '4.4.2' },
      { bundleSymbolicName: 'com.liferay.journal.api', bundleVersion: '28.1.4', requireSchemaVersion: null },
    ],
    ...over,
  };
}

function judge(change: Change, facts: ArtifactFacts = releaseFacts(LPKG)) {
  const [v] = judgeChanges({ changes: [change], artifacts: new Map([[facts.path, facts]]), breakingLevels: [] });
  if (!v) throw new Error('no verdict');
  return v;
}

const release = (over: Partial<Extract<Change, { type: 'release' }>>): Change => ({
  type: 'release',
  to: '2024.q1.3',
  from: '2024.q1.1',
  lpkgs: [LPKG],
  upgradeProcesses: false,
  ...over,
});

describe('release names', () => {
  it.each([
    ['2024.q1.3', '2024.q1.3'],
    ['2025.Q1.0', '2025.q1.0'],
    ['7.4.13-u92', '7.4.13-u92'],
    ['7.4.13 Update 92', '7.4.13-u92'],
    ['7.4.13.U100', '7.4.13-u100'],
  ])('%s → %s', (text, name) => {
    const r = parseRelease(text);
    expect(r && releaseName(r)).toBe(name);
  });

  it.each(['2024.q5.1', '7.3.10-u1', 'dxp-15', '2024.q1', ''])('%s is not a release', (text) =>
    expect(parseRelease(text)).toBeUndefined(),
  );

  it.each([
    ['2024.q1.1', '2024.q1.3', 'patch'],
    ['2024.q1.3', '2024.q1.1', 'downgrade'],
    ['2024.q1.3', '2024.q2.0', 'new-version'],
    ['2024.q4.9', '2025.q1.0', 'new-version'],
    ['2025.q1.0', '2024.q4.2', 'downgrade'],
    ['7.4.13-u100', '7.4.13-u102', 'patch'],
    ['7.4.13-u92', '2023.q3.1', 'new-version'],
    ['2023.q3.1', '7.4.13-u92', 'downgrade'],
    ['2024.q1.1', '2024.q1.1', 'same'],
  ])('%s → %s is %s', (from, to, move) => {
    expect(releaseMove(parseRelease(from) as never, parseRelease(to) as never)).toBe(move);
  });
});

describe('eligibility of a release', () => {
  it(
    'a patch release within one quarter, declared without upgrade processes, rolls; preflight confirms ' +
      'the node and the schemas',
    () => {
      const v = judge(release({}));
      expect(v.level).toBe('rolling');
      expect(v.row).toBe(RELEASE_ROWS.patchRelease);
      expect(v.preflightChecks.join(' ')).toMatch(/every node runs 2024\.q1\.1 now.*1 Service Builder bundle/);
    },
  );

  it.each([
    [release({ to: '2024.q2.0' }), RELEASE_ROWS.newRelease, /new version/],
    [release({ from: '7.4.13-u102', to: '2024.q1.0' }), RELEASE_ROWS.newRelease, /new version/],
    [release({ to: '2023.q4.5' }), RELEASE_ROWS.newRelease, /lower release/],
    [release({ upgradeProcesses: true }), RELEASE_ROWS.upgrades, /never rolled/],
    [release({ upgradeProcesses: undefined }), RELEASE_ROWS.unknown, /declare `upgradeProcesses: false`/],
    [release({ from: undefined }), RELEASE_ROWS.unknown, /`from`/],
    [release({ to: '2024.q1.1' }), RELEASE_ROWS.unknown, /already/],
  ])('%j is not rolled', (change, row, reason) => {
    const v = judge(change);
    expect(v.level).toBe('full-restart');
    expect(v.row).toBe(row);
    expect(v.reasons.join(' ')).toMatch(reason);
  });

  it('an artifact that cannot all be read gives the safe verdict', () => {
    const v = judge(release({}), releaseFacts(LPKG, { bundles: undefined, error: 'part of it cannot be inspected' }));
    expect(v).toMatchObject({ level: 'full-restart', row: RELEASE_ROWS.unknown });
  });

  it('a later 7.4 update rolls with a warning that updates may add features', () => {
    const v = judge(release({ from: '7.4.13-u100', to: '7.4.13-u102' }));
    expect(v.level).toBe('rolling-with-warning');
    expect(v.warnings.join(' ')).toMatch(/new features/);
  });

  it('a hotfix built for a release is judged by content and confirmed on the node', () => {
    const hotfix: ArtifactFacts = {
      ...releaseFacts('patches/h.zip'),
      bundles: undefined,
      patch: {
        name: 'liferay-dxp-2024.q1.1-hotfix-3',
        product: 'dxp',
        requirements: [],
        fixedIssues: 1,
        documentation: 'json',
        content: { jspOrStatic: 1, classes: 0, jars: 0, sqlOrUpgrade: 0, other: 0 },
        clusterClasses: [],
        sqlOrUpgradeFiles: [],
        unreadable: [],
      },
    };
    const v = judge({ type: 'hotfix', artifact: 'patches/h.zip', release: '2024.Q1.1' }, hotfix);
    expect(v.level).toBe('rolling');
    expect(v.preflightChecks).toContain('every node runs 2024.q1.1, the release the hotfix is built for');
  });
});
