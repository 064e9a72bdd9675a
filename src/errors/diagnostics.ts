/** A position in a source file, 1-based line and column. */
export interface SourceLocation {
  /** Path of the file as the user named it (relative paths stay relative). */
  file: string;
  /** 1-based line number. */
  line: number;
  /** 1-based column number. */
  col: number;
}

/** Stable diagnostic codes; a code never changes meaning once published. */
export type DiagnosticCode =
  | 'E_YAML'
  | 'E_DUPLICATE_KEY'
  | 'E_SCHEMA'
  | 'E_UNKNOWN_KEY'
  | 'E_REQUIRED'
  | 'E_TYPE'
  | 'E_ENUM'
  | 'E_DURATION'
  | 'E_PERCENT'
  | 'E_DUPLICATE_NODE'
  | 'E_SERIAL'
  | 'E_TEMPLATE'
  | 'E_INVENTORY'
  | 'E_ARTIFACT'
  | 'E_LB_MEMBER'
  | 'E_LB_INSTANCE'
  | 'E_UNKNOWN_NODE'
  | 'E_MIN_HEALTHY'
  | 'E_HOOK'
  | 'E_FILE'
  | 'E_VAR'
  | 'E_USAGE'
  | 'E_PATH'
  | 'E_URL'
  | 'E_NAME'
  | 'E_REGEX'
  | 'E_LIMIT'
  | 'E_VAULT'
  | 'E_FACTS'
  | 'E_OVERRIDE'
  | 'W_ELIGIBILITY'
  | 'W_FACTS'
  | 'W_OVERRIDE'
  | 'W_INVENTORY'
  | 'W_PLAYBOOK'
  | 'W_DOWNTIME';

/** One problem found in the input. A value, never thrown: loaders collect them all. */
export interface Diagnostic {
  /** 'error' stops the command before anything runs; 'warning' is reported and allowed. */
  severity: 'error' | 'warning';
  /** Stable machine-readable code, e.g. 'E_UNKNOWN_KEY'. */
  code: DiagnosticCode;
  /** One sentence saying what is wrong. */
  summary: string;
  /** Optional longer explanation. */
  detail?: string;
  /** Where the problem is, when it has a place in a file. */
  source?: SourceLocation;
  /** What to do about it, e.g. 'did you mean `serial`?'. */
  hint?: string;
  /**
   * True when the source line may hold a secret (a password typed where a reference belongs): no code frame is printed.
   */
  sourceHidden?: boolean;
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Builds an error diagnostic. */
export function errorAt(code: DiagnosticCode, summary: string, source?: SourceLocation, hint?: string): Diagnostic {
  const d: Diagnostic = { severity: 'error', code, summary };
  if (source) d.source = source;
  if (hint) d.hint = hint;
  return d;
}

/** Builds a warning diagnostic. */
export function warningAt(code: DiagnosticCode, summary: string, source?: SourceLocation, hint?: string): Diagnostic {
  return { ...errorAt(code, summary, source, hint), severity: 'warning' };
}

/** Orders diagnostics by file, line and column so reports read top to bottom. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const fa = a.source?.file ?? '';
    const fb = b.source?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (a.source?.line ?? 0) - (b.source?.line ?? 0) || (a.source?.col ?? 0) - (b.source?.col ?? 0);
  });
}
