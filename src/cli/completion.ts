import type { Command } from 'commander';
import { bashScript, fishScript, zshScript } from './completion-scripts.js';
import type { CommandSpec, OptionSpec, ValueKind } from './completion-spec.js';
import { EXIT_CODES } from './exit-codes.js';
import type { Io } from './io.js';

/** Every shell lrroll writes a completion script for. */
const SHELLS = ['bash', 'zsh', 'fish'] as const;

function argumentKind(cmd: Command): ValueKind {
  const arg = cmd.registeredArguments[0];
  if (!arg) return { kind: 'none' };
  if (arg.argChoices) return { kind: 'choices', choices: [...arg.argChoices] };
  if (arg.name() === 'playbook') return { kind: 'playbook' };
  if (arg.name() === 'run') return /playbook/.test(arg.description) ? { kind: 'run-or-playbook' } : { kind: 'run' };
  if (arg.name() === 'type') return { kind: 'init-type' };
  return { kind: 'free' };
}

function optionSpec(opt: Command['options'][number]): OptionSpec {
  let value: ValueKind = { kind: 'none' };
  if (opt.required || opt.optional)
    value = opt.argChoices
      ? { kind: 'choices', choices: [...opt.argChoices] }
      : /<file>/.test(opt.flags)
        ? { kind: 'file' }
        : { kind: 'free' };
  return { long: opt.long ?? null, short: opt.short ?? null, description: opt.description, value };
}

const HELP: OptionSpec = { long: '--help', short: '-h', description: 'show help', value: { kind: 'none' } };

/**
 * Reads the subcommands, their flags and arguments from the command-line definition, so completion never drifts from
 * it.
 */
function completionSpec(program: Command): CommandSpec[] {
  return program.commands.map((cmd) => ({
    name: cmd.name(),
    description: cmd.description(),
    options: [...cmd.options.map(optionSpec), HELP],
    argument: argumentKind(cmd),
  }));
}

/** `lrroll completion bash|zsh|fish`: prints the script. */
export function completionCommand(shell: string, program: Command, io: Io): number {
  const spec = completionSpec(program);
  const scripts: Record<(typeof SHELLS)[number], () => string> = {
    bash: () => bashScript(spec),
    zsh: () => zshScript(spec),
    fish: () => fishScript(spec),
  };
  const make = scripts[shell as (typeof SHELLS)[number]];
  if (!make) {
    io.stderr.write(`error[E_USAGE]: no completion for ${shell}; one of ${SHELLS.join(', ')}\n`);
    return EXIT_CODES.invalid;
  }
  io.stdout.write(make());
  return EXIT_CODES.ok;
}
