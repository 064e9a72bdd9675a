import { describeFootprint } from '../domain/footprint.js';
import { withInventorySecrets } from './compile.js';
import { EXIT_CODES } from './exit-codes.js';
import type { Io } from './io.js';
import type { CommonPlanFlags, SshCliFlags } from './flags.js';
import { compileForNodes } from './ssh-files.js';

/** The flags of `lrroll clean`. */
interface CleanFlags extends CommonPlanFlags, SshCliFlags {
  yes?: boolean;
  keep: string;
}

/**
 * `lrroll clean`: removes earlier runs' backups and staged artifacts from the nodes (after confirmation), holding the
 * cluster lock.
 */
export async function cleanCommand(file: string, flags: CleanFlags, io: Io): Promise<number> {
  const keep = Number(flags.keep);
  if (!/^\d+$/.test(flags.keep) || keep > 100) {
    io.stderr.write(`error[E_USAGE]: --keep ${flags.keep} is not a number of runs from 0 to 100\n`);
    return EXIT_CODES.invalid;
  }
  const start = await compileForNodes(file, flags, io);
  if (!start) return EXIT_CODES.invalid;
  const { outcome, plan, sshFiles } = start;
  const { cleanNodes } = await import('../app/clean.js');
  const { confirmOnTerminal } = await import('./execute.js');
  const what =
    keep === 0 ? 'every backup and staged file' : `the backups and staged files of all but the last ${keep} run(s)`;
  const { nodes, refused } = await cleanNodes(plan, {
    env: withInventorySecrets(io, outcome).env,
    sshFiles,
    keep,
    note: (text) => io.stderr.write(`note: ${text}\n`),
    confirm: async (found) => {
      for (const n of found)
        io.stdout.write(
          `${n.node}: ${n.before ? describeFootprint(n.path, n.before) : `cannot be read (${n.problem ?? '?'})`}\n`,
        );
      return (
        flags.yes === true ||
        confirmOnTerminal(
          `Remove ${what} on ${found.filter((n) => n.before).length}` +
            ` node(s)? A run whose backup is removed can no longer be rolled back from it.`,
          io,
        )
      );
    },
  });
  if (refused) {
    io.stderr.write(`${refused}\n`);
    return EXIT_CODES.refused;
  }
  for (const n of nodes)
    io.stdout.write(`${n.node}: ${n.problem ? `FAILED: ${n.problem}` : (n.result ?? 'nothing done')}\n`);
  return nodes.some((n) => n.problem) ? EXIT_CODES.failed : EXIT_CODES.ok;
}
