// The judge of a node's release check (plan/release-check.ts writes the command): which release the
// node runs, and whether the new release's Service Builder schemas move major/minor from the node's.
import { someNames } from './name-list.js';
import { parseRelease, releaseName } from './releases.js';
import { schemaChangeLevel } from './versions.js';

/** What the check expects: the playbook's release and the schema versions of its bundles. */
interface ReleaseExpectation {
  expected: string;
  schemas: ReadonlyArray<{ bundle: string; schemaVersion: string }>;
}

/** The release the node's output names: lrroll's record first, else the log banner; null when neither says. */
export function installedRelease(out: string): string | null {
  const marker = /^marker=(.*)$/m.exec(out)?.[1]?.trim() ?? '';
  const fromMarker = parseRelease(marker);
  if (fromMarker) return releaseName(fromMarker);
  const banner = /^banner=(.*)$/m.exec(out)?.[1] ?? '';
  const m = /Starting Liferay .*?(\d{4}\.Q[1-4]\.\d+|7\.4\.13[ .-](?:Update |u)\d+)/i.exec(banner);
  const r = m ? parseRelease((m[1] as string).replace(/ Update /i, '-u').replace(/\.u/i, '-u')) : undefined;
  return r ? releaseName(r) : null;
}

/** Judges the check's output: the release must be the expected one, and no new bundle's schema may move major/minor. */
export function judgeInstalledRelease(step: ReleaseExpectation, out: string): { ok: boolean; message: string } {
  const now = installedRelease(out);
  const expected = parseRelease(step.expected);
  const want = expected ? releaseName(expected) : step.expected;
  if (now === null)
    return {
      ok: false,
      message:
        `cannot tell which Liferay release the node runs ` +
        `(no \`.lrroll-release\` record and no "Starting ` +
        `Liferay …" line in its logs); the playbook says ${want}`,
    };
  if (now !== want) return { ok: false, message: `the node runs Liferay ${now}, the playbook says ${want}` };
  const installed = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [bundle, version] = line.split('\t');
    if (bundle && version && !line.startsWith('marker=') && !line.startsWith('banner='))
      installed.set(bundle, version.trim());
  }
  const moves = step.schemas.flatMap((s) => {
    const current = installed.get(s.bundle);
    const level = current ? schemaChangeLevel(current, s.schemaVersion) : 'none';
    return level === 'major' || level === 'minor'
      ? [`${s.bundle} ${current ?? '?'} → ${s.schemaVersion} (${level})`]
      : [];
  });
  if (moves.length > 0)
    return {
      ok: false,
      message:
        `the new release moves Service Builder schemas major/minor, a required upgrade that cannot be ` +
        `rolled: ${someNames(moves, 5)}`,
    };
  return {
    ok: true,
    message: `runs ${now}${step.schemas.length ? `; ${step.schemas.length} Service Builder schema(s) compatible` : ''}`,
  };
}
