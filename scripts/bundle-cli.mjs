// Writes dist/bin/lrroll.js, the command `lrroll` runs: the CLI and the libraries it uses bundled
// into a few files, so a cold start reads and links ~30 modules instead of ~400 (the CLI's ES
// modules and yaml's, ajv's, commander's CommonJS files). Run by `npm run build` after tsc, from
// tsc's output. Lazily imported parts (the run, the artifact readers, the Ansible inventory
// readers) stay in chunks of their own, loaded only by the commands that use them.
//
// The chunks sit two levels under the package root, like tsc's modules, so the paths the code
// resolves from import.meta.url (schemas/, data/, playbooks/, package.json, the precompiled
// validators in dist/playbook/) are the same from either build.
//
// node-ssh and ssh2 stay in node_modules: ssh2 loads an optional native addon by a path relative to
// its own files, which a bundle would break.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = `${root}dist/bin`;
rmSync(outDir, { recursive: true, force: true });
await build({
  cwd: root,
  input: { lrroll: 'dist/cli/main.js' },
  platform: 'node',
  external: [/^node:/, 'node-ssh', 'ssh2'],
  // yaml's ES module build (the one its package serves browsers; the same code): bundled as ES modules it needs no
  // CommonJS wrappers and keeps only what lrroll imports.
  resolve: { alias: { yaml: `${root}node_modules/yaml/browser/index.js` } },
  logLevel: 'warn',
  output: {
    dir: outDir,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    sourcemap: true,
  },
});
