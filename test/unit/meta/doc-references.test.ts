// Every file or folder of this repository that README.md, CHANGELOG.md and the docs name must exist:
// a reader who follows one to a missing file learns to distrust the rest.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLAN_FORMAT_VERSION } from '../../../src/plan/types.js';

const ROOT = join(import.meta.dirname, '../../..');
const DOCS = [
  'README.md',
  'CHANGELOG.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The repository's top-level entries: a code span that starts with one of them names a file of the repo. */
const TOP = new Set(readdirSync(ROOT).filter((f) => !['node_modules', '.git', 'dist'].includes(f)));

/** A placeholder or pattern (`<type>`, `*.yml`, `…`), not one file: such mentions are not checked. */
function isPattern(path: string): boolean {
  return /[<>*?{}…$]|\.\.\.|\[|\]/.test(path);
}

/**
 * Relative paths a Markdown text names: link targets, and code spans whose first segment is a top-level entry of the
 * repo.
 */
export function mentionedPaths(markdown: string): string[] {
  const out = new Set<string>();
  // Fenced blocks are examples (a playbook's own paths, commands): only the prose and its spans are checked.
  markdown = markdown.replace(/^```[\s\S]*?^```/gm, '');
  for (const m of markdown.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = (m[1] ?? '').split('#')[0] ?? '';
    if (target && !/^[a-z][a-z0-9+.-]*:/i.test(target)) out.add(target);
  }
  for (const m of markdown.matchAll(/`([^`]+)`/g)) {
    const span = (m[1] ?? '').trim();
    for (const word of span.split(/\s+/)) {
      const path = word.replace(/^\.\//, '').replace(/[,.;:)]+$/, '');
      const first = path.split('/')[0] ?? '';
      if (TOP.has(first) && (path.includes('/') || /\.[a-z]+$/i.test(path)) && !isPattern(path)) out.add(path);
    }
  }
  return [...out].filter((p) => !isPattern(p));
}

describe('documentation names only files that exist', () => {
  it.each(DOCS)('%s', (doc) => {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    const missing = mentionedPaths(text).filter(
      (p) => !existsSync(normalize(join(ROOT, dirname(doc), p))) && !existsSync(join(ROOT, p)),
    );
    expect(missing).toEqual([]);
  });

  it(
    'finds the references it is meant to check (links and repository paths in code spans, not node ' +
      'paths or patterns)',
    () => {
      const found = mentionedPaths(
        'See [the schema](schemas/playbook.schema.json) and `playbooks/fixpack.yml`, `bench/README.md`; ' +
          'not `tomcat/logs/catalina.out`, `playbooks/<type>.yml`, `~/.lrroll/runs`, ' +
          '[site](https://example.net/x).',
      );
      expect(found.sort()).toEqual(['bench/README.md', 'playbooks/fixpack.yml', 'schemas/playbook.schema.json']);
    },
  );

  it("names the plan's current format where README.md says which `formatVersion` the plan JSON is", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const named = [...readme.matchAll(/`schemas\/plan\.schema\.json`, `formatVersion` (\d+)/g)].map((m) =>
      Number(m[1]),
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.every((v) => v === PLAN_FORMAT_VERSION)).toBe(true);
  });
});
