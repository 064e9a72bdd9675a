import { parseDuration } from '../plan/duration.js';

/**
 * Bounds on what lrroll reads, so a careless or hostile input gets a clear error instead of a
 * hang, a crash or a plan full of garbage. Each bound is far above any real cluster's needs.
 */
export const INPUT_LIMITS = {
  /** Longest duration any field may hold: 24 hours (Node's timers overflow past 24.8 days). */
  maxDurationSec: 86_400,
  /** Largest playbook or inventory file read, in bytes. */
  maxDocumentBytes: 4 * 1024 * 1024,
  /** Deepest nesting of mappings and lists in a YAML document (real playbooks stay under 10). */
  maxYamlDepth: 64,
  /** Most aliases (`*name`) a YAML document may expand. */
  maxYamlAliases: 100,
} as const;

/** True when a schema-valid duration text is within the bound (`600h` is not). */
export function isDurationTextWithinLimit(text: string): boolean {
  return parseDuration(text) <= INPUT_LIMITS.maxDurationSec;
}
