import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hasErrors, type Diagnostic, type SourceLocation } from '../errors/diagnostics.js';
import { compilePlan } from '../plan/compile.js';
import type { ShapeStats } from '../plan/node-shape-compile.js';
import type { ChangePreview } from '../plan/preview.js';
import type { GatheredFacts } from '../plan/facts.js';
import type { Plan } from '../plan/types.js';
import { gitState } from './git.js';
import { loadPlaybook, sha256Hex } from './load.js';
import { lrrollVersion } from './version.js';

/** Options shared by the commands that compile a plan. */
interface PlanOptions {
  /** `--var k=v` overrides. */
  vars: Record<string, string>;
  /** `--limit` node names, or null for every node. */
  limit: string[] | null;
  /** Node facts gathered by `lrroll facts` (`--facts FILE`), already read; null or absent when none. */
  facts?: GatheredFacts | null;
  /** The environment, for `ansible-vault` (ANSIBLE_VAULT_PASSWORD_FILE …). */
  env?: Readonly<Record<string, string | undefined>>;
  /** `--set path=value` policy overrides, in order. */
  sets?: string[];
  /**
   * Read the playbook's git commit and dirtiness (default true); `validate` shows neither, so it spares the git
   * processes.
   */
  readGit?: boolean;
  /** Compile nodes alike once (the default); false compiles each node as itself (tests compare the two). */
  compileAlikeOnce?: boolean;
}

/** The outcome of validating or planning: diagnostics always, the plan when there were no errors. */
export interface PlanOutcome {
  plan: Plan | undefined;
  diagnostics: Diagnostic[];
  /** Source texts by file, for code frames. */
  sources: Map<string, string>;
  /**
   * Secret values read from the inventory (decrypted vault values, become passwords) by the name the plan gives them:
   * the run adds them to its environment. Never printed.
   */
  inventorySecrets: Record<string, string>;
  /** Per changed node, what `lrroll diff` reads and compares (empty without a plan). */
  previews: Map<string, ChangePreview[]>;
  /** Where each change is written in the playbook, by its index (absent without a plan): a refusal points there. */
  changeSources?: SourceLocation[];
  /** How many changed nodes were compiled from a template of nodes alike (absent when none was compiled). */
  shapes?: ShapeStats | null;
}

const BREAKING_LEVELS_PATH = fileURLToPath(new URL('../../data/breaking-fixpack-levels.json', import.meta.url));

/** The fix pack levels shipped as known to break rolling restarts. */
export function shippedBreakingLevels(): string[] {
  const data = JSON.parse(readFileSync(BREAKING_LEVELS_PATH, 'utf8')) as { levels: Array<{ level: string }> };
  return data.levels.map((l) => l.level);
}

/** Loads, validates and compiles a playbook into a plan. */
export async function planPlaybook(file: string, options: PlanOptions): Promise<PlanOutcome> {
  // git runs while the playbook loads (it never fails: outside git the commit is null).
  const gitPending = options.readGit === false ? Promise.resolve({ commit: null, dirty: false }) : gitState(file);
  const { loaded, diagnostics, sources } = await loadPlaybook(file, options.env, options.sets ?? []);
  if (!loaded || hasErrors(diagnostics))
    return { plan: undefined, diagnostics, sources, inventorySecrets: {}, previews: new Map() };
  const git = await gitPending;
  const compiled = compilePlan({
    playbook: loaded.playbook,
    sourceMap: loaded.sourceMap,
    inventory: loaded.inventory,
    artifacts: loaded.artifacts,
    breakingLevels: shippedBreakingLevels(),
    facts: options.facts ?? null,
    source: { file, sha256: sha256Hex(loaded.text), gitCommit: git.commit, gitDirty: git.dirty },
    vars: options.vars,
    limit: options.limit,
    overrides: loaded.overrides,
    hashText: sha256Hex,
    compilerVersion: lrrollVersion(),
    sources,
    compileAlikeOnce: options.compileAlikeOnce ?? true,
  });
  const changes = loaded.playbook.change;
  const changeSources = Array.isArray(changes)
    ? changes.map((_, i) => loaded.sourceMap.locate(['change', i]))
    : [loaded.sourceMap.locate(['change'])];
  return {
    plan: compiled.plan,
    diagnostics: [...diagnostics, ...compiled.diagnostics],
    sources,
    inventorySecrets: Object.fromEntries(loaded.secrets),
    previews: compiled.previews,
    changeSources,
    shapes: compiled.shapes,
  };
}
