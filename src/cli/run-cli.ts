import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT_CODES } from './exit-codes.js';
import type { CommonPlanFlags, RunCliFlags, SshCliFlags } from './flags.js';
import type { Io } from './io.js';
import { lrrollVersion } from '../app/version.js';
import { reportInternalError } from './crash.js';

/** Runs the command line and returns the exit code; never throws for user errors. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  let exitCode: number = EXIT_CODES.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help'
        ? EXIT_CODES.ok
        : EXIT_CODES.invalid;
    }
    return reportInternalError(err, io, argv);
  }
  return exitCode;
}

/** Commander's `error: …` lines as lrroll usage errors: `error[E_USAGE]: …`, so every usage error carries its code. */
function usageErrorText(text: string): string {
  return text.replace(/^error: /, 'error[E_USAGE]: ');
}

function collect(value: string, previous: string[]): string[] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(value))
    throw new InvalidArgumentError('expected name=value, e.g. --var env=prod');
  return [...previous, value];
}

function setting(value: string, previous: string[]): string[] {
  if (!/^[A-Za-z][A-Za-z0-9.]*=/.test(value))
    throw new InvalidArgumentError('expected path=value, e.g. --set rollout.onFailure=rollback');
  return [...previous, value];
}

function list(value: string, previous: string[] | undefined): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0)
    throw new InvalidArgumentError('expected one or more node names separated by commas, e.g. --limit node1,node2');
  return [...(previous ?? []), ...names];
}

function files(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The SSH file options of every command that connects to the nodes. */
function withSshFlags(cmd: Command): Command {
  return cmd
    .option(
      '--ssh-config <file>',
      "OpenSSH client config to follow (instead of the playbook's inventory.ssh.configFile, " +
        'LRROLL_SSH_CONFIG or ~/.ssh/config)',
    )
    .option(
      '--known-hosts <file>',
      'known_hosts file to verify host keys against (repeatable; instead of ' +
        'inventory.ssh.knownHostsFiles, LRROLL_KNOWN_HOSTS or ~/.ssh/known_hosts)',
      files,
    );
}

/** The command line's definition (every subcommand, argument and flag); `setExit` receives each action's exit code. */
export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const output = {
    writeOut: (s: string) => io.stdout.write(s),
    writeErr: (s: string) => io.stderr.write(s),
    outputError: (s: string, write: (t: string) => void) => write(usageErrorText(s)),
  };
  const program = new Command('lrroll')
    .description('Rolling restarts and rolling updates of Liferay DXP/Portal clusters from declarative YAML playbooks.')
    .version(lrrollVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput(output)
    .addHelpText(
      'after',
      '\nExit codes: 0 done · 1 the run failed or halted · 2 invalid input or usage · 3 refused ' +
        'before any change · 130 interrupted',
    );
  const withPlanFlags = (
    cmd: Command,
    limitHelp = 'change only these nodes (comma-separated; all nodes still count for capacity)',
  ): Command =>
    cmd
      .option('--var <name=value>', 'set a template variable (repeatable; overrides the playbook)', collect, [])
      .option('--limit <nodes>', limitHelp, list);
  // Policy values matter where a plan is judged, shown or run (not for diff and clean, which read and tidy the nodes).
  const withSetFlag = (cmd: Command): Command =>
    cmd.option(
      '-e, --set <path=value>',
      'set a policy value for this run, recorded in the plan and its hash (repeatable), e.g. ' +
        'rollout.onFailure=rollback, health.settle=30s, loadBalancer.drainTimeout=1m',
      setting,
      [],
    );
  const sub = (name: string): Command => program.command(name).exitOverride().configureOutput(output);
  const withFacts = (cmd: Command): Command =>
    cmd.option(
      '--facts <file>',
      'node facts gathered by `lrroll facts`: verdicts that rest on them are decided now (preflight ' +
        'still confirms them)',
    );

  withFacts(
    withSetFlag(
      withPlanFlags(
        sub('validate')
          .argument('<playbook>', 'playbook file')
          .description('check a playbook: every problem at once, with file:line:col'),
        'validate the plan of a run limited to these nodes (comma-separated)',
      ),
    ),
  )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (file: string, opts: CommonPlanFlags & { format: string }) => {
      const { validateCommand } = await import('./validate.js');
      setExit(await validateCommand(file, opts, io));
    });

  withFacts(
    withSetFlag(
      withPlanFlags(
        sub('plan')
          .argument('<playbook>', 'playbook file')
          .description('show what a run would do: verdict, batches, per-node steps, impact, estimate, plan hash'),
      ),
    ),
  )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'mermaid']).default('text'))
    .option('--full', 'show every node and every command in full')
    .action(async (file: string, opts: CommonPlanFlags & { format: 'text' | 'json' | 'mermaid'; full?: boolean }) => {
      const { planCommand } = await import('./commands.js');
      setExit(await planCommand(file, opts, io));
    });

  withSshFlags(
    withFacts(
      withSetFlag(
        withPlanFlags(
          sub('run')
            .argument('<playbook>', 'playbook file')
            .description('run the playbook (preflight, confirmation, progress); --dry-run shows the plan only'),
        ),
      ),
    )
      .option('--dry-run', 'show the plan that would run, change nothing')
      .addOption(
        new Option('--format <format>', 'plan format for --dry-run')
          .choices(['text', 'json', 'mermaid'])
          .default('text'),
      )
      .option('--full', 'with --dry-run: show every node and every command in full')
      .option(
        '--plan-hash <hash>',
        'refuse to run if the plan differs from the reviewed one (a prefix of at least 8 characters)',
      )
      .option('-y, --yes', 'do not ask for confirmation (approval pauses continue too)')
      .addOption(
        new Option('--output <mode>', 'progress output: listr2 on a terminal, plain lines otherwise, or NDJSON events')
          .choices(['auto', 'listr', 'plain', 'json'])
          .default('auto'),
      )
      .option(
        '--accept-new-host-keys',
        'add the SSH host key of a host that has none in known_hosts yet (a changed key is always refused)',
      )
      .option('--verbose', 'show every output line of every step')
      .option('--lock-wait <duration>', 'wait this long for another run holding the cluster lock (e.g. 10m)', '0s')
      .option('-m, --message <text>', 'why this run: stored with the cluster lock and the run record', '')
      .option(
        '--report <file>',
        'write the run report when the run ends, also when it fails or is interrupted (format from ' +
          'the extension: .html, .json, .md, .xml for JUnit)',
      ),
  ).action(async (file: string, opts: CommonPlanFlags & RunCliFlags) => {
    const { runCommand } = await import('./commands.js');
    setExit(await runCommand(file, opts, io));
  });

  withSshFlags(
    withPlanFlags(
      sub('facts')
        .argument('<playbook>', 'playbook file')
        .description(
          "read-only: gather every node's facts over SSH (module and schema versions, patches, Java, " +
            'app server) into a file for --facts',
        ),
      'gather only these nodes (comma-separated)',
    ),
  )
    .option('-o, --output <file>', 'write the facts file here (default: stdout)')
    .action(async (file: string, opts: CommonPlanFlags & SshCliFlags & { output?: string }) => {
      const { factsCommand } = await import('./facts.js');
      setExit(await factsCommand(file, opts, io));
    });

  withSshFlags(
    withSetFlag(
      withPlanFlags(
        sub('status')
          .argument('<playbook>', 'playbook file')
          .description('read-only: every node (reachable, app server, HTTP, patch level) and its load-balancer member'),
        'show only these nodes (comma-separated)',
      ),
    ),
  )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (file: string, opts: CommonPlanFlags & SshCliFlags & { format: string }) => {
      const { statusCommand } = await import('./commands.js');
      setExit(await statusCommand(file, opts, io));
    });

  withSshFlags(
    withPlanFlags(
      sub('diff')
        .argument('<playbook>', 'playbook file')
        .description(
          'read-only: per node, what it has now next to what the change would make of it (patches, ' +
            'modules, properties lines, files)',
        ),
      'read only these nodes (comma-separated)',
    ),
  )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (file: string, opts: CommonPlanFlags & SshCliFlags & { format: string }) => {
      const { diffCommand } = await import('./commands.js');
      setExit(await diffCommand(file, opts, io));
    });

  withSshFlags(sub('resume'))
    .argument('[run]', 'run id (or a prefix) or playbook path; default: the newest unfinished run')
    .description("continue an interrupted run's recorded plan from the first step it did not finish")
    .option('-y, --yes', 'do not ask for confirmation (approval pauses continue too)')
    .addOption(
      new Option('--output <mode>', 'progress output').choices(['auto', 'listr', 'plain', 'json']).default('auto'),
    )
    .option('--accept-new-host-keys', 'add the SSH host key of a host that has none in known_hosts yet')
    .option('--verbose', 'show every output line of every step')
    .option('--lock-wait <duration>', 'wait this long for another run holding the cluster lock', '0s')
    .option('-m, --message <text>', 'why this run: stored with the cluster lock', '')
    .option(
      '--report <file>',
      'write the run report when the run ends, also when it fails or is interrupted (format from the ' +
        'extension: .html, .json, .md, .xml for JUnit)',
    )
    .action(async (which: string | undefined, opts: RunCliFlags) => {
      const { resumeCommand } = await import('./commands.js');
      setExit(await resumeCommand(which, opts, io));
    });

  withSshFlags(
    withPlanFlags(
      sub('clean')
        .argument('<playbook>', 'playbook file')
        .description(
          "remove earlier runs' backups and staged artifacts from the nodes (<liferayHome>/.lrroll), " +
            'holding the cluster lock, after confirmation',
        ),
      'clean only these nodes (comma-separated)',
    ),
  )
    .option('--keep <runs>', 'keep the backups and staged files of the last N runs', '0')
    .option('-y, --yes', 'remove without asking')
    .action(async (file: string, opts: CommonPlanFlags & SshCliFlags & { yes?: boolean; keep: string }) => {
      const { cleanCommand } = await import('./clean.js');
      setExit(await cleanCommand(file, opts, io));
    });

  // No --limit: the lock belongs to the whole cluster, whichever nodes a run changes.
  withSshFlags(
    sub('unlock')
      .argument('<playbook>', 'playbook file')
      .description("show who holds the cluster's run lock and break it (after confirmation)"),
  )
    .option('--var <name=value>', 'set a template variable (repeatable; overrides the playbook)', collect, [])
    .option('-y, --yes', 'break it without asking')
    .action(async (file: string, opts: CommonPlanFlags & SshCliFlags & { yes?: boolean }) => {
      const { unlockCommand } = await import('./commands.js');
      setExit(await unlockCommand(file, opts, io));
    });

  sub('report')
    .argument('[run]', 'run id or a unique prefix of one (see `lrroll runs`); default: the newest run')
    .description(
      'the report of a recorded run: one self-contained HTML page, versioned JSON, a Markdown summary or JUnit XML',
    )
    .addOption(
      new Option('--format <format>', 'report format (default: from the -o extension, else html)').choices([
        'html',
        'json',
        'md',
        'junit',
      ]),
    )
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (which: string | undefined, opts: { format?: 'html' | 'json' | 'md' | 'junit'; output?: string }) => {
      const { reportCommand } = await import('./report.js');
      setExit(reportCommand(which, opts, io));
    });

  sub('runs')
    .description('recorded runs, newest first: id, playbook, start, duration, outcome, nodes')
    .addOption(
      new Option('--format <format>', 'text, json, or ids (one run id per line)')
        .choices(['text', 'json', 'ids'])
        .default('text'),
    )
    .action(async (opts: { format: 'text' | 'json' | 'ids' }) => {
      const { runsCommand } = await import('./report.js');
      setExit(runsCommand(opts, io));
    });

  sub('show')
    .argument('[run]', 'run id or a unique prefix of one; default: the newest run')
    .description('a recorded run in the terminal, as the summary view it ended with')
    .action(async (which: string | undefined) => {
      const { showCommand } = await import('./report.js');
      setExit(showCommand(which, io));
    });

  sub('completion')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .description('print a shell completion script (subcommands, flags, playbook paths, run ids)')
    .action(async (shell: string) => {
      const { completionCommand } = await import('./completion.js');
      setExit(completionCommand(shell, program, io));
    });

  sub('init')
    .argument('[type]', 'change type to scaffold (see --list)', 'restart')
    .option('-o, --output <file>', 'file to write (default: lrroll-<type>.yml)')
    .option('--force', 'overwrite an existing file')
    .option('--list', 'list the change types that can be scaffolded')
    .description('write a new playbook from an example for a change type')
    .action(async (type: string, opts: { output?: string; force?: boolean; list?: boolean }) => {
      const { initCommand } = await import('./init.js');
      setExit(await initCommand(type, opts, io));
    });

  sub('schema')
    .option('--print', 'print the schema itself')
    .description('where the playbook JSON Schema is, and how to point your editor at it')
    .action(async (opts: { print?: boolean }) => {
      const { schemaCommand } = await import('./init.js');
      setExit(await schemaCommand(opts, io));
    });
  return program;
}
