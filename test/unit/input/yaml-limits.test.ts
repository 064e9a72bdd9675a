import { describe, expect, it } from 'vitest';
import { BASE, errorsOf, planText } from './helpers.js';

const laughs = [
  'a0: &a0 [x, x, x, x, x, x, x, x, x, x]',
  ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`),
].join('\n  ');

describe('YAML documents are read within limits', () => {
  it.each([
    [
      'flow nesting 5,000 deep (was a stack overflow)',
      `${BASE}vars:\n  v: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
      /^E_LIMIT \d+:\d+ the YAML document is nested more than 64 levels deep$/,
    ],
    [
      'flow nesting 100 deep',
      `${BASE}vars:\n  v: ${'['.repeat(100)}${']'.repeat(100)}\n`,
      /^E_LIMIT 1:1 the YAML document is nested more than 64 levels deep$/,
    ],
    [
      'block nesting 100 deep',
      `${BASE}x:\n${Array.from({ length: 100 }, (_, i) => `${' '.repeat(i + 1)}- `).join('\n')}x\n`,
      /^E_LIMIT 1:1 the YAML document is nested more than 64 levels deep$/,
    ],
    [
      'an alias bomb (a billion laughs)',
      `${BASE}vars:\n  ${laughs}\n`,
      /^E_LIMIT 1:1 the YAML document expands more than 100 aliases/,
    ],
  ])('%s', async (_name, text, expected) => {
    const started = Date.now();
    const errors = errorsOf(await planText(text));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(expected);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a file over 4 MiB is not read', async () => {
    const errors = errorsOf(await planText(`${BASE}description: "${'x'.repeat(4.5 * 1024 * 1024)}"\n`));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^E_LIMIT - .*playbook\.yml is 4\.5 MiB, more than the 4 MiB lrroll reads$/);
  });

  it('merge keys are not expanded: `<<` is reported as an unknown key', async () => {
    const errors = errorsOf(await planText(`${BASE}rollout:\n  <<: { serial: 2 }\n`));
    expect(errors).toEqual(['E_UNKNOWN_KEY 21:3 unknown key `<<` in `rollout`']);
  });
});
