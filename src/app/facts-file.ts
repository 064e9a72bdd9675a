/**
 * The facts file: written by `lrroll facts`, read by `--facts`. It is JSON (so YAML too: problems
 * are located with file:line:col) validated against `factsFile` in the playbook schema.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { Diagnostic } from '../errors/diagnostics.js';
import type { GatheredFacts } from '../plan/facts.js';
import { parseYaml } from '../playbook/load.js';
import { INPUT_LIMITS } from '../playbook/limits.js';
import type { NodeFacts } from '../playbook/playbook.generated.js';
import { validateAgainstSchema } from '../playbook/validate.js';

/** The facts file as written (mirrors `definitions.factsFile` of schemas/playbook.schema.json). */
export interface FactsFile {
  lrrollFacts: 1;
  gatheredAt: string;
  playbook?: string;
  nodes: Record<string, NodeFacts>;
  errors?: Record<string, string>;
}

/** Reads and validates a facts file; diagnostics (E_FACTS, schema errors) instead of throwing. */
export async function readFactsFile(
  path: string,
): Promise<{ facts: GatheredFacts | undefined; diagnostics: Diagnostic[]; text: string | null }> {
  let text: string;
  try {
    if ((await stat(path)).size > INPUT_LIMITS.maxDocumentBytes)
      return fail(path, `${path} is larger than a facts file can be`);
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(
      path,
      `cannot read the facts file ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
  const parsed = parseYaml(text, path);
  const diagnostics = [...parsed.diagnostics];
  if (parsed.usable) diagnostics.push(...validateAgainstSchema(parsed.data, parsed.sourceMap, 'factsFile'));
  if (!parsed.usable || diagnostics.some((d) => d.severity === 'error')) return { facts: undefined, diagnostics, text };
  const data = parsed.data as FactsFile;
  for (const [node, why] of Object.entries(data.errors ?? {})) {
    diagnostics.push({
      severity: 'warning',
      code: 'W_FACTS',
      summary: `${path}: the facts of ${node} could not be gathered (${why}); its verdicts wait for preflight`,
      source: parsed.sourceMap.locate(['errors', node]),
    });
  }
  const sha256 = createHash('sha256').update(text).digest('hex');
  return { facts: { path, sha256, gatheredAt: data.gatheredAt, nodes: data.nodes }, diagnostics, text };
}

function fail(path: string, summary: string): { facts: undefined; diagnostics: Diagnostic[]; text: null } {
  return {
    facts: undefined,
    diagnostics: [
      { severity: 'error', code: 'E_FACTS', summary, hint: `gather them with \`lrroll facts <playbook> -o ${path}\`` },
    ],
    text: null,
  };
}

/**
 * Checks a facts file about to be written against the same schema `--facts` reads it with (a gathered value outside it
 * is a bug, not a user error).
 */
export function factsFileProblems(file: FactsFile): string[] {
  const at = {
    file: '(facts)',
    locate: () => ({ file: '(facts)', line: 1, col: 1 }),
    locateKey: () => ({ file: '(facts)', line: 1, col: 1 }),
  };
  return validateAgainstSchema(file, at, 'factsFile').map((d) => d.summary);
}
