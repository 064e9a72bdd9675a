import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import {
  backupCommand,
  freeBytesCommand,
  managedBlockCommand,
  propertiesEditCommand,
  restoreCommand,
  sha256Command,
} from '../../../src/plan/shell.js';
import { shq } from '../../../src/shell/quote.js';

// These tests run the generated commands for real, with dash (/bin/sh on
// Debian) and bash, against temp directories, and compare bytes.

const SHELLS = ['/bin/sh', '/bin/bash'].filter((shell) => fs.existsSync(shell));

/** True when `cmd` is on PATH. */
function onPath(cmd: string): boolean {
  return spawnSync('/bin/sh', ['-c', `command -v ${cmd}`]).status === 0;
}

// The commands run "${LRROLL_AWK:-awk}": with both mawk and gawk installed, test each; else the default awk.
// LRROLL_TEST_AWKS (colon-separated commands or paths, e.g. a wrapper running `busybox awk`) overrides the list.
const INSTALLED_AWKS = ['mawk', 'gawk'].filter(onPath);
const AWKS = process.env['LRROLL_TEST_AWKS']?.split(':').filter((awk) => awk !== '') ??
  (INSTALLED_AWKS.length === 2 ? INSTALLED_AWKS : ['awk']);

interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` with `shell -c`, extra environment variables added. */
function run(shell: string, command: string, env: Record<string, string> = {}): RunResult {
  const result = spawnSync(shell, ['-c', command], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `command` and expects success. */
function runOk(shell: string, command: string, env: Record<string, string> = {}): RunResult {
  const result = run(shell, command, env);
  expect(result.status, `stderr: ${result.stderr}`).toBe(0);
  return result;
}

const tempDirs: string[] = [];

/** A fresh temp directory, removed after all tests. */
function tmp(): string {
  const dir = fs.mkdtempSync(os.tmpdir() + '/lrroll-shell-');
  tempDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function read(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

function mode(file: string): number {
  return fs.statSync(file).mode & 0o7777;
}

/**
 * Minimal Java Properties.load, written independently of the awk: returns the
 * key → value map a JVM would see (later duplicates win, as in Java).
 */
function parseProperties(text: string): Map<string, string> {
  const lines = text.split(/\r\n|\r|\n/);
  const map = new Map<string, string>();
  let i = 0;
  while (i < lines.length) {
    let line = (lines[i++] ?? '').replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    let logical = '';
    while ((/\\*$/.exec(line)?.[0].length ?? 0) % 2 === 1) {
      logical += line.slice(0, -1);
      if (i >= lines.length) {
        line = '';
        break;
      }
      line = (lines[i++] ?? '').replace(/^[ \t\f]+/, '');
    }
    logical += line;
    const [key, value] = splitLogical(logical);
    map.set(key, value);
  }
  return map;
}

/** Splits a logical line into decoded key and value the way Java does. */
function splitLogical(s: string): [string, string] {
  let k = 0;
  while (k < s.length) {
    const c = s.charAt(k);
    if (c === '\\') k += 2;
    else if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
    else k++;
  }
  const keyEnd = Math.min(k, s.length);
  let v = keyEnd;
  while (v < s.length && ' \t\f'.includes(s.charAt(v))) v++;
  if (v < s.length && '=:'.includes(s.charAt(v))) v++;
  while (v < s.length && ' \t\f'.includes(s.charAt(v))) v++;
  return [unescapeProperty(s.slice(0, keyEnd)), unescapeProperty(s.slice(v))];
}

function unescapeProperty(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/gs, (_m, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[e] ?? e;
  });
}

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
    '', ' ', "'", "''", '"', '\\', '\\\'', '$HOME', '${HOME}', '$(id)', '`id`', 'a b  c', '\n', 'x\n', '\ttab',
    '-n', '-e', '--', '*', '?', '[a]', '~', '~root', 'a=b', 'FOO=bar', '!', '#', ';', '&', '|', '<', '>', '()', '{}',
    'é 日本 🎉', "it's \"quoted\" $x `y` \\z", '%s%d', '\\n', '-',
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

describe('propertiesEditCommand arguments', () => {
  it('rejects relative paths, ambiguous keys and NUL', () => {
    expect(() => propertiesEditCommand('portal-ext.properties', [['a', '1']], [])).toThrow(/absolute/);
    expect(() => propertiesEditCommand('/x/p\n', [['a', '1']], [])).toThrow(/newline/);
    expect(() => propertiesEditCommand('/x/../p', [['a', '1']], [])).toThrow(/\.\./);
    expect(() => propertiesEditCommand('/p', [['a', '1'], ['a', '2']], [])).toThrow(/set twice/);
    expect(() => propertiesEditCommand('/p', [['a', '1']], ['a'])).toThrow(/both set and unset/);
    expect(() => propertiesEditCommand('/p', [['a\0b', '1']], [])).toThrow(/NUL/);
  });
});

for (const shell of SHELLS) {
  for (const awk of AWKS) {
    describe(`propertiesEditCommand with ${shell} and ${awk}`, () => {
      const env = { LRROLL_AWK: awk };

      /** Writes `content` (if not null), runs the edit, returns the new content. */
      function edit(
        content: string | null,
        set: ReadonlyArray<readonly [string, string]>,
        unset: readonly string[] = [],
      ): { file: string; text: string; result: RunResult } {
        const file = tmp() + '/portal-ext.properties';
        if (content !== null) fs.writeFileSync(file, content);
        const result = runOk(shell, propertiesEditCommand(file, set, unset), env);
        return { file, text: read(file), result };
      }

      /** Runs the same edit again on `file` and expects identical bytes. */
      function expectIdempotent(
        file: string,
        set: ReadonlyArray<readonly [string, string]>,
        unset: readonly string[] = [],
      ): void {
        const before = fs.readFileSync(file);
        const inode = fs.statSync(file).ino;
        const again = runOk(shell, propertiesEditCommand(file, set, unset), env);
        expect(fs.readFileSync(file).equals(before)).toBe(true);
        expect(again.stdout).toContain('unchanged');
        expect(fs.statSync(file).ino).toBe(inode);
      }

      it('keeps comments, blanks and order; sets in place; appends new keys in order; removes unset keys', () => {
        const input = [
          '# Liferay portal-ext',
          '! another comment',
          '',
          'include-and-override=portal-developer.properties',
          'jdbc.default.url=jdbc:old',
          '   ',
          'company.default.web.id=liferay.com',
          'setup.wizard.enabled=true',
          'tail=1',
          '',
        ].join('\n');
        const set = [
          ['jdbc.default.url', 'jdbc:new'],
          ['zeta', '1'],
          ['alpha', '2'],
          ['company.default.web.id', 'example.com'],
        ] as const;
        const { file, text } = edit(input, set, ['setup.wizard.enabled', 'not.there']);
        expect(text).toBe(
          [
            '# Liferay portal-ext',
            '! another comment',
            '',
            'include-and-override=portal-developer.properties',
            'jdbc.default.url=jdbc:new',
            '   ',
            'company.default.web.id=example.com',
            'tail=1',
            'zeta=1',
            'alpha=2',
            '',
          ].join('\n'),
        );
        expectIdempotent(file, set, ['setup.wizard.enabled', 'not.there']);
      });

      it('keeps the separator style of each replaced line', () => {
        const input = 'a=1\nb:2\nc 3\nd = 4\ne : 5\nf\t6\n  g=7\nh\t=\t8\ni\nj=\nk = \\\n  cont\n';
        const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'];
        const set = keys.map((k) => [k, 'N'] as const);
        const { file, text } = edit(input, set);
        expect(text).toBe('a=N\nb:N\nc N\nd = N\ne : N\nf\tN\n  g=N\nh\t=\tN\ni=N\nj=N\nk = N\n');
        expect([...parseProperties(text)]).toEqual(keys.map((k) => [k, 'N']));
        expectIdempotent(file, set);
      });

      it('treats continuation lines as part of their logical line', () => {
        const input = String.raw`first=a\
    b\
    c
keep=x\
  other.key=not-a-key
other.key=real
gone=1\
  2
lead=\
   v
spl\
    it.key=old
even=ends\\
even.next=1
# comment ends with backslash\
after.comment=1
tail=keep
`;
        const set = [
          ['first', 'F'],
          ['other.key', 'R'],
          ['lead', 'W'],
          ['split.key', 'S'],
          ['even.next', '3'],
          ['after.comment', '2'],
        ] as const;
        const { file, text } = edit(input, set, ['gone']);
        expect(text).toBe(String.raw`first=F
keep=x\
  other.key=not-a-key
other.key=R
lead=W
split.key=S
even=ends\\
even.next=3
# comment ends with backslash\
after.comment=2
tail=keep
`);
        expect(parseProperties(text).get('keep')).toBe('xother.key=not-a-key');
        expect(parseProperties(text).get('even')).toBe('ends\\');
        expectIdempotent(file, set, ['gone']);
      });

      it('keeps the first of duplicate keys and drops the rest; unset drops them all', () => {
        const set = [['a', '9']] as const;
        const { file, text } = edit('a=1\nb=2\na=3\nc=4\n  a : 5\nx=1\nx=2\n', set, ['x']);
        expect(text).toBe('a=9\nb=2\nc=4\n');
        expectIdempotent(file, set, ['x']);
      });

      it('escapes nasty values so Java reads them back exactly', () => {
        const values: Array<readonly [string, string]> = [
          ['q', `it's "quoted"`],
          ['dollar', '$HOME $(id) `id` ${x}'],
          ['bs', 'C:\\path\\to\\'],
          ['spaces', '  leading and trailing  '],
          ['nl', 'line1\nline2\r\nline3'],
          ['uni', 'unicode: é 日本 🎉'],
          ['eq', '=starts with equals'],
          ['colon', ':colon'],
          ['tab', '\ttab'],
          ['hash', '#not a comment'],
          ['empty', ''],
          ['ctl', 'a\u0001b\u007f'],
        ];
        const { file, text } = edit('# head\n', values);
        expect(text).toBe(
          [
            '# head',
            `q=it's "quoted"`,
            'dollar=$HOME $(id) `id` ${x}',
            String.raw`bs=C:\\path\\to\\`,
            String.raw`spaces=\  leading and trailing  `,
            String.raw`nl=line1\nline2\r\nline3`,
            'uni=unicode: é 日本 🎉',
            String.raw`eq=\=starts with equals`,
            String.raw`colon=\:colon`,
            String.raw`tab=\ttab`,
            'hash=#not a comment',
            'empty=',
            String.raw`ctl=a\u0001b\u007f`,
            '',
          ].join('\n'),
        );
        expect([...parseProperties(text)]).toEqual(values);
        expectIdempotent(file, values);
      });

      it('never lets a value reach the shell or awk unquoted', () => {
        const dir = tmp();
        const marker = dir + '/pwned';
        const value = `$(touch ${marker}) \`touch ${marker}\` '; touch ${marker}; '" ENVIRON["HOME"] "\\" system("touch ${marker}")`;
        const { text } = edit('a=1\n', [['a', value], [`k$(touch ${marker})`, value]]);
        expect(fs.existsSync(marker)).toBe(false);
        const parsed = parseProperties(text);
        expect(parsed.get('a')).toBe(value);
        expect(parsed.get(`k$(touch ${marker})`)).toBe(value);
      });

      it('matches keys with dots, brackets and escaped characters', () => {
        const input = [
          'cluster.link.bind.addr["cluster-link-control"]=old',
          String.raw`weird\ key = old`,
          String.raw`\#hash=old`,
          String.raw`caf\u00e9.name=old`,
          String.raw`emoji.\uD83C\uDF89 = old`,
          String.raw`\u0041B\u00C9=old`,
          String.raw`bad\uZZ=keep`,
          String.raw`back\\u0041=old`,
          String.raw`trunc\u41`,
          '',
        ].join('\n');
        const set = [
          ['cluster.link.bind.addr["cluster-link-control"]', 'node1'],
          ['weird key', 'new'],
          ['#hash', 'new'],
          ['café.name', 'new'],
          ['emoji.🎉', 'new'],
          ['ABÉ', 'new'],
          ['back\\u0041', 'new'],
          ['truncu41', 'new'],
          ['my key=with:colon', 'v'],
          ['!bang', 'b'],
          ['tab\tkey\u0001', 't'],
        ] as const;
        const { file, text } = edit(input, set);
        expect(text).toBe(
          [
            'cluster.link.bind.addr["cluster-link-control"]=node1',
            String.raw`weird\ key = new`,
            String.raw`\#hash=new`,
            String.raw`caf\u00e9.name=new`,
            String.raw`emoji.\uD83C\uDF89 = new`,
            String.raw`\u0041B\u00C9=new`,
            String.raw`bad\uZZ=keep`,
            String.raw`back\\u0041=new`,
            'truncu41=new',
            String.raw`my\ key\=with\:colon=v`,
            String.raw`\!bang=b`,
            String.raw`tab\tkey\u0001=t`,
            '',
          ].join('\n'),
        );
        expect(parseProperties(text).get('baduZZ')).toBe('keep');
        const parsed = parseProperties(text);
        parsed.delete('baduZZ');
        expect([...parsed]).toEqual(set.map(([k, v]) => [k, v]));
        expectIdempotent(file, set);
        // A different value for the appended key replaces it instead of appending a twin.
        runOk(shell, propertiesEditCommand(file, [['my key=with:colon', 'w']], []), env);
        expect(read(file)).toBe(text.replace('my\\ key\\=with\\:colon=v', 'my\\ key\\=with\\:colon=w'));
      });

      it('preserves the mode, replaces the file atomically and leaves no temp file', () => {
        const dir = tmp();
        const file = dir + '/portal-ext.properties';
        fs.writeFileSync(file, 'a=1\n');
        fs.chmodSync(file, 0o640);
        const inode = fs.statSync(file).ino;
        const result = runOk(shell, propertiesEditCommand(file, [['a', '2']], []), env);
        expect(result.stdout).toContain('updated');
        expect(read(file)).toBe('a=2\n');
        expect(mode(file)).toBe(0o640);
        expect(fs.statSync(file).ino).not.toBe(inode);
        expect(fs.readdirSync(dir)).toEqual(['portal-ext.properties']);
      });

      it('creates a missing file with mode 0644 whatever the umask', () => {
        const file = tmp() + '/portal-ext.properties';
        runOk(shell, 'umask 077\n' + propertiesEditCommand(file, [['a', '1'], ['b', '2']], ['c']), env);
        expect(read(file)).toBe('a=1\nb=2\n');
        expect(mode(file)).toBe(0o644);
      });

      it('does not create a missing file when there is nothing to set', () => {
        const file = tmp() + '/portal-ext.properties';
        const result = runOk(shell, propertiesEditCommand(file, [], ['a']), env);
        expect(result.stdout).toContain('nothing to do');
        expect(fs.existsSync(file)).toBe(false);
      });

      it('fails clearly when the directory is missing or the path is not a file', () => {
        const dir = tmp();
        const missing = run(shell, propertiesEditCommand(dir + '/nope/p.properties', [['a', '1']], []), env);
        expect(missing.status).toBe(1);
        expect(missing.stderr).toContain(`lrroll: directory ${dir}/nope does not exist`);
        const notFile = run(shell, propertiesEditCommand(dir, [['a', '1']], []), env);
        expect(notFile.status).toBe(1);
        expect(notFile.stderr).toContain('is not a regular file');
      });

      it('adds a missing final newline and ends a dangling continuation before appending', () => {
        const plain = edit('a=1\nb=2', [['c', '3']]);
        expect(plain.text).toBe('a=1\nb=2\nc=3\n');
        const set = [['c', '3']] as const;
        const dangling = edit('a=1\nb=2\\', set);
        expect(dangling.text).toBe('a=1\nb=2\\\n\nc=3\n');
        expect([...parseProperties(dangling.text)]).toEqual([['a', '1'], ['b', '2'], ['c', '3']]);
        expectIdempotent(dangling.file, set);
      });

      it('keeps CRLF line endings', () => {
        const { text } = edit('# c\r\na=1\r\nb=2\r\n', [['a', 'X'], ['c', 'Y']]);
        expect(text).toBe('# c\r\na=X\r\nb=2\r\nc=Y\r\n');
      });

      it('edits the target of a symlink and keeps the link', () => {
        const dir = tmp();
        fs.writeFileSync(dir + '/real.properties', 'a=1\n');
        fs.symlinkSync('real.properties', dir + '/portal-ext.properties');
        runOk(shell, propertiesEditCommand(dir + '/portal-ext.properties', [['a', '2']], []), env);
        expect(fs.lstatSync(dir + '/portal-ext.properties').isSymbolicLink()).toBe(true);
        expect(read(dir + '/real.properties')).toBe('a=2\n');
      });
    });
  }
}

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

interface Entry {
  type: 'file' | 'dir' | 'link';
  mode: number;
  content?: string;
  mtimeMs?: number;
}

/** Everything under `root` except `skip`, with type, mode, content/link target and file mtime. */
function snapshot(root: string, skip: string): Record<string, Entry> {
  const out: Record<string, Entry> = {};
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = dir + '/' + name;
      if (full === skip) continue;
      const st = fs.lstatSync(full);
      const rel = full.slice(root.length);
      if (st.isSymbolicLink()) out[rel] = { type: 'link', mode: 0, content: fs.readlinkSync(full) };
      else if (st.isDirectory()) {
        out[rel] = { type: 'dir', mode: st.mode & 0o7777 };
        walk(full);
      } else out[rel] = { type: 'file', mode: st.mode & 0o7777, content: read(full), mtimeMs: st.mtimeMs };
    }
  };
  walk(root);
  return out;
}

describe('backupCommand / restoreCommand arguments', () => {
  it('rejects /, relative paths and overlap with the backup directory', () => {
    expect(() => backupCommand(['/'], '/b')).toThrow(/cannot back up \//);
    expect(() => backupCommand(['/a'], '/')).toThrow(/must not be \//);
    expect(() => backupCommand(['a'], '/b')).toThrow(/absolute/);
    expect(() => backupCommand(['/opt'], '/opt/backup')).toThrow(/overlaps/);
    expect(() => backupCommand(['/opt/backup/x'], '/opt/backup')).toThrow(/overlaps/);
    expect(() => restoreCommand('backup')).toThrow(/absolute/);
  });
});

for (const shell of SHELLS) {
  describe(`backupCommand / restoreCommand with ${shell}`, () => {
    /** A small Liferay-like tree with awkward names; returns the paths to back up. */
    function makeTree(root: string): string[] {
      fs.mkdirSync(root + '/conf');
      fs.writeFileSync(root + '/conf/portal-ext.properties', 'a=1\n');
      fs.chmodSync(root + '/conf/portal-ext.properties', 0o640);
      fs.mkdirSync(root + '/dir with space');
      fs.writeFileSync(root + `/dir with space/it's "q" $x.txt`, 'quoted\n');
      fs.mkdirSync(root + '/osgi/configs/sub', { recursive: true });
      fs.writeFileSync(root + '/osgi/configs/a.config', 'x="1"\n');
      fs.writeFileSync(root + '/osgi/configs/sub/b.config', 'y="2"\n');
      fs.chmodSync(root + '/osgi/configs/sub', 0o750);
      fs.symlinkSync('a.config', root + '/osgi/configs/link');
      fs.symlinkSync('conf', root + '/current');
      return [
        root + '/current',
        root + '/conf/portal-ext.properties',
        root + `/dir with space/it's "q" $x.txt`,
        root + '/osgi/configs/',
        root + '/new file.txt',
        root + '/newdir',
      ];
    }

    /** Changes every backed-up path, including creating the absent ones. */
    function mutate(root: string): void {
      fs.writeFileSync(root + '/conf/portal-ext.properties', 'a=2\nb=3\n');
      fs.chmodSync(root + '/conf/portal-ext.properties', 0o600);
      fs.rmSync(root + `/dir with space/it's "q" $x.txt`);
      fs.writeFileSync(root + '/osgi/configs/extra.config', 'z\n');
      fs.rmSync(root + '/osgi/configs/sub', { recursive: true });
      fs.rmSync(root + '/osgi/configs/link');
      fs.symlinkSync('elsewhere', root + '/osgi/configs/link');
      fs.writeFileSync(root + '/new file.txt', 'new\n');
      fs.rmSync(root + '/current');
      fs.mkdirSync(root + '/current');
      fs.mkdirSync(root + '/newdir');
      fs.writeFileSync(root + '/newdir/x', 'x\n');
    }

    it('round-trips files, directories, symlinks and absent paths', () => {
      const root = tmp();
      const paths = makeTree(root);
      const backupDir = root + "/backups/run 1 'a'";
      const before = snapshot(root, root + '/backups');

      const backup = runOk(shell, backupCommand(paths, backupDir));
      expect(backup.stdout).toContain('backed up 6 path(s)');
      expect(mode(backupDir)).toBe(0o700);
      expect(read(backupDir + '/manifest')).toBe(
        [
          `present ${root}/current`,
          `present ${root}/conf/portal-ext.properties`,
          `present ${root}/dir with space/it's "q" $x.txt`,
          `present ${root}/osgi/configs`,
          `absent ${root}/new file.txt`,
          `absent ${root}/newdir`,
          '',
        ].join('\n'),
      );
      expect(read(backupDir + '/files' + root + '/conf/portal-ext.properties')).toBe('a=1\n');
      expect(fs.readlinkSync(backupDir + '/files' + root + '/osgi/configs/link')).toBe('a.config');
      expect(fs.readlinkSync(backupDir + '/files' + root + '/current')).toBe('conf');

      mutate(root);
      expect(snapshot(root, root + '/backups')).not.toEqual(before);

      // A resumed run must not overwrite the original state with the modified one.
      const again = runOk(shell, backupCommand(paths, backupDir));
      expect(again.stdout).toContain('already exists');
      expect(read(backupDir + '/files' + root + '/conf/portal-ext.properties')).toBe('a=1\n');

      const restore = runOk(shell, restoreCommand(backupDir));
      expect(restore.stdout).toContain('restored from');
      expect(snapshot(root, root + '/backups')).toEqual(before);
      runOk(shell, restoreCommand(backupDir));
      expect(snapshot(root, root + '/backups')).toEqual(before);
    });

    it('restarts a backup that was interrupted before its manifest was written', () => {
      const root = tmp();
      fs.mkdirSync(root + '/d');
      fs.writeFileSync(root + '/d/f', 'orig\n');
      const backupDir = root + '/bk';
      fs.mkdirSync(backupDir + '/files' + root + '/d/f/stale', { recursive: true });
      fs.writeFileSync(backupDir + '/manifest.tmp', 'present /junk\n');
      runOk(shell, backupCommand([root + '/d'], backupDir));
      expect(read(backupDir + '/manifest')).toBe(`present ${root}/d\n`);
      expect(read(backupDir + '/files' + root + '/d/f')).toBe('orig\n');
      expect(fs.existsSync(backupDir + '/manifest.tmp')).toBe(false);
    });

    it('handles nested paths in either order', () => {
      for (const childFirst of [true, false]) {
        const root = tmp();
        fs.mkdirSync(root + '/d/sub', { recursive: true });
        fs.writeFileSync(root + '/d/f', 'f\n');
        fs.writeFileSync(root + '/d/sub/g', 'g\n');
        const before = snapshot(root, root + '/bk');
        const paths = childFirst ? [root + '/d/sub', root + '/d'] : [root + '/d', root + '/d/sub'];
        runOk(shell, backupCommand(paths, root + '/bk'));
        expect(snapshot(root + '/bk/files' + root, '')).toEqual(before);
        fs.rmSync(root + '/d/sub', { recursive: true });
        fs.writeFileSync(root + '/d/f', 'changed\n');
        runOk(shell, restoreCommand(root + '/bk'));
        expect(snapshot(root, root + '/bk')).toEqual(before);
      }
    });

    it('run-scoped: each run backs up into its own folder, so a second run\'s rollback restores the second run\'s pre-state', () => {
      const root = tmp();
      fs.writeFileSync(root + '/portal-ext.properties', 'v=original\n');
      const paths = [root + '/portal-ext.properties'];
      // run 1 backs up the original, changes it to v=run1, and ends well
      runOk(shell, backupCommand(paths, root + '/bk', true), { LRROLL_RUN_ID: '20261121T2200-aaaaaa' });
      fs.writeFileSync(root + '/portal-ext.properties', 'v=run1\n');
      // run 2 of the same playbook backs up v=run1 (not the original), changes it, then rolls back
      runOk(shell, backupCommand(paths, root + '/bk', true), { LRROLL_RUN_ID: '20261122T2200-bbbbbb' });
      fs.writeFileSync(root + '/portal-ext.properties', 'v=run2\n');
      runOk(shell, restoreCommand(root + '/bk', true), { LRROLL_RUN_ID: '20261122T2200-bbbbbb' });
      expect(read(root + '/portal-ext.properties')).toBe('v=run1\n');
      expect(fs.readdirSync(root + '/bk').sort()).toEqual(['20261121T2200-aaaaaa', '20261122T2200-bbbbbb']);
    });

    it('run-scoped: refuses to run without a plain run id (never backs up into the shared folder)', () => {
      const root = tmp();
      fs.writeFileSync(root + '/f', 'x\n');
      for (const id of ['', '..', '../x', 'a b']) {
        const r = run(shell, backupCommand([root + '/f'], root + '/bk', true), { LRROLL_RUN_ID: id });
        expect(r.status, id).toBe(1);
        expect(r.stderr).toContain('no valid run id in LRROLL_RUN_ID');
        expect(run(shell, restoreCommand(root + '/bk', true), { LRROLL_RUN_ID: id }).status).toBe(1);
      }
      expect(fs.existsSync(root + '/bk')).toBe(false);
    });

    it('fails clearly without a manifest', () => {
      const dir = tmp();
      const result = run(shell, restoreCommand(dir + '/none'));
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`lrroll: no backup manifest at ${dir}/none/manifest`);
    });

    it('reports bad manifest lines and missing copies but restores the rest', () => {
      const root = tmp();
      const backupDir = root + '/bk';
      fs.mkdirSync(backupDir + '/files', { recursive: true });
      fs.writeFileSync(root + '/gone', 'x');
      fs.writeFileSync(backupDir + '/manifest', `bogus line\npresent ${root}/lost\nabsent ${root}/gone`);
      const result = run(shell, restoreCommand(backupDir));
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('unrecognised manifest line: bogus line');
      expect(result.stderr).toContain(`the backup copy of ${root}/lost is missing`);
      // The last line has no newline and must still be processed.
      expect(fs.existsSync(root + '/gone')).toBe(false);
    });
  });
}

describe('sha256Command', () => {
  /** A directory whose only entries are symlinks to the named tools, for PATH. */
  function pathWith(...tools: string[]): string {
    const dir = tmp();
    for (const tool of tools) {
      const found = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      fs.symlinkSync(found, dir + '/' + tool);
    }
    return dir;
  }

  for (const shell of SHELLS) {
    const file = tmp() + `/it's "a" $x\\y.bin`;
    const data = randomBytes(100_000);
    fs.writeFileSync(file, data);
    const expected = createHash('sha256').update(data).digest('hex') + '\n';

    it(`matches node's crypto with ${shell}`, () => {
      expect(runOk(shell, sha256Command(file)).stdout).toBe(expected);
    });

    it.skipIf(!onPath('shasum'))(`falls back to shasum with ${shell}`, () => {
      expect(runOk(shell, sha256Command(file), { PATH: pathWith('shasum') }).stdout).toBe(expected);
    });

    it.skipIf(!onPath('openssl'))(`falls back to openssl with ${shell}`, () => {
      expect(runOk(shell, sha256Command(file), { PATH: pathWith('openssl') }).stdout).toBe(expected);
    });

    it(`rejects output that is not a sha256 with ${shell}`, () => {
      const dir = tmp();
      fs.writeFileSync(dir + '/sha256sum', '#!/bin/sh\necho "abc123  -"\n', { mode: 0o755 });
      const result = run(shell, sha256Command(file), { PATH: dir });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('unexpected output from the sha256 tool');
    });

    it(`fails clearly with no tool or no file with ${shell}`, () => {
      const none = run(shell, sha256Command(file), { PATH: pathWith() });
      expect(none.status).toBe(1);
      expect(none.stderr).toContain('no sha256 tool found');
      const missing = run(shell, sha256Command(file + '.missing'));
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain('is not a regular file');
    });
  }
});

describe('freeBytesCommand', () => {
  const TOLERANCE = 256 * 1024 * 1024;

  for (const shell of SHELLS) {
    it(`prints the available bytes of the nearest existing ancestor with ${shell}`, () => {
      const dir = tmp() + '/with space';
      fs.mkdirSync(dir);
      const st = fs.statfsSync(dir);
      const expected = st.bavail * st.bsize;
      for (const path of [dir, dir + "/not/yet/created 'x'"]) {
        const out = runOk(shell, freeBytesCommand(path)).stdout;
        expect(out).toMatch(/^[0-9]+\n$/);
        expect(Math.abs(Number(out) - expected)).toBeLessThan(TOLERANCE);
      }
      expect(runOk(shell, freeBytesCommand('/')).stdout).toMatch(/^[0-9]+\n$/);
    });
  }
});
