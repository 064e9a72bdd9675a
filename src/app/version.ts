import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** lrroll's version, from package.json. */
export function lrrollVersion(): string {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
