// The preflight check of a release move (and of a hotfix built for one release): which release the
// node runs, and the schema versions of the Service Builder bundles it has installed.
import { shq } from '../shell/quote.js';

/**
 * Where lrroll records the release it installed on a node (read before the log banner); outside `.lrroll`, so a change
 * backs it up and a rollback restores it.
 */
export function releaseMarker(home: string): string {
  return `${home}/.lrroll-release`;
}

/** Joins a manifest's continuation lines, as installedSchemaCommand does. */
const UNFOLD_AWK =
  'NR > 1 && /^ / { line = line substr($0, 2); next } { if (NR > 1) print line; line = $0 } END { print line }';

/**
 * Prints `marker=<release lrroll recorded>`, `banner=<newest "Starting Liferay" line>`, then
 * `<bundle>\t<schema version>` for every installed bundle (in osgi/core, portal, static, modules and
 * marketplace, inside lpkgs too) that has a Liferay-Require-SchemaVersion. Read-only.
 */
export function installedReleaseCommand(home: string, tomcatHome: string, withSchemas: boolean): string {
  const h = shq(home);
  const lines = [
    `printf 'marker=%s\\n' "$(head -n 1 ${shq(releaseMarker(home))} 2>/dev/null)"`,
    `printf 'banner=%s\\n' "$(cat ${shq(`${tomcatHome}/logs/catalina.out`)} ${h}` +
      `/logs/liferay.*.log 2>/dev/null | grep -a 'Starting Liferay ' | tail -n 1)"`,
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
    `  unzip -Z1 "$l" 2>/dev/null | grep -E '\\.jar$' | while IFS= read -r e; do q=$(printf '%s' "$e" ` +
      `| sed 's/[][*?\\\\]/\\\\&/g'); unzip -p "$l" "$q" > "$t" 2>/dev/null || continue`,
    schemaLine('$t'),
    '  done',
    'done',
    'exit 0',
  );
  return lines.join('\n');
}

/**
 * Prints `<bundle>\t<schema version>` for the jar in `file` (a shell word) when its manifest has a
 * Liferay-Require-SchemaVersion.
 */
function schemaLine(file: string): string {
  return [
    `  m=$(unzip -p "${file}" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\\r' | LC_ALL=C awk ` +
      `${shq(UNFOLD_AWK)}) || continue`,
    `  s=$(printf '%s\\n' "$m" | sed -n 's/^Liferay-Require-SchemaVersion: *//p' | sed ` +
      `'s/[[:space:]]*$//'); [ -n "$s" ] || continue`,
    `  n=$(printf '%s\\n' "$m" | sed -n 's/^Bundle-SymbolicName: *//p' | sed 's/;.*//; ` +
      `s/[[:space:]]*$//'); printf '%s\\t%s\\n' "$n" "$s"`,
  ].join('\n');
}
