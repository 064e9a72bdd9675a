import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_CODES } from './exit-codes.js';
import type { Io } from './io.js';

const PLAYBOOKS_DIR = fileURLToPath(new URL('../../playbooks/', import.meta.url));
const SCHEMA_PATH = fileURLToPath(new URL('../../schemas/playbook.schema.json', import.meta.url));

/** The example playbooks init can start from: change type → file. */
function templates(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(PLAYBOOKS_DIR)
    .filter((n) => n.endsWith('.yml'))
    .sort())
    out.set(f.replace(/\.yml$/, ''), f);
  return out;
}

/** `lrroll init [type]`: copies the example for a change type, pointing its schema modeline at this installation. */
export async function initCommand(
  type: string,
  opts: { output?: string; force?: boolean; list?: boolean },
  io: Io,
): Promise<number> {
  const all = templates();
  if (opts.list) {
    io.stdout.write(`${[...all.keys()].join('\n')}\n`);
    return EXIT_CODES.ok;
  }
  const file = all.get(type);
  if (!file) {
    io.stderr.write(`error[E_USAGE]: no template for \`${type}\`\n  hint: one of ${[...all.keys()].join(', ')}\n`);
    return EXIT_CODES.invalid;
  }
  const target = resolve(io.cwd, opts.output ?? `lrroll-${type}.yml`);
  if (existsSync(target) && !opts.force) {
    io.stderr.write(`error[E_USAGE]: ${target} exists; use --force to overwrite it\n`);
    return EXIT_CODES.invalid;
  }
  const schema = relative(resolve(target, '..'), SCHEMA_PATH) || SCHEMA_PATH;
  const text = readFileSync(`${PLAYBOOKS_DIR}${file}`, 'utf8').replace(
    /^# yaml-language-server: \$schema=.*$/m,
    `# yaml-language-server: $schema=${schema}`,
  );
  writeFileSync(target, text, { flag: opts.force ? 'w' : 'wx' });
  io.stdout.write(
    `wrote ${target} (from the ${type} example)\nnext: edit it, then \`lrroll validate ` +
      `${relative(io.cwd, target)}\` and \`lrroll plan ${relative(io.cwd, target)}\`\n`,
  );
  return EXIT_CODES.ok;
}

/** `lrroll schema`: where the schema is and how to use it in an editor. */
export async function schemaCommand(opts: { print?: boolean }, io: Io): Promise<number> {
  if (opts.print) {
    io.stdout.write(readFileSync(SCHEMA_PATH, 'utf8'));
    return EXIT_CODES.ok;
  }
  io.stdout.write(
    [
      SCHEMA_PATH,
      '',
      'For completion and hover docs in editors with the YAML language server (VS Code "YAML", Neovim ' +
        'yamlls, IntelliJ),',
      'put this line at the top of a playbook (a path relative to the playbook, or absolute):',
      '',
      `  # yaml-language-server: $schema=${SCHEMA_PATH}`,
      '',
      'or map it in your editor settings, e.g. VS Code: "yaml.schemas": { "<path above>": "lrroll*.yml" }',
      '',
    ].join('\n'),
  );
  return EXIT_CODES.ok;
}
