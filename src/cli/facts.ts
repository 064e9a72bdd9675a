import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeFacts, gatherFacts } from '../app/facts.js';
import { factsFileProblems } from '../app/facts-file.js';
import { withInventorySecrets } from './compile.js';
import { EXIT_CODES } from './exit-codes.js';
import type { Io } from './io.js';
import type { CommonPlanFlags, SshCliFlags } from './flags.js';
import { compileForNodes } from './ssh-files.js';

/** `lrroll facts`: gathers every node's facts (read-only) into a facts file; exit 1 when a node could not be read. */
export async function factsCommand(
  file: string,
  flags: CommonPlanFlags & SshCliFlags & { output?: string },
  io: Io,
): Promise<number> {
  // The facts are gathered to be used later, never read from a facts file here.
  const start = await compileForNodes(file, { ...flags, facts: undefined }, io);
  if (!start) return EXIT_CODES.invalid;
  const { outcome, plan, sshFiles } = start;
  const facts = await gatherFacts(plan, withInventorySecrets(io, outcome).env, flags.limit ?? null, sshFiles);
  const problems = factsFileProblems(facts);
  if (problems.length > 0) throw new Error(`the gathered facts do not match the facts schema: ${problems.join('; ')}`);
  const text = `${JSON.stringify(facts, null, 2)}\n`;
  if (flags.output) await writeFile(resolve(io.cwd, flags.output), text, { mode: 0o644 });
  else io.stdout.write(text);
  io.stderr.write(
    `${describeFacts(facts).join('\n')}\n` +
      (flags.output
        ? `Facts written to ${flags.output}: use them with \`lrroll plan ${file} --facts ${flags.output}\`\n`
        : ''),
  );
  return Object.keys(facts.errors ?? {}).length > 0 ? EXIT_CODES.failed : EXIT_CODES.ok;
}
