import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

interface Import {
  from: string;
  spec: string;
  typeOnly: boolean;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Static and dynamic imports of every source file. */
function imports(): Import[] {
  const out: Import[] = [];
  for (const f of files(SRC)) {
    const text = readFileSync(f, 'utf8');
    const from = relative(SRC, f);
    for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm))
      out.push({ from, spec: m[2] as string, typeOnly: !!m[1] });
    for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm))
      out.push({ from, spec: m[1] as string, typeOnly: false });
    for (const m of text.matchAll(/await import\('([^']+)'\)/g))
      out.push({ from, spec: m[1] as string, typeOnly: false });
  }
  return out;
}

const all = imports();
const target = (i: Import): string =>
  i.spec.startsWith('.') ? relative(SRC, resolve(dirname(join(SRC, i.from)), i.spec)).replace(/\.js$/, '.ts') : i.spec;
const layer = (path: string): string => path.split('/')[0] ?? '';

describe('architecture: import rules', () => {
  it(
    'plan/ is pure: no node:* modules, no third-party packages, only type imports from playbook/ and ' +
      'artifacts/ (and shell/ for quoting)',
    () => {
      const bad = all
        .filter((i) => i.from.startsWith('plan/'))
        .filter((i) => {
          const t = target(i);
          if (!i.spec.startsWith('.')) return true;
          if (['playbook', 'artifacts'].includes(layer(t))) return !i.typeOnly;
          return !['plan', 'errors', 'shell', 'domain'].includes(layer(t));
        });
      expect(bad).toEqual([]);
    },
  );

  it('domain/ (what plan/ and execute/ both know) is pure: it imports only other domain/ files and shell/', () => {
    const bad = all
      .filter((i) => i.from.startsWith('domain/'))
      .filter((i) => !i.spec.startsWith('.') || !['domain', 'shell'].includes(layer(target(i))));
    expect(bad).toEqual([]);
  });

  it('execute/ imports only types from plan/ (what both need lives in domain/)', () => {
    const bad = all
      .filter(
        (i) => i.from.startsWith('execute/') && i.spec.startsWith('.') && !i.typeOnly && layer(target(i)) === 'plan',
      )
      .map((i) => `${i.from} → ${target(i)}`);
    expect(bad).toEqual([]);
  });

  it('shell/ (quoting, used by every layer) imports nothing', () => {
    expect(all.filter((i) => i.from.startsWith('shell/'))).toEqual([]);
  });

  it('each third-party package lives behind one adapter', () => {
    const homes: Record<string, (from: string) => boolean> = {
      yaml: (f) => f.startsWith('playbook/'),
      ajv: (f) => f === 'playbook/schema-compile.ts',
      yauzl: (f) => f === 'artifacts/zip.ts',
      saxes: (f) => f === 'artifacts/xml.ts',
      chalk: (f) => f.startsWith('render/') || f === 'errors/format.ts',
      commander: (f) => f === 'cli/run-cli.ts',
      'node-ssh': (f) => f === 'execute/transports/ssh.ts',
      ssh2: (f) => f === 'execute/transports/ssh.ts',
      'ssh-config': (f) => f === 'execute/transports/ssh-config.ts',
      listr2: (f) => f === 'render/listr.ts',
      diff: (f) => f === 'app/line-diff.ts',
    };
    const bad = all
      .filter((i) => !i.spec.startsWith('.') && !i.spec.startsWith('node:') && !i.typeOnly)
      .filter((i) => {
        const home =
          homes[i.spec.startsWith('@') ? i.spec.split('/').slice(0, 2).join('/') : (i.spec.split('/')[0] ?? '')];
        return !home || !home(i.from);
      });
    expect(bad).toEqual([]);
  });

  it('render/ imports only types from plan/ and execute/, and nothing from cli/ or app/', () => {
    const bad = all
      .filter((i) => i.from.startsWith('render/') && i.spec.startsWith('.'))
      .filter((i) => {
        const l = layer(target(i));
        if (l === 'plan' || l === 'execute') return !i.typeOnly && !/^plan\/duration\.ts$/.test(target(i));
        return l === 'cli' || l === 'app';
      });
    expect(bad).toEqual([]);
  });

  it('only cli/ touches `process`', () => {
    const bad = files(SRC)
      .filter((f) => !relative(SRC, f).startsWith('cli/'))
      .filter((f) => /\bprocess\.(argv|exit|env|stdout|stderr|on|cwd|exitCode)\b/.test(readFileSync(f, 'utf8')));
    expect(bad.map((f) => relative(SRC, f))).toEqual([]);
  });

  /**
   * Every cycle of the import graph made of the imports `include` keeps (each reported once, from where the walk met
   * it).
   */
  const cyclesOf = (include: (i: Import) => boolean): string[] => {
    const graph = new Map<string, string[]>();
    for (const i of all.filter((x) => x.spec.startsWith('.') && include(x)))
      graph.set(i.from, [...(graph.get(i.from) ?? []), target(i)]);
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (node: string, path: string[]): void => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
        return;
      }
      state.set(node, 'visiting');
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, 'done');
    };
    for (const node of graph.keys()) visit(node, []);
    return cycles;
  };

  it('has no import cycles', () => {
    expect(cyclesOf((i) => !i.typeOnly)).toEqual([]);
  });

  // A type-only loop costs nothing at run time, but it ties the modules together all the same:
  // neither can be read, moved or split without the other.
  it('has no import cycles through type-only imports either', () => {
    expect(cyclesOf(() => true)).toEqual([]);
  });
});
