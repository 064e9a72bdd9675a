import type { CommandSpec, OptionSpec, ValueKind } from './completion-spec.js';

// Completion scripts generated from the command-line definition. Run ids come from
// `lrroll runs --format ids`, change types from `lrroll init --list`; playbooks are *.yml/*.yaml files.

const RUN_IDS = 'lrroll runs --format ids 2>/dev/null';
const INIT_TYPES = 'lrroll init --list 2>/dev/null';
const flagsOf = (o: OptionSpec): string[] => [o.short, o.long].filter((f): f is string => f !== null);

/** A shell word in single quotes. */
function sq(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function bashValue(v: ValueKind): string {
  switch (v.kind) {
    case 'choices':
      return `COMPREPLY=($(compgen -W ${sq(v.choices.join(' '))} -- "$cur"))`;
    case 'file':
      return '_lrroll_files';
    case 'playbook':
      return '_lrroll_playbooks';
    case 'run':
      return '_lrroll_words "$(' + RUN_IDS + ')"';
    case 'run-or-playbook':
      return '_lrroll_words "$(' + RUN_IDS + ')"; _lrroll_playbooks';
    case 'init-type':
      return '_lrroll_words "$(' + INIT_TYPES + ')"';
    case 'free':
    case 'none':
      return ':';
  }
}

function bashCase(c: CommandSpec): string {
  const valued = c.options.filter((o) => o.value.kind !== 'none');
  const prevCases = valued.map((o) => `        ${flagsOf(o).join('|')}) ${bashValue(o.value)}; return ;;`);
  const flags = c.options.flatMap(flagsOf).join(' ');
  return [
    `    ${c.name})`,
    ...(prevCases.length > 0 ? ['      case "$prev" in', ...prevCases, '      esac'] : []),
    `      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W ${sq(flags)} -- "$cur")); return; fi`,
    `      ${bashValue(c.argument)} ;;`,
  ].join('\n');
}

/** bash: `source <(lrroll completion bash)`, or save it under /etc/bash_completion.d/lrroll. */
export function bashScript(spec: readonly CommandSpec[]): string {
  return `# lrroll completion for bash: source <(lrroll completion bash)
_lrroll_words() { local IFS=$'\\n'; COMPREPLY+=($(compgen -W "$1" -- "$cur")); }
_lrroll_files() { compopt -o filenames 2>/dev/null; local IFS=$'\\n'; COMPREPLY+=($(compgen -f -- "$cur")); }
_lrroll_playbooks() {
  compopt -o filenames 2>/dev/null
  local IFS=$'\\n'
  COMPREPLY+=($(compgen -f -X '!*.yml' -- "$cur") $(compgen -f -X '!*.yaml' -- "$cur") $(compgen -d -- "$cur"))
}
_lrroll() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" i
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  if [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W ${sq([...spec.map((c) => c.name), '--help', '-h', '--version', '-V'].join(' '))} -- "$cur"))
    return
  fi
  case "$cmd" in
${spec.map(bashCase).join('\n')}
  esac
}
complete -F _lrroll lrroll
`;
}

/** Text for a zsh `_arguments` description: no brackets, colons or quotes. */
function zdesc(text: string): string {
  return text.replace(/[[\]:'"`\\$]/g, '').slice(0, 120);
}

function zshValue(v: ValueKind): string {
  switch (v.kind) {
    case 'choices':
      return `:value:(${v.choices.join(' ')})`;
    case 'file':
      return ':file:_files';
    case 'playbook':
      return ':playbook:_lrroll_playbooks';
    case 'run':
      return ':run:_lrroll_runs';
    case 'run-or-playbook':
      return ':run or playbook:_lrroll_run_or_playbook';
    case 'init-type':
      return ':change type:_lrroll_init_types';
    case 'free':
      return ':value: ';
    case 'none':
      return '';
  }
}

function zshCase(c: CommandSpec): string {
  const specs = c.options.flatMap((o) => flagsOf(o).map((f) => `'${f}[${zdesc(o.description)}]${zshValue(o.value)}'`));
  const arg = c.argument.kind === 'none' ? [] : [`'1${zshValue(c.argument)}'`];
  return `        ${c.name}) _arguments -s ${[...specs, ...arg].join(' \\\n            ')} ;;`;
}

/** zsh: `source <(lrroll completion zsh)`, or save it as `_lrroll` in a folder of $fpath. */
export function zshScript(spec: readonly CommandSpec[]): string {
  const commands = spec.map((c) => `    '${c.name}:${zdesc(c.description)}'`).join('\n');
  return `#compdef lrroll
# lrroll completion for zsh: source <(lrroll completion zsh), or save as _lrroll in your $fpath
_lrroll_playbooks() { _files -g '*.(yml|yaml)' }
_lrroll_runs() { local -a ids; ids=(\${(f)"$(${RUN_IDS})"}); compadd -a ids }
_lrroll_run_or_playbook() { _lrroll_runs; _lrroll_playbooks }
_lrroll_init_types() { local -a types; types=(\${(f)"$(${INIT_TYPES})"}); compadd -a types }
_lrroll() {
  local curcontext="$curcontext" state line
  local -a commands
  commands=(
${commands}
  )
  _arguments -C '(- *)'{-h,--help}'[show help]' '(- *)'{-V,--version}'[print the version]' \\
    '1:command:->command' '*::arg:->args'
  case $state in
    command) _describe -t commands 'lrroll command' commands ;;
    args)
      case $line[1] in
${spec.map(zshCase).join('\n')}
      esac ;;
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _lrroll "$@"; else compdef _lrroll lrroll; fi
`;
}

function fishValue(v: ValueKind): string {
  switch (v.kind) {
    case 'choices':
      return `-x -a ${sq(v.choices.join(' '))}`;
    case 'file':
      return '-r -F';
    case 'playbook':
      return `-a '(__fish_complete_suffix .yml; __fish_complete_suffix .yaml)'`;
    case 'run':
      return `-a '(${RUN_IDS})'`;
    case 'run-or-playbook':
      return `-a '(${RUN_IDS}; __fish_complete_suffix .yml; __fish_complete_suffix .yaml)'`;
    case 'init-type':
      return `-a '(${INIT_TYPES})'`;
    case 'free':
      return '-x';
    case 'none':
      return '';
  }
}

function fishLines(c: CommandSpec): string[] {
  const when = `-n '__fish_seen_subcommand_from ${c.name}'`;
  const opts = c.options.map((o) =>
    (
      `complete -c lrroll ${when}${o.short ? ` -s ${o.short.slice(1)}` : ''}` +
      `${o.long ? ` -l ${o.long.slice(2)}` : ''} ${fishValue(o.value)} -d ${sq(o.description)}`
    ).replace(/ {2,}/g, ' '),
  );
  const arg =
    c.argument.kind === 'none' || c.argument.kind === 'free'
      ? []
      : [`complete -c lrroll ${when} ${fishValue(c.argument)}`];
  return [...opts, ...arg];
}

/** fish: `lrroll completion fish | source`, or save it as ~/.config/fish/completions/lrroll.fish. */
export function fishScript(spec: readonly CommandSpec[]): string {
  const names = spec.map((c) => c.name).join(' ');
  const top = spec.map(
    (c) => `complete -c lrroll -n 'not __fish_seen_subcommand_from ${names}' -a ${c.name} -d ${sq(c.description)}`,
  );
  return `# lrroll completion for fish: lrroll completion fish | source
complete -c lrroll -f
complete -c lrroll -n 'not __fish_seen_subcommand_from ${names}' -s h -l help -d 'show help'
complete -c lrroll -n 'not __fish_seen_subcommand_from ${names}' -s V -l version -d 'print the version'
${top.join('\n')}
${spec.flatMap(fishLines).join('\n')}
`;
}
