/** Editing .properties files on a node: the generated command run for real and read back as Java would. */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { propertiesEditCommand } from '../../../../src/plan/shell/properties.js';
import { SHELLS, AWKS, run, runOk, tmp, read, mode, type RunResult } from './helpers.js';

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

describe('propertiesEditCommand arguments', () => {
  it('rejects relative paths, ambiguous keys and NUL', () => {
    expect(() => propertiesEditCommand('portal-ext.properties', [['a', '1']], [])).toThrow(/absolute/);
    expect(() => propertiesEditCommand('/x/p\n', [['a', '1']], [])).toThrow(/newline/);
    expect(() => propertiesEditCommand('/x/../p', [['a', '1']], [])).toThrow(/\.\./);
    expect(() =>
      propertiesEditCommand(
        '/p',
        [
          ['a', '1'],
          ['a', '2'],
        ],
        [],
      ),
    ).toThrow(/set twice/);
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
        const value =
          `$(touch ${marker}) \`touch ${marker}\` '; touch ${marker}` +
          `; '" ENVIRON["HOME"] "\\" system("touch ${marker}")`;
        const { text } = edit('a=1\n', [
          ['a', value],
          [`k$(touch ${marker})`, value],
        ]);
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
        runOk(
          shell,
          'umask 077\n' +
            propertiesEditCommand(
              file,
              [
                ['a', '1'],
                ['b', '2'],
              ],
              ['c'],
            ),
          env,
        );
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
        expect([...parseProperties(dangling.text)]).toEqual([
          ['a', '1'],
          ['b', '2'],
          ['c', '3'],
        ]);
        expectIdempotent(dangling.file, set);
      });

      it('keeps CRLF line endings', () => {
        const { text } = edit('# c\r\na=1\r\nb=2\r\n', [
          ['a', 'X'],
          ['c', 'Y'],
        ]);
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
