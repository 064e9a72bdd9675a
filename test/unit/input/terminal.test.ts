import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/errors/format.js';

const plain = new Chalk({ level: 0 });

describe('diagnostics are safe to print on a terminal', () => {
  it('escape codes in a summary, hint or source line are shown, not interpreted', () => {
    const text = formatDiagnostic(
      {
        severity: 'error',
        code: 'E_SCHEMA',
        summary: 'bad \u001b[2J value',
        hint: 'x\u0007',
        source: { file: 'p.yml', line: 1, col: 7 },
      },
      new Map([['p.yml', 'name: \u001b]0;title\u0007']]),
      plain,
    );
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(text).toContain('bad \\u001b[2J value');
    expect(text).toContain('name: \\u001b]0;title\\u0007');
  });

  it('a very long source line is cut around the column, with the caret still under it', () => {
    const line = `${'a'.repeat(5000)}X${'b'.repeat(5000)}`;
    const text = formatDiagnostic(
      { severity: 'error', code: 'E_YAML', summary: 's', source: { file: 'p.yml', line: 1, col: 5001 } },
      new Map([['p.yml', line]]),
      plain,
    );
    const [, , src, caret] = text.split('\n');
    expect(src?.length).toBeLessThan(140);
    expect(src?.charAt((caret ?? '').indexOf('^'))).toBe('X');
  });
});
