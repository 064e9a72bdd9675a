// The command line as completion sees it: built from commander's definition (completion.ts),
// rendered into shell scripts (completion-scripts.ts).

/** What a value on the command line is, and so how it completes. */
export type ValueKind =
  | { kind: 'none' }
  | { kind: 'choices'; choices: string[] }
  | { kind: 'file' }
  | { kind: 'free' }
  | { kind: 'playbook' }
  | { kind: 'run' }
  | { kind: 'run-or-playbook' }
  | { kind: 'init-type' };

/** An option of a subcommand, as completion sees it. */
export interface OptionSpec {
  long: string | null;
  short: string | null;
  description: string;
  value: ValueKind;
}

/** A subcommand, as completion sees it. */
export interface CommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
  /** How its positional arguments complete (the first one decides: every lrroll command has at most one). */
  argument: ValueKind;
}
