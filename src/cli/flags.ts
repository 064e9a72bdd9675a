// The flags each command receives from the command line (defined in run-cli.ts).

/** Flags of `lrroll run`. */
export interface RunCliFlags {
  dryRun?: boolean;
  format: 'text' | 'json' | 'mermaid';
  full?: boolean;
  planHash?: string;
  yes?: boolean;
  output: 'auto' | 'listr' | 'plain' | 'json';
  acceptNewHostKeys?: boolean;
  verbose?: boolean;
  lockWait: string;
  message: string;
  /** `--report FILE`: write the run's report when it ends (format from the extension). */
  report?: string;
  /** `--ssh-config`: the OpenSSH client config to follow. */
  sshConfig?: string;
  /** `--known-hosts` (repeatable): known_hosts files to verify host keys against. */
  knownHosts?: string[];
}

/** `--ssh-config` and `--known-hosts`, shared by every command that reaches the nodes. */
export interface SshCliFlags {
  sshConfig?: string;
  knownHosts?: string[];
}

/** Options every plan-producing command accepts. */
export interface CommonPlanFlags {
  var: string[];
  limit?: string[];
  /** `-e/--set path=value`: policy values for this run, recorded in the plan. */
  set: string[];
  /** `--facts FILE`: node facts gathered by `lrroll facts` (validate, plan, run). */
  facts?: string;
}
