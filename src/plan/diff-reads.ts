// What `lrroll diff` reads on a node, one read-only step per thing a change would touch, built
// from the change's previews (compile's output next to the plan). Each is a step like the
// cluster's, run through the one step runner with its own deadline and the change's rights.
import { shq } from '../shell/quote.js';
import { CLUSTER_TIMINGS } from './defaults.js';
import { parseDuration } from './duration.js';
import type { ChangePreview } from './preview.js';
import { sha256Command } from './shell/file-facts.js';
import type { ClusterStep } from './types-cluster.js';

type Preview<K extends ChangePreview['kind']> = Extract<ChangePreview, { kind: K }>;

/** A read of `lrroll diff`: `what` names it in the step id (`cluster/diff/<node>/<what>`). */
function read(node: string, what: string, title: string, command: string, become: boolean): ClusterStep {
  return {
    id: `cluster/diff/${node}/${what}`,
    action: 'read-diff',
    title,
    node,
    runOn: 'node',
    command,
    api: null,
    become,
    secretEnv: [],
    placeholders: [],
    timeoutSec: parseDuration(CLUSTER_TIMINGS.diffReadTimeout),
    when: null,
  };
}

/** An edited file as it is now: `present` and its text, or `absent`. */
export function editNowStep(node: string, p: Preview<'edit'>, become: boolean): ClusterStep {
  const f = shq(p.file);
  return read(
    node,
    `${p.change}/edit-now`,
    `${p.file} as it is on ${node}`,
    `if [ -f ${f} ]; then echo present; cat -- ${f}; else echo absent; fi`,
    become,
  );
}

/** An edited file as the change would leave it: the apply step's own filter, to standard output. */
export function editAfterStep(node: string, p: Preview<'edit'>, become: boolean): ClusterStep {
  const f = shq(p.file);
  return read(
    node,
    `${p.change}/edit-after`,
    `${p.file} as change ${p.change + 1} would make it on ${node}`,
    `if [ -f ${f} ]; then ${p.filter} < ${f}; else ${p.filter} < /dev/null; fi`,
    become,
  );
}

/** A file's size and SHA-256, or `absent`. */
export function fileStep(node: string, change: number, path: string, become: boolean): ClusterStep {
  return read(
    node,
    `${change}/file`,
    `size and SHA-256 of ${path} on ${node}`,
    `if [ -f ${shq(path)} ]; then wc -c < ${shq(path)} && (${sha256Command(path)}); else echo absent; fi`,
    become,
  );
}

/** The Patching Tool's installed patches (exit 3 when the node has no Patching Tool). */
export function patchesStep(node: string, p: Preview<'patches'>, become: boolean): ClusterStep {
  const pt = `${p.home}/patching-tool`;
  const info = `cd ${shq(pt)} && ./patching-tool.sh ${p.profile ? `${shq(p.profile)} ` : ''}info`;
  const command =
    `if [ -x ${shq(`${pt}/patching-tool.sh`)} ]; then (${info}` +
    `) | sed -n 's/^ *Currently installed patches: *//p'; else echo 'lrroll: no Patching Tool in ` +
    `${pt.replace(/'/g, '')}' >&2; exit 3; fi`;
  return read(node, `${p.change}/patches`, `installed patches of ${node} (Patching Tool info)`, command, become);
}

/**
 * Prints `version<TAB>file` for every installed copy of the bundle, then `replaced<TAB>file` for files its `replaces`
 * pattern removes.
 */
export function moduleStep(node: string, p: Preview<'module'>, become: boolean): ClusterStep {
  const dirs = ['osgi/modules', 'osgi/war', 'osgi/marketplace', 'deploy'].map((d) => shq(`${p.home}/${d}`));
  const lines = [
    `for f in ${dirs.map((d) => `${d}/*.jar ${d}/*.war`).join(' ')}; do`,
    '  [ -f "$f" ] || continue',
    `  m=$(unzip -p "$f" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\\r' | LC_ALL=C awk 'NR > 1 && /^ ` +
      `/ { line = line substr($0, 2); next } { if (NR > 1) print line; line = $0 } END { print line }') ` +
      `|| continue`,
    `  n=$(printf '%s\\n' "$m" | sed -n 's/^Bundle-SymbolicName: *//p' | sed 's/;.*//; s/[[:space:]]*$//')`,
    `  [ "$n" = ${shq(p.bundle)} ] || continue`,
    `  v=$(printf '%s\\n' "$m" | sed -n 's/^Bundle-Version: *//p' | sed 's/[[:space:]]*$//')`,
    `  printf '%s\\t%s\\n' "\${v:-?}" "$f"`,
    'done',
  ];
  if (p.replaces)
    lines.push(
      `find ${shq(`${p.home}/osgi/modules`)} ${shq(`${p.home}/osgi/war`)} -maxdepth 1 -type f -name ` +
        `${shq(p.replaces)} ! -name ${shq(p.file)} 2>/dev/null | sed 's/^/replaced\t/'`,
    );
  lines.push('exit 0');
  return read(node, `${p.change}/module`, `installed copies of ${p.bundle} on ${node}`, lines.join('\n'), become);
}
