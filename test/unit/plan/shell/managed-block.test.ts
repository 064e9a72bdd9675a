/** The lrroll-managed block in setenv.sh: the generated command run for real. */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { managedBlockCommand } from '../../../../src/plan/shell/managed-block.js';
import { SHELLS, AWKS, run, runOk, tmp, read, mode } from './helpers.js';

describe('managedBlockCommand arguments', () => {
  it('rejects bad ids and lines', () => {
    expect(() => managedBlockCommand('rel.sh', 'x', ['a'])).toThrow(/absolute/);
    expect(() => managedBlockCommand('/a.sh', '', ['a'])).toThrow(/block id/);
    expect(() => managedBlockCommand('/a.sh', 'a\nb', ['a'])).toThrow(/block id/);
    expect(() => managedBlockCommand('/a.sh', 'x', ['a\nb'])).toThrow(/line break/);
    expect(() => managedBlockCommand('/a.sh', 'x', ['# END lrroll managed block: x'])).toThrow(/marker/);
  });
});

const BEGIN = (id: string): string => `# BEGIN lrroll managed block: ${id}`;
const END = (id: string): string => `# END lrroll managed block: ${id}`;

for (const shell of SHELLS) {
  for (const awk of AWKS) {
    describe(`managedBlockCommand with ${shell} and ${awk}`, () => {
      const env = { LRROLL_AWK: awk };
      const body = ['export JAVA_OPTS="$JAVA_OPTS -Xmx4g"', "echo 'it'\\''s' `date` \\ $HOME", ''];

      /** Writes `content` (if not null) to `name` in a temp dir, applies the block, returns the file. */
      function apply(content: string | null, id: string, lines: readonly string[], name = 'setenv.sh'): string {
        const file = tmp() + '/' + name;
        if (content !== null) fs.writeFileSync(file, content);
        runOk(shell, managedBlockCommand(file, id, lines), env);
        return file;
      }

      function expectIdempotent(file: string, id: string, lines: readonly string[]): void {
        const before = fs.readFileSync(file);
        runOk(shell, managedBlockCommand(file, id, lines), env);
        expect(fs.readFileSync(file).equals(before)).toBe(true);
      }

      it('appends the block when absent, keeping the rest of the file', () => {
        const file = apply('#!/bin/sh\nexport A=1\n', 'jvm', body);
        expect(read(file)).toBe(['#!/bin/sh', 'export A=1', BEGIN('jvm'), ...body, END('jvm'), ''].join('\n'));
        expectIdempotent(file, 'jvm', body);
      });

      it('adds a missing final newline before appending', () => {
        const file = apply('x=1', 'b', ['y=2']);
        expect(read(file)).toBe(['x=1', BEGIN('b'), 'y=2', END('b'), ''].join('\n'));
      });

      it('replaces the block in place and drops later copies; other blocks are untouched', () => {
        const input = [
          'before',
          BEGIN('jvm'),
          'old 1',
          'old 2',
          END('jvm'),
          BEGIN('jvm-extra'),
          'other block',
          END('jvm-extra'),
          'middle',
          BEGIN('jvm'),
          'stale copy',
          END('jvm'),
          'after',
          '',
        ].join('\n');
        const file = apply(input, 'jvm', ['new']);
        expect(read(file)).toBe(
          [
            'before',
            BEGIN('jvm'),
            'new',
            END('jvm'),
            BEGIN('jvm-extra'),
            'other block',
            END('jvm-extra'),
            'middle',
            'after',
            '',
          ].join('\n'),
        );
        expectIdempotent(file, 'jvm', ['new']);
      });

      it('removes the block when there are no lines', () => {
        const input = ['a', BEGIN('x'), 'b', END('x'), 'c', ''].join('\n');
        const file = apply(input, 'x', []);
        expect(read(file)).toBe('a\nc\n');
        expectIdempotent(file, 'x', []);
      });

      it('matches markers in a CRLF file and writes the block with CRLF', () => {
        const input = ['a', BEGIN('x'), 'old', END('x'), 'b', ''].join('\r\n');
        const file = apply(input, 'x', ['n1', 'n2']);
        expect(read(file)).toBe(['a', BEGIN('x'), 'n1', 'n2', END('x'), 'b', ''].join('\r\n'));
      });

      it('keeps a block holding one empty line distinct from no block', () => {
        const file = apply('a\n', 'x', ['']);
        expect(read(file)).toBe(['a', BEGIN('x'), '', END('x'), ''].join('\n'));
      });

      it('creates a missing file: 0755 for .sh, 0644 otherwise, but not for an empty block', () => {
        const sh = apply(null, 'x', ['a'], 'setenv.sh');
        expect(read(sh)).toBe([BEGIN('x'), 'a', END('x'), ''].join('\n'));
        expect(mode(sh)).toBe(0o755);
        const conf = apply(null, 'x', ['a'], 'app.conf');
        expect(mode(conf)).toBe(0o644);
        const dir = tmp();
        runOk(shell, managedBlockCommand(dir + '/none.sh', 'x', []), env);
        expect(fs.existsSync(dir + '/none.sh')).toBe(false);
      });

      it('keeps the file mode when rewriting', () => {
        const dir = tmp();
        fs.writeFileSync(dir + '/setenv.sh', 'a\n');
        fs.chmodSync(dir + '/setenv.sh', 0o750);
        runOk(shell, managedBlockCommand(dir + '/setenv.sh', 'x', ['b']), env);
        expect(mode(dir + '/setenv.sh')).toBe(0o750);
        expect(fs.readdirSync(dir)).toEqual(['setenv.sh']);
      });

      it('fails without touching the file when a BEGIN marker has no END', () => {
        const dir = tmp();
        const input = ['a', BEGIN('x'), 'b', 'rest of the file', ''].join('\n');
        fs.writeFileSync(dir + '/setenv.sh', input);
        const result = run(shell, managedBlockCommand(dir + '/setenv.sh', 'x', ['new']), env);
        expect(result.status).toBe(1);
        expect(result.stderr).toContain('line 2 opens the managed block but no END marker follows');
        expect(read(dir + '/setenv.sh')).toBe(input);
        expect(fs.readdirSync(dir)).toEqual(['setenv.sh']);
      });
    });
  }
}
