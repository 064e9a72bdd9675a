import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The shipped breaking fix pack levels are facts lrroll refuses on: each must say where it comes from.
const data = JSON.parse(
  readFileSync(new URL('../../../data/breaking-fixpack-levels.json', import.meta.url), 'utf8'),
) as { description: string; levels: Array<{ level: string; reason: string; source?: string }> };
const notes = readFileSync(new URL('../../../docs/liferay-releases.md', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('data/breaking-fixpack-levels.json', () => {
  it('every level has a reason and an https source that the release notes in docs/ cite', () => {
    expect(data.levels.length).toBeGreaterThan(0);
    for (const l of data.levels) {
      expect(l.reason.length, l.level).toBeGreaterThan(20);
      expect(l.source, `${l.level} has no source`).toMatch(/^https:\/\//);
      expect(notes, `${l.level}'s source is not in docs/liferay-releases.md`).toContain(l.source as string);
    }
  });

  it('the README says the rest of the list must come from the admin', () => {
    expect(readme).toMatch(
      /breaking-fixpack-levels\.json[\s\S]{0,400}must come from the admin[\s\S]{0,80}breakingLevels/,
    );
  });
});
