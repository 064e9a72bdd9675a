#!/usr/bin/env node
import { reportInternalError } from './crash.js';
import { nodeIo } from './io.js';
import { runCli } from './run-cli.js';

const io = nodeIo();
const argv = process.argv.slice(2);
// A failure outside any awaited promise (a stray callback, a late rejection) still ends as one line, not a stack trace.
const onStray = (err: unknown): void => {
  process.exit(reportInternalError(err, io, argv));
};
process.on('uncaughtException', onStray);
process.on('unhandledRejection', onStray);
// Not a top-level await: the bundled CLI is CommonJS (scripts/bundle-cli.mjs).
void runCli(argv, io).then((code) => {
  process.exitCode = code;
});
