/** `shq` quoting checked by running the quoted words in real shells. */
import { describe, expect, it } from 'vitest';
import { shq } from '../../../../src/shell/quote.js';
import { SHELLS, run, runOk } from './helpers.js';

describe('shq', () => {
  it('leaves plain words bare and quotes everything else', () => {
    expect(shq('/opt/liferay/portal-ext.properties')).toBe('/opt/liferay/portal-ext.properties');
    expect(shq('user@host:8080,a+b%c')).toBe('user@host:8080,a+b%c');
    expect(shq('-Dfoo=bar')).toBe("'-Dfoo=bar'");
    expect(shq('--')).toBe("'--'");
    expect(shq('x.y=z')).toBe('x.y=z');
    expect(shq('FOO=bar')).toBe("'FOO=bar'");
    expect(shq('')).toBe("''");
    expect(shq("it's")).toBe("'it'\\''s'");
    expect(shq('a b')).toBe("'a b'");
    expect(shq('~')).toBe("'~'");
  });

  it('rejects NUL', () => {
    expect(() => shq('a\0b')).toThrow(/NUL/);
  });

  const nasty = [
    '',
    ' ',
    "'",
    "''",
    '"',
    '\\',
    "\\'",
    '$HOME',
    '${HOME}',
    '$(id)',
    '`id`',
    'a b  c',
    '\n',
    'x\n',
    '\ttab',
    '-n',
    '-e',
    '--',
    '*',
    '?',
    '[a]',
    '~',
    '~root',
    'a=b',
    'FOO=bar',
    '!',
    '#',
    ';',
    '&',
    '|',
    '<',
    '>',
    '()',
    '{}',
    'é 日本 🎉',
    'it\'s "quoted" $x `y` \\z',
    '%s%d',
    '\\n',
    '-',
  ];
  for (const shell of SHELLS) {
    it(`round-trips nasty strings through ${shell} -c`, () => {
      for (const value of nasty) {
        const result = runOk(shell, 'printf %s ' + shq(value));
        expect(result.stdout, JSON.stringify(value)).toBe(value);
      }
    });

    it(`keeps NAME=value a word, not an assignment, in ${shell}`, () => {
      // Unquoted, `FOO=bar` alone is an assignment and exits 0; quoted it is a command name that is not found.
      expect(run(shell, shq('LRROLL_TEST_X=1')).status).toBe(127);
    });
  }
});
