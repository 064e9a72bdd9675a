import type { SshFiles } from './ssh-files.js';
// `lrroll diff`: reads, on every node the plan changes, what each change would touch, and puts it
// next to what the change would make of it. Read-only: every command here only reads (the edit
// previews run the apply step's own filter from the file to standard output).
import type { Transport } from '../execute/transport.js';
import { DIFF_FORMAT_VERSION, parsePatchList, patchesAfter, type ChangePreview, type DiffReport, type EditDiff, type FileDiff, type ModuleDiff, type NodeDiff } from '../plan/preview.js';
import { sha256Command } from '../plan/shell/file-facts.js';
import { shq } from '../shell/quote.js';
import type { Plan, PlanNode } from '../plan/types.js';
import { sshSettings, TransportPool } from './execute.js';
import { changedLines } from './line-diff.js';

const READ_TIMEOUT_MS = 60_000;

/** Reads every changed node (in parallel) and builds the diff. */
export async function readDiff(plan: Plan, previews: ReadonlyMap<string, ChangePreview[]>, env: Readonly<Record<string, string | undefined>>, sshFiles?: SshFiles): Promise<DiffReport> {
  const pool = new TransportPool(sshSettings(env, false, sshFiles), env);
  try {
    const nodes = plan.nodes.filter((n) => previews.has(n.name));
    const read = await Promise.all(nodes.map((n) => readNode(plan, n, previews.get(n.name) ?? [], pool.forNode(n))));
    return { formatVersion: DIFF_FORMAT_VERSION, plan: plan.hash, playbook: plan.source.file, limit: plan.limit, nodes: read };
  } finally {
    await pool.closeAll();
  }
}

interface Reader {
  transport: Transport;
  become: boolean;
}

async function readNode(plan: Plan, node: PlanNode, previews: readonly ChangePreview[], transport: Transport): Promise<NodeDiff> {
  const out: NodeDiff = { node: node.name, host: node.host, reachable: false, problem: null, patches: null, modules: [], edits: [], files: [], opaque: [], changes: false };
  try {
    await transport.connect();
    out.reachable = true;
  } catch (err) {
    out.problem = (err as Error).message;
    return out;
  }
  // Read with the rights the change would write with.
  const reader: Reader = { transport, become: plan.batches.flatMap((b) => b.nodePlans).find((np) => np.node === node.name)?.steps.find((st) => st.action === 'apply')?.become ?? false };
  for (const p of previews) {
    switch (p.kind) {
      case 'edit':
        out.edits.push(await readEdit(reader, p));
        break;
      case 'install':
        out.files.push(await readFile(reader, p.path, { sha256: p.sha256, size: p.size }));
        break;
      case 'remove':
        out.files.push(await readFile(reader, p.path, null));
        break;
      case 'patches':
        // Several patch changes in one playbook: each starts from what the one before leaves.
        out.patches = out.patches ? { ...out.patches, after: patchesAfter(out.patches.after, p) } : await readPatches(reader, p);
        break;
      case 'module':
        out.modules.push(await readModule(reader, p));
        break;
      case 'opaque':
        out.opaque.push(p.title);
        break;
    }
  }
  out.changes = hasChanges(out);
  return out;
}

async function run(reader: Reader, command: string): Promise<{ ok: boolean; stdout: string; problem: string | null }> {
  const r = await reader.transport.exec(command, { timeoutMs: READ_TIMEOUT_MS, become: reader.become });
  return { ok: r.exitCode === 0, stdout: r.stdout, problem: r.exitCode === 0 ? null : r.stderr.trim().split('\n').slice(-3).join(' ') || `exit ${String(r.exitCode)}` };
}

async function readEdit(reader: Reader, p: Extract<ChangePreview, { kind: 'edit' }>): Promise<EditDiff> {
  const f = shq(p.file);
  const now = await run(reader, `if [ -f ${f} ]; then echo present; cat -- ${f}; else echo absent; fi`);
  if (!now.ok) return { file: p.file, exists: false, lines: [], problem: now.problem };
  const exists = now.stdout.startsWith('present\n');
  const before = now.stdout.slice(now.stdout.indexOf('\n') + 1);
  const after = await run(reader, `if [ -f ${f} ]; then ${p.filter} < ${f}; else ${p.filter} < /dev/null; fi`);
  if (!after.ok) return { file: p.file, exists, lines: [], problem: after.problem };
  return { file: p.file, exists, lines: changedLines(before, after.stdout), problem: null };
}

async function readFile(reader: Reader, path: string, after: { sha256: string; size: number } | null): Promise<FileDiff> {
  const r = await run(reader, `if [ -f ${shq(path)} ]; then wc -c < ${shq(path)} && (${sha256Command(path)}); else echo absent; fi`);
  if (!r.ok) return { path, current: null, after, problem: r.problem };
  const [size, sha] = r.stdout.trim().split('\n');
  return { path, current: size === 'absent' ? null : { sha256: (sha ?? '').trim(), size: Number(size) }, after, problem: null };
}

async function readPatches(reader: Reader, p: Extract<ChangePreview, { kind: 'patches' }>): Promise<NonNullable<NodeDiff['patches']>> {
  const pt = `${p.home}/patching-tool`;
  const info = `cd ${shq(pt)} && ./patching-tool.sh ${p.profile ? `${shq(p.profile)} ` : ''}info`;
  const r = await run(reader, `if [ -x ${shq(`${pt}/patching-tool.sh`)} ]; then (${info}) | sed -n 's/^ *Currently installed patches: *//p'; else echo 'lrroll: no Patching Tool in ${pt.replace(/'/g, '')}' >&2; exit 3; fi`);
  if (!r.ok) return { current: [], after: [], problem: r.problem };
  const current = parsePatchList(r.stdout);
  return { current, after: patchesAfter(current, p), problem: null };
}

/** Prints `version<TAB>file` for every installed copy of the bundle, then `replaced<TAB>file` for files its `replaces` pattern removes. */
function installedBundleCommand(p: Extract<ChangePreview, { kind: 'module' }>): string {
  const dirs = ['osgi/modules', 'osgi/war', 'osgi/marketplace', 'deploy'].map((d) => shq(`${p.home}/${d}`));
  const lines = [
    `for f in ${dirs.map((d) => `${d}/*.jar ${d}/*.war`).join(' ')}; do`,
    '  [ -f "$f" ] || continue',
    `  m=$(unzip -p "$f" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\\r' | LC_ALL=C awk 'NR > 1 && /^ / { line = line substr($0, 2); next } { if (NR > 1) print line; line = $0 } END { print line }') || continue`,
    `  n=$(printf '%s\\n' "$m" | sed -n 's/^Bundle-SymbolicName: *//p' | sed 's/;.*//; s/[[:space:]]*$//')`,
    `  [ "$n" = ${shq(p.bundle)} ] || continue`,
    `  v=$(printf '%s\\n' "$m" | sed -n 's/^Bundle-Version: *//p' | sed 's/[[:space:]]*$//')`,
    `  printf '%s\\t%s\\n' "\${v:-?}" "$f"`,
    'done',
  ];
  if (p.replaces) lines.push(`find ${shq(`${p.home}/osgi/modules`)} ${shq(`${p.home}/osgi/war`)} -maxdepth 1 -type f -name ${shq(p.replaces)} ! -name ${shq(p.file)} 2>/dev/null | sed 's/^/replaced\t/'`);
  lines.push('exit 0');
  return lines.join('\n');
}

async function readModule(reader: Reader, p: Extract<ChangePreview, { kind: 'module' }>): Promise<ModuleDiff> {
  const r = await run(reader, installedBundleCommand(p));
  const rows = r.stdout.split('\n').filter((l) => l.includes('\t')).map((l) => l.split('\t') as [string, string]);
  return {
    bundle: p.bundle,
    current: rows.filter(([v]) => v !== 'replaced').map(([version, file]) => ({ version, file })),
    after: { version: p.version, file: p.file },
    removed: rows.filter(([v]) => v === 'replaced').map(([, file]) => file),
    problem: r.problem,
  };
}

function hasChanges(n: NodeDiff): boolean {
  const patches = n.patches !== null && n.patches.current.join(',') !== n.patches.after.join(',');
  const modules = n.modules.some((m) => m.removed.length > 0 || !m.current.some((c) => c.version === m.after.version));
  const files = n.files.some((f) => f.current?.sha256 !== f.after?.sha256);
  return patches || modules || files || n.edits.some((e) => e.lines.length > 0) || n.opaque.length > 0;
}
