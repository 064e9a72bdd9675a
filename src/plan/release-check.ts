// The preflight check of a release move (and of a hotfix built for one release): which release the
// node runs, and the schema versions of the Service Builder bundles it has installed.
import { schemaChangeLevel } from './eligibility.js';
import { parseRelease, releaseName } from './eligibility-releases.js';
import { shq } from '../shell/quote.js';
import type { CheckReleaseStep } from './types.js';

/** Where lrroll records the release it installed on a node (read before the log banner); outside `.lrroll`, so a change backs it up and a rollback restores it. */
export function releaseMarker(home: string): string {
  return `${home}/.lrroll-release`;
}

/** Joins a manifest's continuation lines, as installedSchemaCommand does. */
const UNFOLD_AWK = 'NR > 1 && /^ / { line = line substr($0, 2); next } { if (NR > 1) print line; line = $0 } END { print line }';

/**
 * Prints `marker=<release lrroll recorded>`, `banner=<newest "Starting Liferay" line>`, then
 * `<bundle>\t<schema version>` for every installed bundle (in osgi/core, portal, static, modules and
 * marketplace, inside lpkgs too) that has a Liferay-Require-SchemaVersion. Read-only.
 */
export function installedReleaseCommand(home: string, tomcatHome: string, withSchemas: boolean): string {
  const h = shq(home);
  const lines = [
    `printf 'marker=%s\\n' "$(head -n 1 ${shq(releaseMarker(home))} 2>/dev/null)"`,
    `printf 'banner=%s\\n' "$(cat ${shq(`${tomcatHome}/logs/catalina.out`)} ${h}/logs/liferay.*.log 2>/dev/null | grep -a 'Starting Liferay ' | tail -n 1)"`,
  ];
  if (!withSchemas) return lines.join('\n');
  // Every installed jar, then each jar inside each lpkg (copied out one at a time): its schema line, if any.
  lines.push(
    't=$(mktemp) || exit 1',
    `trap 'rm -f "$t"' EXIT`,
    `for d in core portal static modules marketplace; do for f in ${h}/osgi/"$d"/*.jar; do [ -f "$f" ] || continue`,
    schemaLine('$f'),
    'done; done',
    `for l in ${h}/osgi/marketplace/*.lpkg; do [ -f "$l" ] || continue`,
    // unzip reads a member name as a pattern: escape its pattern characters.
    `  unzip -Z1 "$l" 2>/dev/null | grep -E '\\.jar$' | while IFS= read -r e; do q=$(printf '%s' "$e" | sed 's/[][*?\\\\]/\\\\&/g'); unzip -p "$l" "$q" > "$t" 2>/dev/null || continue`,
    schemaLine('$t'),
    '  done',
    'done',
    'exit 0',
  );
  return lines.join('\n');
}

/** Prints `<bundle>\t<schema version>` for the jar in `file` (a shell word) when its manifest has a Liferay-Require-SchemaVersion. */
function schemaLine(file: string): string {
  return [
    `  m=$(unzip -p "${file}" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\\r' | LC_ALL=C awk ${shq(UNFOLD_AWK)}) || continue`,
    `  s=$(printf '%s\\n' "$m" | sed -n 's/^Liferay-Require-SchemaVersion: *//p' | sed 's/[[:space:]]*$//'); [ -n "$s" ] || continue`,
    `  n=$(printf '%s\\n' "$m" | sed -n 's/^Bundle-SymbolicName: *//p' | sed 's/;.*//; s/[[:space:]]*$//'); printf '%s\\t%s\\n' "$n" "$s"`,
  ].join('\n');
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
export function judgeInstalledRelease(step: CheckReleaseStep, out: string): { ok: boolean; message: string } {
  const now = installedRelease(out);
  const expected = parseRelease(step.expected);
  const want = expected ? releaseName(expected) : step.expected;
  if (now === null) return { ok: false, message: `cannot tell which Liferay release the node runs (no \`.lrroll-release\` record and no "Starting Liferay …" line in its logs); the playbook says ${want}` };
  if (now !== want) return { ok: false, message: `the node runs Liferay ${now}, the playbook says ${want}` };
  const installed = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [bundle, version] = line.split('\t');
    if (bundle && version && !line.startsWith('marker=') && !line.startsWith('banner=')) installed.set(bundle, version.trim());
  }
  const moves = step.schemas.flatMap((s) => {
    const current = installed.get(s.bundle);
    const level = current ? schemaChangeLevel(current, s.schemaVersion) : 'none';
    return level === 'major' || level === 'minor' ? [`${s.bundle} ${current ?? '?'} → ${s.schemaVersion} (${level})`] : [];
  });
  if (moves.length > 0) return { ok: false, message: `the new release moves Service Builder schemas major/minor, a required upgrade that cannot be rolled: ${moves.slice(0, 5).join(', ')}${moves.length > 5 ? ` and ${moves.length - 5} more` : ''}` };
  return { ok: true, message: `runs ${now}${step.schemas.length ? `; ${step.schemas.length} Service Builder schema(s) compatible` : ''}` };
}
