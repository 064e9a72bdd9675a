import type { SshFiles } from './ssh-files.js';
// `lrroll diff`: reads, on every node the plan changes, what each change would touch, and puts it
// next to what the change would make of it. Read-only: every command here is a read of the plan
// (`plan.cluster.diff`, shown by `lrroll plan --full`; the edit previews run the apply step's own
// filter from the file to standard output).
import type { Transport } from '../execute/transport.js';
import {
  DIFF_FORMAT_VERSION,
  parsePatchList,
  patchesAfter,
  type ChangePreview,
  type DiffReport,
  type EditDiff,
  type FileDiff,
  type ModuleDiff,
  type NodeDiff,
} from '../plan/preview.js';
import type { Plan, PlanNode } from '../plan/types.js';
import type { ClusterStep, DiffRead } from '../plan/types-cluster.js';
import { sshSettings, TransportPool } from './execute.js';
import { changedLines } from './line-diff.js';
import { notRunMessage } from './outcome-text.js';
import { runPlannedCommand } from './step-exec.js';

/** Reads every changed node (in parallel) and builds the diff. */
export async function readDiff(
  plan: Plan,
  previews: ReadonlyMap<string, ChangePreview[]>,
  env: Readonly<Record<string, string | undefined>>,
  sshFiles?: SshFiles,
): Promise<DiffReport> {
  const pool = new TransportPool(sshSettings(env, false, sshFiles), env);
  try {
    const nodes = plan.nodes.filter((n) => previews.has(n.name));
    const read = await Promise.all(nodes.map((n) => readNode(plan, n, previews.get(n.name) ?? [], pool.forNode(n))));
    return {
      formatVersion: DIFF_FORMAT_VERSION,
      plan: plan.hash,
      playbook: plan.source.file,
      limit: plan.limit,
      nodes: read,
    };
  } finally {
    await pool.closeAll();
  }
}

interface Reader {
  node: string;
  transport: Transport;
  /** The plan's next read of this kind for the preview's change (taken once). */
  take(p: ChangePreview, kind: DiffRead['kind']): DiffRead;
}

/** The plan's reads of one node (`plan.cluster.diff`), handed out in order, each once. */
function planReads(plan: Plan, node: string): Reader['take'] {
  const left = [...(plan.cluster.diff.find((d) => d.node === node)?.reads ?? [])];
  return (p, kind) => {
    const i = left.findIndex((r) => r.change === p.change && r.kind === kind);
    const read = i < 0 ? undefined : left.splice(i, 1)[0];
    if (!read) throw new Error(`the plan has no ${kind} read of change ${p.change + 1} on ${node}`);
    return read;
  };
}

async function readNode(
  plan: Plan,
  node: PlanNode,
  previews: readonly ChangePreview[],
  transport: Transport,
): Promise<NodeDiff> {
  const out: NodeDiff = {
    node: node.name,
    host: node.host,
    reachable: false,
    problem: null,
    patches: null,
    modules: [],
    edits: [],
    files: [],
    opaque: [],
    changes: false,
  };
  try {
    await transport.connect();
    out.reachable = true;
  } catch (err) {
    out.problem = (err as Error).message;
    return out;
  }
  const reader: Reader = { node: node.name, transport, take: planReads(plan, node.name) };
  for (const p of previews) {
    switch (p.kind) {
      case 'edit':
        out.edits.push(await readEdit(reader, p));
        break;
      case 'install':
        out.files.push(await readFile(reader, reader.take(p, 'file'), p.path, { sha256: p.sha256, size: p.size }));
        break;
      case 'remove':
        out.files.push(await readFile(reader, reader.take(p, 'file'), p.path, null));
        break;
      case 'patches':
        // Several patch changes in one playbook: each starts from what the one before leaves.
        out.patches = out.patches
          ? { ...out.patches, after: patchesAfter(out.patches.after, p) }
          : await readPatches(reader, p);
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

/** Runs one planned read; a command that never ran says why as the transport did (the old `exec` threw it). */
async function run(
  reader: Reader,
  step: ClusterStep,
): Promise<{ ok: boolean; stdout: string; problem: string | null }> {
  const r = await runPlannedCommand(reader.transport, step);
  const failed = notRunMessage(step, r);
  if (failed !== null) throw new Error(failed);
  return {
    ok: r.exitCode === 0,
    stdout: r.stdout,
    problem: r.exitCode === 0 ? null : r.stderr.trim().split('\n').slice(-3).join(' ') || `exit ${String(r.exitCode)}`,
  };
}

async function readEdit(reader: Reader, p: Extract<ChangePreview, { kind: 'edit' }>): Promise<EditDiff> {
  const read = reader.take(p, 'edit');
  const now = await run(reader, read.now);
  if (!now.ok) return { file: p.file, exists: false, lines: [], problem: now.problem };
  const exists = now.stdout.startsWith('present\n');
  const before = now.stdout.slice(now.stdout.indexOf('\n') + 1);
  if (!read.after) throw new Error(`the plan's read of ${p.file} on ${reader.node} has no after step`);
  const after = await run(reader, read.after);
  if (!after.ok) return { file: p.file, exists, lines: [], problem: after.problem };
  return { file: p.file, exists, lines: changedLines(before, after.stdout), problem: null };
}

async function readFile(
  reader: Reader,
  read: DiffRead,
  path: string,
  after: { sha256: string; size: number } | null,
): Promise<FileDiff> {
  const r = await run(reader, read.now);
  if (!r.ok) return { path, current: null, after, problem: r.problem };
  const [size, sha] = r.stdout.trim().split('\n');
  return {
    path,
    current: size === 'absent' ? null : { sha256: (sha ?? '').trim(), size: Number(size) },
    after,
    problem: null,
  };
}

async function readPatches(
  reader: Reader,
  p: Extract<ChangePreview, { kind: 'patches' }>,
): Promise<NonNullable<NodeDiff['patches']>> {
  const r = await run(reader, reader.take(p, 'patches').now);
  if (!r.ok) return { current: [], after: [], problem: r.problem };
  const current = parsePatchList(r.stdout);
  return { current, after: patchesAfter(current, p), problem: null };
}

async function readModule(reader: Reader, p: Extract<ChangePreview, { kind: 'module' }>): Promise<ModuleDiff> {
  const r = await run(reader, reader.take(p, 'module').now);
  const rows = r.stdout
    .split('\n')
    .filter((l) => l.includes('\t'))
    .map((l) => l.split('\t') as [string, string]);
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
