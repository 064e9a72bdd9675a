// Writes dist/bin/: the command `lrroll` runs (lrroll.js, the launcher cli/launch.ts) and the CLI
// and the libraries it uses bundled into a few CommonJS files (cli.cjs and its chunks), so a cold
// start reads ~30 files instead of ~400 (the CLI's ES modules and yaml's, ajv's, commander's
// CommonJS files); then V8's code cache of each of lrroll's CommonJS files, written by running
// typical commands (see cli/code-cache.ts). Run by `npm run build` after tsc and the validators,
// from tsc's output. Lazily imported parts (the run, the artifact readers, the Ansible inventory
// readers) stay in chunks of their own, loaded only by the commands that use them.
//
// CommonJS, not ES modules: Node 20 has no code cache for ES modules, and the cache saves about a
// third of a cold `lrroll validate`. The chunks sit two levels under the package root, like tsc's
// modules, so the paths the code resolves from import.meta.url (schemas/, data/, playbooks/,
// package.json, the precompiled validators in dist/playbook/) are the same from either build.
//
// node-ssh and ssh2 stay in node_modules: ssh2 loads an optional native addon by a path relative to
// its own files, which a bundle would break.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = `${root}dist/bin`;
rmSync(outDir, { recursive: true, force: true });
await build({
  cwd: root,
  input: { cli: 'dist/cli/main.js' },
  platform: 'node',
  external: [/^node:/, 'node-ssh', 'ssh2'],
  // yaml's ES module build (the one its package serves browsers; the same code): bundled as ES modules it needs no
  // CommonJS wrappers and keeps only what lrroll imports.
  resolve: { alias: { yaml: `${root}node_modules/yaml/browser/index.js` } },
  logLevel: 'warn',
  output: {
    dir: outDir,
    format: 'cjs',
    // The code was written as ES modules, which are strict.
    strict: true,
    entryFileNames: '[name].cjs',
    chunkFileNames: '[name]-[hash].cjs',
    sourcemap: true,
  },
});
copyFileSync(`${root}dist/cli/launch.js`, `${outDir}/lrroll.js`);

// The code caches: each command's run writes the caches of the files it loaded that have none yet.
for (const file of readdirSync(`${root}dist`, { recursive: true }))
  if (String(file).endsWith('.cjs.cache')) rmSync(`${root}dist/${file}`);
for (const args of [['validate', 'playbooks/fixpack.yml'], ['plan', 'playbooks/fixpack.yml'], ['--version']]) {
  const r = spawnSync(process.execPath, [`${outDir}/lrroll.js`, ...args], {
    cwd: root,
    env: { ...process.env, LRROLL_BUILD_CODE_CACHE: '1', NO_COLOR: '1' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`lrroll ${args.join(' ')} failed while writing the code cache: ${r.stderr}`);
}
// The files those commands did not load (the run, the report, status…): compiled, not run, their cache spares a
// cold start parsing the whole file (each function is still compiled on its first call).
const { compileWithCache, writeCodeCache, codeCachePath } = await import(`${root}dist/cli/code-cache.js`);
for (const dir of [outDir, `${root}dist/playbook`])
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.cjs'))) {
    const file = `${dir}/${name}`;
    if (existsSync(codeCachePath(file))) continue;
    const source = readFileSync(file, 'utf8');
    writeCodeCache(file, source, compileWithCache(file, source).script);
  }
