/**
 * `lrroll facts`: reads every node's facts over SSH (read-only) into a facts file for `--facts`.
 * What a node prints is untrusted: only values in the facts schema's forms are kept.
 */
import type { Transport } from '../execute/transport.js';
import type { Plan, PlanNode } from '../plan/types.js';
import { appServerVersionOf, javaVersionOf } from '../domain/versions.js';
import type { NodeFacts } from '../playbook/playbook.generated.js';
import { sshSettings, TransportPool } from './execute.js';
import type { SshFiles } from './ssh-files.js';
import type { FactsFile } from './facts-file.js';
import { notRunMessage } from './outcome-text.js';
import { runPlannedCommand } from './step-exec.js';

/**
 * Gathers the facts of `nodes` (default: every node of the plan); a node that cannot be read is listed under `errors`.
 */
export async function gatherFacts(
  plan: Plan,
  env: Readonly<Record<string, string | undefined>>,
  nodes: readonly string[] | null,
  sshFiles?: SshFiles,
  now: Date = new Date(),
): Promise<FactsFile> {
  const pool = new TransportPool(sshSettings(env, false, sshFiles), env);
  const targets = plan.nodes.filter((n) => nodes === null || nodes.includes(n.name));
  try {
    const read = await Promise.all(
      targets.map(async (n) => ({ node: n.name, r: await readNode(plan, n, pool.forNode(n)) })),
    );
    const out: FactsFile = { lrrollFacts: 1, gatheredAt: now.toISOString(), playbook: plan.source.file, nodes: {} };
    const wanted = playbookBundles(plan);
    for (const { node, r } of read) {
      if ('error' in r) {
        (out.errors ??= {})[node] = r.error;
        continue;
      }
      // The listing covers every installed jar and war: a bundle this playbook deploys that is not in it is not
      // installed (as a jar).
      for (const b of wanted) if (r.facts.modules && !(b in r.facts.modules)) r.facts.modules[b] = 'not-installed';
      out.nodes[node] = r.facts;
    }
    return out;
  } finally {
    await pool.closeAll();
  }
}

/** The bundles the playbook's changes deploy (their health gates wait for them). */
function playbookBundles(plan: Plan): string[] {
  const steps = plan.batches.flatMap((b) => b.nodePlans.flatMap((np) => np.steps));
  return [
    ...new Set(
      steps.flatMap((s) =>
        s.action === 'wait-modules' ? s.bundles : s.action === 'check-schema-version' ? [s.bundle] : [],
      ),
    ),
  ].sort();
}

async function readNode(
  plan: Plan,
  node: PlanNode,
  transport: Transport,
): Promise<{ facts: NodeFacts } | { error: string }> {
  const step = plan.cluster.facts.find((s) => s.node === node.name);
  if (!step) throw new Error(`the plan has no facts step for ${node.name}`);
  try {
    await transport.connect();
  } catch (err) {
    return { error: (err as Error).message.split('\n')[0] ?? 'unreachable' };
  }
  const r = await runPlannedCommand(transport, step);
  const failed = notRunMessage(step, r);
  if (failed !== null) return { error: failed.split('\n')[0] ?? 'unreachable' };
  if (r.exitCode !== 0)
    return {
      error: `the facts command exited ${String(r.exitCode)}: ${r.stderr.trim().split('\n').pop() ?? ''}`.trim(),
    };
  return { facts: parseFactsOutput(r.stdout) };
}

/** Splits `factsCommand` output into its `== name` sections. */
function sections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of text.split('\n')) {
    const m = /^== ([a-z-]+)$/.exec(line);
    if (m) out.set(m[1] as string, (current = []));
    else current?.push(line);
  }
  return out;
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const VERSION = /^\d+(\.\d+){0,2}(\.[A-Za-z0-9_-]+)?$/;
const SCHEMA = /^\d+(\.\d+){0,2}$/;

/** Node facts from `factsCommand` output: a section that cannot be read leaves its fact out (not known). */
export function parseFactsOutput(text: string): NodeFacts {
  const s = sections(text);
  const facts: NodeFacts = {};
  const java = printable((s.get('java') ?? []).join('\n').trim());
  if (javaVersionOf(java)) facts.java = java;
  const server = printable((s.get('app-server') ?? []).join('\n').trim());
  if (appServerVersionOf(server)) facts.appServer = server;
  const patches = (s.get('patches') ?? [])
    .filter((l) => l.startsWith('patches: '))
    .map((l) => l.slice('patches: '.length).trim());
  if (patches.at(-1) === 'end' && patches.length === 2)
    facts.patches = (patches[0] ?? '').split(/,\s*/).filter((p) => NAME.test(p));
  const modules: NonNullable<NodeFacts['modules']> = {};
  for (const line of s.get('modules') ?? []) {
    const [bsn, version, schema] = line.split('\t').map((x) => x.trim());
    if (!bsn || !NAME.test(bsn) || bsn in modules) continue;
    modules[bsn] = {
      ...(version && VERSION.test(version) ? { version } : {}),
      ...(schema && SCHEMA.test(schema) ? { schemaVersion: schema } : {}),
    };
  }
  if (s.has('modules')) facts.modules = modules;
  return facts;
}

/** Text a node printed, without control characters (line breaks kept) and at most 2,000 characters. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '').slice(0, 2000);
}

/** One line per node for the terminal: what was read. */
export function describeFacts(file: FactsFile): string[] {
  const lines = Object.entries(file.nodes).map(([node, f]) => {
    const modules = Object.keys(f.modules ?? {}).length;
    return (
      `${node}: Java ${f.java ? (javaVersionOf(f.java) ?? '?') : 'unknown'} · app server ` +
      `${f.appServer ? (appServerVersionOf(f.appServer) ?? '?') : 'unknown'} · patches ` +
      `${f.patches ? f.patches.join(', ') || 'none' : 'unknown'} · ${modules} module(s)`
    );
  });
  return [...lines, ...Object.entries(file.errors ?? {}).map(([node, why]) => `${node}: NOT READ — ${why}`)];
}
