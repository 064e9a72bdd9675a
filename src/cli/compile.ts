import { planPlaybook, type PlanOutcome } from '../app/use-cases.js';
import { hasErrors } from '../errors/diagnostics.js';
import { formatDiagnostics, makeChalk } from '../errors/format.js';
import type { CommonPlanFlags } from './flags.js';
import type { Io } from './io.js';

function parseVars(flags: CommonPlanFlags): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of flags.var) {
    const i = kv.indexOf('=');
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/**
 * Compiles the playbook, with the facts file of `--facts` when given (its problems are reported with
 * the playbook's). `readGit: false` when the plan's git state is not shown (`validate`).
 */
export async function compile(
  file: string,
  flags: CommonPlanFlags,
  io: Io,
  options: { readGit?: boolean } = {},
): Promise<PlanOutcome> {
  const read =
    flags.facts === undefined ? null : await (await import('../app/facts-file.js')).readFactsFile(flags.facts);
  if (read && !read.facts)
    return {
      plan: undefined,
      diagnostics: read.diagnostics,
      sources: new Map(read.text === null ? [] : [[flags.facts as string, read.text]]),
      inventorySecrets: {},
      previews: new Map(),
    };
  const outcome = await planPlaybook(file, {
    vars: parseVars(flags),
    limit: flags.limit ?? null,
    env: io.env,
    sets: flags.set ?? [],
    facts: read?.facts ?? null,
    ...options,
  });
  if (read?.text != null) outcome.sources.set(flags.facts as string, read.text);
  return read ? { ...outcome, diagnostics: [...read.diagnostics, ...outcome.diagnostics] } : outcome;
}

/** The io a run uses: its environment carries the inventory's secret values too (never printed). */
export function withInventorySecrets(io: Io, outcome: PlanOutcome): Io {
  return Object.keys(outcome.inventorySecrets).length === 0
    ? io
    : { ...io, env: { ...io.env, ...outcome.inventorySecrets } };
}

/** Prints diagnostics to stderr; returns true when they include errors. */
export function report(outcome: PlanOutcome, io: Io): boolean {
  if (outcome.diagnostics.length > 0)
    io.stderr.write(formatDiagnostics(outcome.diagnostics, outcome.sources, makeChalk(io.stderr.isTTY, io.env)));
  return hasErrors(outcome.diagnostics) || !outcome.plan;
}
