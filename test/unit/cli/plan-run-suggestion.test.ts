// `lrroll plan` ends with the `lrroll run` command that runs the plan it showed. With --limit or
// --var that command must carry them: without them the pasted command compiles another plan and is
// refused with "the plan changed".
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { captureIo } from '../../helpers/capture-io.js';

/** The suggested command split into words exactly as a POSIX shell splits it. */
function suggestedRun(planText: string): string[] {
  const line = /run it with: (lrroll run .*)$/m.exec(planText)?.[1] ?? '';
  const words = spawnSync('sh', ['-c', `set -- ${line}; printf '%s\\n' "$@"`], { encoding: 'utf8' })
    .stdout.trimEnd()
    .split('\n');
  expect(words.slice(0, 2)).toEqual(['lrroll', 'run']);
  return words.slice(2);
}

async function plan(argv: string[]): Promise<string> {
  const io = captureIo();
  expect(await runCli(['plan', ...argv], io)).toBe(0);
  return io.out();
}

describe('the run command a plan suggests runs that plan', () => {
  it.each([
    [['playbooks/restart.yml']],
    [['playbooks/restart.yml', '--limit', 'node2']],
    [['playbooks/restart.yml', '--limit', 'node1,node3']],
    [['playbooks/custom.yml', '--var', 'driver=postgresql-42.7.4.jar']],
    [['playbooks/custom.yml', '--var', "driver=a driver's jar.jar", '--limit', 'node2']],
  ])('%j', async (argv) => {
    const text = await plan(argv);
    const run = suggestedRun(text);
    const io = captureIo();
    expect(await runCli(['run', ...run, '--dry-run'], io), io.err()).toBe(0);
    expect(io.err()).not.toMatch(/plan changed/);
  });

  it('a limited plan says so, with the nodes it leaves alone', async () => {
    const text = await plan(['playbooks/restart.yml', '--limit', 'node2']);
    expect(text).toMatch(/Limited \(--limit node2\): 1 of 3 node\(s\) are changed; node1, node3 stay as they are/);
    expect(await plan(['playbooks/restart.yml'])).not.toMatch(/Limited/);
  });

  it('the plan JSON records --limit and --var', async () => {
    const plan = JSON.parse(
      await (async () => {
        const io = captureIo();
        await runCli(
          ['plan', 'playbooks/custom.yml', '--format', 'json', '--limit', 'node2', '--var', 'driver=x.jar'],
          io,
        );
        return io.out();
      })(),
    ) as { limit: string[] | null; vars: Record<string, string> };
    expect(plan.limit).toEqual(['node2']);
    expect(plan.vars).toEqual({ driver: 'x.jar' });
  });
});
