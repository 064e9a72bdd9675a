// `engines.node` in package.json is the Node.js lrroll and its whole toolchain run on: every
// installed package (runtime and development, transitively) must accept every version it allows,
// and the README must say the same range.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const OURS = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines
  .node;

interface Installed {
  name: string;
  version: string;
  node: string;
}

/** Every package under node_modules (nested ones too) that declares `engines.node`. */
function installedEngines(dir: string, out: Installed[] = []): Installed[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.name.startsWith('@')) {
      installedEngines(path, out);
      continue;
    }
    const manifest = join(path, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name?: string;
        version?: string;
        engines?: { node?: unknown };
      };
      if (typeof pkg.engines?.node === 'string')
        out.push({ name: pkg.name ?? entry.name, version: pkg.version ?? '?', node: pkg.engines.node });
    }
    installedEngines(join(path, 'node_modules'), out);
  }
  return out;
}

describe('the supported Node.js versions', () => {
  it('package.json states a valid range', () => {
    expect(semver.validRange(OURS)).not.toBeNull();
  });

  it('every installed package accepts every Node.js version that `engines` allows', () => {
    const all = installedEngines(join(ROOT, 'node_modules'));
    expect(all.length).toBeGreaterThan(20);
    const narrower = all
      .filter((p) => semver.validRange(p.node) !== null && !semver.subset(OURS, p.node))
      .map((p) => `${p.name}@${p.version} needs ${p.node}`);
    expect(narrower).toEqual([]);
  });

  it('the README names the same range', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`\`${OURS}\``);
  });

  it('the Node.js running these tests is within it', () => {
    expect(semver.satisfies(process.versions.node, OURS)).toBe(true);
  });
});
