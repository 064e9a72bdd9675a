// What `lrroll diff` reads on a node, one read-only step per thing a change would touch, built
// from the change's previews: the plan's `cluster.diff`, shown by `lrroll plan --full`. Each is a
// step like the cluster's, run through the one step runner with its own deadline and the change's
// rights.
import { shq } from '../shell/quote.js';
import { CLUSTER_TIMINGS } from './defaults.js';
import { parseDuration } from './duration.js';
import type { ChangePreview } from './preview.js';
import { sha256Command } from './shell/file-facts.js';
import type { ClusterStep, DiffNodeSteps, DiffRead } from './types-cluster.js';
import type { NodePlan } from './types.js';

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

/** What `lrroll diff` reads on every node the plan changes (in plan order), from their previews and node plans. */
export function diffSection(
  previews: ReadonlyMap<string, readonly ChangePreview[]>,
  nodePlans: ReadonlyMap<string, NodePlan>,
): DiffNodeSteps[] {
  return [...previews].map(([node, p]) => {
    // Read with the rights the change would write with.
    const become = nodePlans.get(node)?.steps.find((st) => st.action === 'apply')?.become ?? false;
    return diffSteps(node, p, become);
  });
}

/**
 * The reads of one node the plan changes, in change order: an edit is read as it is and as the change would leave it;
 * a file put in place or removed, by size and SHA-256; the installed patches once (a later patch change starts from
 * what the one before leaves); a bundle's installed copies. Commands lrroll cannot preview have none. `become`: the
 * rights the change writes with.
 */
function diffSteps(node: string, previews: readonly ChangePreview[], become: boolean): DiffNodeSteps {
  const reads: DiffRead[] = [];
  const entry = (p: ChangePreview, kind: DiffRead['kind'], now: ClusterStep, after: ClusterStep | null = null): void =>
    void reads.push({ change: p.change, kind, now, after });
  for (const p of previews) {
    switch (p.kind) {
      case 'edit':
        entry(p, 'edit', editNowStep(node, p, become), editAfterStep(node, p, become));
        break;
      case 'install':
        entry(p, 'file', fileStep(node, p.change, p.path, become));
        break;
      case 'remove':
        entry(p, 'file', fileStep(node, p.change, p.path, become));
        break;
      case 'patches':
        if (!reads.some((r) => r.kind === 'patches')) entry(p, 'patches', patchesStep(node, p, become));
        break;
      case 'module':
        entry(p, 'module', moduleStep(node, p, become));
        break;
      case 'opaque':
        break;
    }
  }
  return { node, reads: uniqueIds(reads) };
}

/** A change that puts several files in place reads each: the second and later get `-2`, `-3`… in their ids. */
function uniqueIds(reads: DiffRead[]): DiffRead[] {
  const seen = new Map<string, number>();
  const unique = (s: ClusterStep): ClusterStep => {
    const n = (seen.get(s.id) ?? 0) + 1;
    seen.set(s.id, n);
    return n === 1 ? s : { ...s, id: `${s.id}-${n}` };
  };
  return reads.map((r) => ({ ...r, now: unique(r.now), after: r.after ? unique(r.after) : null }));
}

/** An edited file as it is now: `present` and its text, or `absent`. */
function editNowStep(node: string, p: Preview<'edit'>, become: boolean): ClusterStep {
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
function editAfterStep(node: string, p: Preview<'edit'>, become: boolean): ClusterStep {
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
function fileStep(node: string, change: number, path: string, become: boolean): ClusterStep {
  return read(
    node,
    `${change}/file`,
    `size and SHA-256 of ${path} on ${node}`,
    `if [ -f ${shq(path)} ]; then wc -c < ${shq(path)} && (${sha256Command(path)}); else echo absent; fi`,
    become,
  );
}

/** The Patching Tool's installed patches (exit 3 when the node has no Patching Tool). */
function patchesStep(node: string, p: Preview<'patches'>, become: boolean): ClusterStep {
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
function moduleStep(node: string, p: Preview<'module'>, become: boolean): ClusterStep {
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
