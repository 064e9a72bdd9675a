#!/usr/bin/env node
// The `lrroll` command of the built package (scripts/bundle-cli.mjs copies it to dist/bin/lrroll.js):
// the bundled CLI (dist/bin/cli.cjs and its chunks, CommonJS) run with V8's code cache for each of
// lrroll's own files (cli/code-cache.ts). The import is written from the parent folder so that it
// names the same module from src/cli/ and from dist/bin/.
import { createRequire } from 'node:module';
import { installCodeCache } from '../cli/code-cache.js';

installCodeCache(process.env['LRROLL_BUILD_CODE_CACHE'] === '1');
createRequire(import.meta.url)('./cli.cjs');
