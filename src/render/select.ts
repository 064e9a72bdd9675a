import { makeChalk } from '../errors/format.js';
import { JsonRenderer } from './json.js';
import { ListrView } from './listr.js';
import { PlainRenderer } from './plain.js';
import type { Renderer, RenderIo } from './renderer.js';

/** `--output`: `auto` picks listr on a terminal outside CI, else plain. */
type OutputMode = 'auto' | 'listr' | 'plain' | 'json';

/** Options that only some renderers read. */
interface SelectOptions {
  /** Plain renderer: print every output line and command. */
  verbose: boolean;
}

/** True when `CI` is set to anything but empty, `0` or `false` (listr2's and most CI tools' rule). */
export function isCi(env: RenderIo['env']): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/**
 * The renderer for an `--output` mode: `auto` → listr2 when stdout is a terminal and `CI` is not set, else plain.
 * Colours follow NO_COLOR/FORCE_COLOR.
 */
export function selectRenderer(mode: OutputMode, io: RenderIo, options: SelectOptions = { verbose: false }): Renderer {
  const chalk = makeChalk(io.isTTY, io.env);
  const resolved = mode === 'auto' ? (io.isTTY && !isCi(io.env) ? 'listr' : 'plain') : mode;
  if (resolved === 'json') return new JsonRenderer(io);
  if (resolved === 'listr') return new ListrView(io, { chalk, renderer: 'default' });
  return new PlainRenderer(io, { chalk, verbose: options.verbose });
}
