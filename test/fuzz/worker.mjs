// A fuzz worker: runs cases sent by scripts/fuzz.mjs against the built CLI, in this process, and
// reports exit code, output, time and this process's peak memory. Run with --max-old-space-size.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCorpus, materialize } from './cases.mjs';
import { makeCaseDir, runCase } from './check.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { runCli } = await import(join(ROOT, 'dist/cli/run-cli.js'));
const playbooks = join(ROOT, 'playbooks');
const corpus = loadCorpus(playbooks);
const dir = makeCaseDir(playbooks);
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
process.on('disconnect', () => process.exit(0));
process.on('message', async ({ index, raw }) => {
  const c = await materialize(raw, corpus);
  const r = await runCase(runCli, dir, c);
  process.send({
    index,
    case: { label: c.label, argv: c.argv, expect: c.expect, describe: c.describe },
    result: { ...r, rssMb: process.resourceUsage().maxRSS / 1024 },
  });
});
// Load every module and compile the schema once, so the first case is timed like the others.
await runCase(runCli, dir, {
  argv: ['plan', 'fz-warmup.yml'],
  files: { 'fz-warmup.yml': readFileSync(join(playbooks, 'module.yml'), 'utf8') },
});
process.send({ ready: true });
