/**
 * Pure generators of the POSIX shell commands that plan steps carry.
 *
 * Every command is a self-contained script for `sh -c` on a Linux node with a
 * POSIX sh (often dash), coreutils and a POSIX awk (often mawk). No bash, gawk,
 * python or perl is assumed. Every value reaching the shell goes through `shq`;
 * data for awk travels in environment variables, never inside program text.
 * Commands print progress on stdout and exit 1 with an `lrroll: ...` line on
 * stderr when they fail. The awk used is `${LRROLL_AWK:-awk}`, so a node (or a
 * test) can pick a specific implementation.
 *
 * All paths must be absolute (a remote command's working directory is
 * whatever the SSH login gives) and may not contain a newline or NUL; the
 * generators throw an Error for such programmer mistakes.
 */

import { shq } from '../shell/quote.js';

/** Shell code that prints `lrroll: <message>` on stderr and exits 1; `message` is shell text inside double quotes (it may use `$var`). */
function die(message: string): string {
  return `{ printf '%s\\n' "lrroll: ${message}" >&2; exit 1; }`;
}

/** Checks that `path` is absolute and free of newline/NUL, collapses `//` and drops a trailing `/`. */
function absolutePath(path: string, what: string): string {
  if (!path.startsWith('/')) throw new Error(`${what} must be an absolute path: ${JSON.stringify(path)}`);
  if (/[\n\0]/.test(path)) throw new Error(`${what} must not contain a newline or NUL: ${JSON.stringify(path)}`);
  const parts = path.split('/').filter((part) => part !== '');
  if (parts.some((part) => part === '.' || part === '..')) {
    throw new Error(`${what} must not contain '.' or '..' components: ${JSON.stringify(path)}`);
  }
  return '/' + parts.join('/');
}

/** `NAME=value` prefix assignments (each value quoted) that put data into one command's environment. */
function envPrefix(vars: ReadonlyArray<readonly [string, string]>): string {
  return vars.map(([name, value]) => `${name}=${shq(value)}`).join(' ');
}

/** The awk invocation used by every generator: byte semantics (LC_ALL=C) and an overridable binary. */
function awkCall(env: ReadonlyArray<readonly [string, string]>, program: string): string {
  const prefix = env.length > 0 ? envPrefix(env) + ' ' : '';
  return `${prefix}LC_ALL=C "\${LRROLL_AWK:-awk}" ${shq(program)}`;
}

interface AtomicRewrite {
  /** Absolute, normalised path of the file to rewrite. */
  file: string;
  /** Mode given to the file when it has to be created, e.g. '0644'. */
  createMode: string;
  /** Whether a missing file is created; if false a missing file is left missing. */
  createIfMissing: boolean;
  /** Shell command reading the old content on stdin and writing the new content on stdout. */
  filter: string;
}

/**
 * Wraps a stdin→stdout filter into an atomic in-place rewrite of a file.
 * A symlink is followed (the target is rewritten, the link kept). The temp file
 * is a `cp -p` copy of the original, truncated and rewritten, so mode and (for
 * root) owner survive; `mv -f` then replaces the original in one rename. When
 * `cmp` is available and the content did not change, the file is not touched.
 */
function atomicRewrite(spec: AtomicRewrite): string {
  const missing = spec.createIfMissing
    ? ''
    : `if [ ! -e "$f" ]; then printf '%s\\n' "lrroll: $f does not exist; nothing to do"; exit 0; fi`;
  return [
    `f=${shq(spec.file)}`,
    't=',
    // Remove the temp file however we leave; a signal goes through `exit` so the EXIT trap runs.
    `trap '[ -z "$t" ] || rm -f -- "$t"' EXIT`,
    `trap 'exit 1' HUP INT TERM`,
    `if [ -L "$f" ]; then f=$(readlink -f -- "$f") || ${die('cannot resolve the symlink $f')}; fi`,
    `if [ -e "$f" ] && [ ! -f "$f" ]; then ${die('$f is not a regular file')}; fi`,
    missing,
    'd=${f%/*}; [ -n "$d" ] || d=/',
    `[ -d "$d" ] || ${die('directory $d does not exist')}`,
    `t=$(mktemp "$d/.\${f##*/}.lrroll.XXXXXX") || ${die('cannot create a temporary file in $d')}`,
    `if [ -e "$f" ]; then cp -p -- "$f" "$t" && s=$f; else chmod ${spec.createMode} "$t" && s=/dev/null; fi || ${die('cannot prepare $t')}`,
    `${spec.filter} < "$s" > "$t" || ${die('failed to edit $f')}`,
    `if [ -e "$f" ] && command -v cmp >/dev/null 2>&1 && cmp -s -- "$f" "$t"; then printf '%s\\n' "lrroll: $f unchanged"; exit 0; fi`,
    `mv -f -- "$t" "$f" || ${die('cannot replace $f')}`,
    't=',
    `printf '%s\\n' "lrroll: $f updated"`,
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * awk filter editing a Java .properties stream (stdin → stdout).
 * Environment: LRROLL_PN = number of keys to set; for i = 1..PN, LRROLL_PK<i> is
 * the key as Java decodes it (for matching), LRROLL_PE<i> the key escaped for
 * writing, LRROLL_PV<i> the value escaped for writing. LRROLL_UN = number of
 * keys to remove, LRROLL_UK<i> each decoded key.
 * A logical line is a non-comment, non-blank physical line plus the following
 * lines while the line ends in an odd number of backslashes (as in Java, a
 * comment line never continues, and continuation lines lose leading blanks).
 * A replaced line keeps the original's leading blanks, key spelling and
 * separator when they sit on its first physical line; otherwise `key=value`.
 * CRLF files keep their CRs. A missing final newline is added.
 */
const PROPERTIES_AWK = String.raw`
function isws(c) { return c == " " || c == "\t" || c == "\f" }
function skipws(s, i,    n) {
  n = length(s)
  while (i <= n && isws(substr(s, i, 1))) i++
  return i
}
function oddbs(s,    n, len) {
  n = 0; len = length(s)
  while (n < len && substr(s, len - n, 1) == "\\") n++
  return n % 2
}
function hexval(h,    i, v, d) {
  if (length(h) < 4) return -1
  v = 0
  for (i = 1; i <= 4; i++) {
    d = index("0123456789abcdef", tolower(substr(h, i, 1))) - 1
    if (d < 0) return -1
    v = v * 16 + d
  }
  return v
}
# UTF-8 bytes of a code point (awk runs with LC_ALL=C, so %c emits one byte).
function utf8(cp) {
  if (cp < 128) return sprintf("%c", cp)
  if (cp < 2048) return sprintf("%c%c", 192 + int(cp / 64), 128 + cp % 64)
  if (cp < 65536) return sprintf("%c%c%c", 224 + int(cp / 4096), 128 + int(cp / 64) % 64, 128 + cp % 64)
  return sprintf("%c%c%c%c", 240 + int(cp / 262144), 128 + int(cp / 4096) % 64, 128 + int(cp / 64) % 64, 128 + cp % 64)
}
# Decodes the \uXXXX escape whose "u" is at s[i] (a surrogate pair as one
# character); sets adv to the number of characters consumed after the "u".
# A malformed escape (Java would reject the file) stands for a plain "u", and
# so does \u0000, which no key given to us can contain.
function uchar(s, i,    cp, lo) {
  adv = 0
  cp = hexval(substr(s, i + 1, 4))
  if (cp <= 0) return "u"
  adv = 4
  if (cp >= 55296 && cp < 56320 && substr(s, i + 5, 2) == "\\u") {
    lo = hexval(substr(s, i + 7, 4))
    if (lo >= 56320 && lo < 57344) { cp = 65536 + (cp - 55296) * 1024 + (lo - 56320); adv = 10 }
  }
  return utf8(cp)
}
# The key of a logical line (continuations joined), decoded as Java does.
function keyof(s,    n, i, c, k) {
  n = length(s); i = skipws(s, 1); k = ""
  while (i <= n) {
    c = substr(s, i, 1)
    if (c == "\\") {
      i++; c = substr(s, i, 1)
      if (c == "t") c = "\t"
      else if (c == "n") c = "\n"
      else if (c == "r") c = "\r"
      else if (c == "f") c = "\f"
      else if (c == "u") { c = uchar(s, i); i += adv }
    } else if (isws(c) || c == "=" || c == ":") break
    k = k c; i++
  }
  return k
}
# Leading blanks + key + separator of a physical line, or "" when the key
# does not end with a separator on this line (a key continued on the next
# line skips its final backslash and runs off the end).
function prefixof(s,    n, i, c) {
  n = length(s); i = skipws(s, 1)
  while (i <= n) {
    c = substr(s, i, 1)
    if (c == "\\") { i += 2; continue }
    if (isws(c) || c == "=" || c == ":") break
    i++
  }
  if (i > n) return ""
  i = skipws(s, i)
  c = substr(s, i, 1)
  if (c == "=" || c == ":") i = skipws(s, i + 1)
  return substr(s, 1, i - 1)
}
function emit(    k, i, p) {
  k = keyof(joined); kept = 0
  if (k in drop) return
  if (k in slot) {
    i = slot[k]
    if (!(i in done)) {
      done[i] = 1
      p = prefixof(first)
      if (p == "") p = ENVIRON["LRROLL_PE" i] "="
      print p ENVIRON["LRROLL_PV" i] firstcr
    }
    return
  }
  print raw; kept = 1
}
BEGIN {
  pn = ENVIRON["LRROLL_PN"] + 0
  for (i = 1; i <= pn; i++) slot[ENVIRON["LRROLL_PK" i]] = i
  un = ENVIRON["LRROLL_UN"] + 0
  for (i = 1; i <= un; i++) drop[ENVIRON["LRROLL_UK" i]] = 1
  eol = ""; cont = 0; kept = 0
}
{
  line = $0; cr = ""
  if (substr(line, length(line)) == "\r") { cr = "\r"; line = substr(line, 1, length(line) - 1) }
  if (NR == 1) eol = cr
  if (!cont) {
    c = substr(line, skipws(line, 1), 1)
    if (c == "" || c == "#" || c == "!") { print $0; next }
    raw = $0; first = line; firstcr = cr; joined = ""
  } else {
    raw = raw "\n" $0
    line = substr(line, skipws(line, 1))
  }
  if (oddbs(line)) { joined = joined substr(line, 1, length(line) - 1); cont = 1; next }
  joined = joined line; cont = 0
  emit()
}
END {
  # A file ending inside a continuation: keep it, and end it with an empty
  # line before appending so the new keys do not join the old value.
  dangling = 0
  if (cont) { emit(); dangling = kept }
  for (i = 1; i <= pn; i++) {
    if (i in done) continue
    if (dangling) { print eol; dangling = 0 }
    print ENVIRON["LRROLL_PE" i] "=" ENVIRON["LRROLL_PV" i] eol
  }
}
`;

/** Escapes one control character the way Java's Properties.store does. */
function escapeControl(ch: string): string {
  const named: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\f': '\\f' };
  return named[ch] ?? '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0');
}

/**
 * Escapes a key or value for a .properties file: `\` → `\\`, control
 * characters → `\t \n \r \f \uXXXX`; in keys also space, `=`, `:` and a leading
 * `#`/`!`; in values a leading space, `=` or `:` (the latter two so a
 * whitespace separator kept from the old line cannot swallow them).
 */
function escapeProperty(text: string, isKey: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    const code = ch.charCodeAt(0);
    if (ch === '\\') out += '\\\\';
    else if (code < 0x20 || code === 0x7f) out += escapeControl(ch);
    else if (isKey && (ch === ' ' || ch === '=' || ch === ':')) out += '\\' + ch;
    else if (i === 0 && (isKey ? ch === '#' || ch === '!' : ch === ' ' || ch === '=' || ch === ':')) out += '\\' + ch;
    else out += ch;
  }
  return out;
}

/** Throws unless the set/unset lists are unambiguous and every key is free of NUL. */
function checkPropertyKeys(set: ReadonlyArray<readonly [string, string]>, unset: readonly string[]): void {
  const seen = new Set<string>();
  for (const key of [...set.map(([k]) => k), ...unset]) {
    // The raw key travels in an environment variable, which cannot hold NUL.
    if (key.includes('\0')) throw new Error(`property key contains NUL: ${JSON.stringify(key)}`);
  }
  for (const [key] of set) {
    if (seen.has(key)) throw new Error(`property key set twice: ${JSON.stringify(key)}`);
    seen.add(key);
  }
  for (const key of unset) {
    if (seen.has(key)) throw new Error(`property key both set and unset: ${JSON.stringify(key)}`);
  }
}

/** Shell command editing a .properties file in place (set keys in place or append them, remove unset keys), atomically; creates it (0644) if missing and there is something to set. */
function propertiesEditCommandUncached(
  file: string,
  set: ReadonlyArray<readonly [string, string]>,
  unset: readonly string[],
): string {
  const path = absolutePath(file, 'properties file');
  return atomicRewrite({ file: path, createMode: '0644', createIfMissing: set.length > 0, filter: propertiesFilter(set, unset) });
}

/** The filter (stdin → stdout) that sets and unsets keys of a .properties text: what `propertiesEditCommand` writes, for previews too. */
export function propertiesFilter(set: ReadonlyArray<readonly [string, string]>, unset: readonly string[]): string {
  checkPropertyKeys(set, unset);
  const uniqueUnset = [...new Set(unset)];
  const env: Array<readonly [string, string]> = [['LRROLL_PN', String(set.length)]];
  set.forEach(([key, value], i) => {
    env.push([`LRROLL_PK${i + 1}`, key]);
    env.push([`LRROLL_PE${i + 1}`, escapeProperty(key, true)]);
    env.push([`LRROLL_PV${i + 1}`, escapeProperty(value, false)]);
  });
  env.push(['LRROLL_UN', String(uniqueUnset.length)]);
  uniqueUnset.forEach((key, i) => env.push([`LRROLL_UK${i + 1}`, key]));
  return awkCall(env, PROPERTIES_AWK);
}

/**
 * awk filter keeping one managed block (stdin → stdout). Environment:
 * LRROLL_MB_BEGIN / LRROLL_MB_END the marker lines, LRROLL_MB_N the number of
 * body lines (0 = remove the block), LRROLL_MB_BODY the body lines joined by
 * newlines. The first block is replaced in place, later copies are dropped, and
 * a BEGIN without END fails rather than swallowing the rest of the file.
 * Markers are matched ignoring a trailing CR; a CRLF file gets CRLF block lines.
 */
const MANAGED_BLOCK_AWK = String.raw`
# Prints the block with the file's line ending (CRLF if its first line has one).
function block(    text) {
  if (!want) return
  text = body
  if (eol != "") gsub(/\n/, eol "\n", text)
  print b eol
  print text eol
  print e eol
}
BEGIN {
  b = ENVIRON["LRROLL_MB_BEGIN"]; e = ENVIRON["LRROLL_MB_END"]
  n = ENVIRON["LRROLL_MB_N"] + 0; want = n > 0; body = ENVIRON["LRROLL_MB_BODY"]
  inside = 0; done = 0; beginline = 0; eol = ""
}
{
  l = $0
  if (substr(l, length(l)) == "\r") l = substr(l, 1, length(l) - 1)
  if (NR == 1 && l != $0) eol = "\r"
  if (inside) { if (l == e) inside = 0; next }
  if (l == b) {
    inside = 1; beginline = NR
    if (!done) block()
    done = 1
    next
  }
  print
}
END {
  if (inside) {
    # Not > "/dev/stderr": POSIX awk has no such special file, and reopening
    # /proc/self/fd/2 fails when stderr is a socket.
    err = "cat 1>&2"
    print "lrroll: line " beginline " opens the managed block but no END marker follows; fix the file by hand" | err
    close(err)
    exit 2
  }
  if (!done) block()
}
`;

/** The marker lines of a managed block. */
function blockMarkers(blockId: string): readonly [string, string] {
  return [`# BEGIN lrroll managed block: ${blockId}`, `# END lrroll managed block: ${blockId}`];
}

/** Shell command keeping exactly one `# BEGIN/END lrroll managed block: <blockId>` block holding `lines` (replaced in place, else appended; removed when `lines` is empty), atomically; creates the file (0755 for *.sh, else 0644) if missing. */
function managedBlockCommandUncached(file: string, blockId: string, lines: readonly string[]): string {
  const path = absolutePath(file, 'managed block file');
  return atomicRewrite({
    file: path,
    createMode: path.endsWith('.sh') ? '0755' : '0644',
    createIfMissing: lines.length > 0,
    filter: managedBlockFilter(blockId, lines),
  });
}

/** The filter (stdin → stdout) that keeps one lrroll-managed block: what `managedBlockCommand` writes, for previews too. */
export function managedBlockFilter(blockId: string, lines: readonly string[]): string {
  if (blockId === '' || /[\r\n\0]/.test(blockId)) {
    throw new Error(`block id must be non-empty and on one line: ${JSON.stringify(blockId)}`);
  }
  const [begin, end] = blockMarkers(blockId);
  for (const line of lines) {
    if (/[\r\n]/.test(line)) throw new Error(`managed block line contains a line break: ${JSON.stringify(line)}`);
    if (line === begin || line === end) throw new Error(`managed block line repeats a marker: ${JSON.stringify(line)}`);
  }
  const env: Array<readonly [string, string]> = [
    ['LRROLL_MB_BEGIN', begin],
    ['LRROLL_MB_END', end],
    ['LRROLL_MB_N', String(lines.length)],
    ['LRROLL_MB_BODY', lines.join('\n')],
  ];
  return awkCall(env, MANAGED_BLOCK_AWK);
}

/** Normalises backup paths and rejects `/`, duplicates and overlap with the backup directory itself. */
function checkBackupPaths(paths: readonly string[], backupDir: string): { paths: string[]; dir: string } {
  const dir = absolutePath(backupDir, 'backup directory');
  if (dir === '/') throw new Error('backup directory must not be /');
  const normal = [...new Set(paths.map((p) => absolutePath(p, 'backup path')))];
  for (const p of normal) {
    if (p === '/') throw new Error('cannot back up /');
    // Backing up an ancestor of the backup dir would copy it into itself, and a restore would delete it.
    if (p === dir || dir.startsWith(p + '/') || p.startsWith(dir + '/')) {
      throw new Error(`backup path ${JSON.stringify(p)} overlaps the backup directory ${JSON.stringify(dir)}`);
    }
  }
  return { paths: normal, dir };
}

/** Shell lines copying one path into `$b/files` (-P: a symlink is copied as a link) and adding its manifest line. */
function backupOnePath(path: string): string {
  return [
    `p=${shq(path)}`,
    'if [ -e "$p" ] || [ -L "$p" ]; then',
    // Remove any earlier copy first: cp -R onto an existing directory would copy *into* it.
    `  q="$b/files$p"; { mkdir -p -- "\${q%/*}" && rm -rf -- "$q" && cp -pPR -- "$p" "$q" && printf 'present %s\\n' "$p" >> "$b/manifest.tmp"; } || ${die('cannot back up $p')}`,
    'else',
    `  printf 'absent %s\\n' "$p" >> "$b/manifest.tmp" || ${die('cannot write $b/manifest.tmp')}`,
    'fi',
  ].join('\n');
}

/** The environment variable that carries the run id into the backup and restore commands: each run backs up into its own folder. */
export const RUN_ID_VAR = 'LRROLL_RUN_ID';

/** `b=<dir>` — or, for a run-scoped backup, `b=<dir>/"$LRROLL_RUN_ID"` after checking the id is a plain, non-empty name. */
function backupDirLines(dir: string, runScoped: boolean): string[] {
  if (!runScoped) return [`b=${shq(dir)}`];
  return [
    `case \${${RUN_ID_VAR}:-} in ''|.*|*[!A-Za-z0-9._-]*) ${die(`no valid run id in ${RUN_ID_VAR}: the backup folder is per run`)} ;; esac`,
    `b=${shq(dir)}/"$${RUN_ID_VAR}"`,
  ];
}

/**
 * Shell command copying each existing path (cp -pPR) to `<backupDir>/files/<abs path>` and writing
 * `<backupDir>/manifest` (`present <path>` / `absent <path>`); does nothing if the manifest already
 * exists (a resumed run keeps the state from before it). With `runScoped`, the folder is
 * `<backupDir>/$LRROLL_RUN_ID`, so every run has its own copy.
 */
function backupCommandUncached(paths: readonly string[], backupDir: string, runScoped = false): string {
  const checked = checkBackupPaths(paths, backupDir);
  return [
    ...backupDirLines(checked.dir, runScoped),
    // The manifest is written last (renamed into place), so its presence means a complete backup.
    `if [ -e "$b/manifest" ]; then printf '%s\\n' "lrroll: backup $b already exists; keeping it (it holds the state from before this run)"; exit 0; fi`,
    `{ mkdir -p -- "$b" && chmod 0700 "$b"; } || ${die('cannot create the backup directory $b')}`,
    `{ rm -rf -- "$b/files" "$b/manifest.tmp" && mkdir -- "$b/files" && : > "$b/manifest.tmp"; } || ${die('cannot initialise the backup directory $b')}`,
    ...checked.paths.map(backupOnePath),
    `mv -f -- "$b/manifest.tmp" "$b/manifest" || ${die('cannot write $b/manifest')}`,
    `printf '%s\\n' "lrroll: backed up ${checked.paths.length} path(s) to $b"`,
  ].join('\n');
}

/** Shell command restoring what `backupCommand` saved: each `present` path is replaced by its copy, each `absent` path removed; fails if the manifest is missing, and reports (exit 1) any path it could not restore after trying them all. */
function restoreCommandUncached(backupDir: string, runScoped = false): string {
  const dir = absolutePath(backupDir, 'backup directory');
  return [
    ...backupDirLines(dir, runScoped),
    `[ -f "$b/manifest" ] || ${die('no backup manifest at $b/manifest; cannot restore')}`,
    'rc=0',
    // `|| [ -n "$l" ]` also handles a last line without a newline.
    'while IFS= read -r l || [ -n "$l" ]; do',
    '  case $l in',
    "    'present /'?*)",
    '      p=${l#present }; q="$b/files$p"; d=${p%/*}; [ -n "$d" ] || d=/',
    '      if [ -e "$q" ] || [ -L "$q" ]; then',
    `        { rm -rf -- "$p" && mkdir -p -- "$d" && cp -pPR -- "$q" "$p"; } || { printf '%s\\n' "lrroll: failed to restore $p" >&2; rc=1; }`,
    `      else printf '%s\\n' "lrroll: the backup copy of $p is missing ($q)" >&2; rc=1; fi ;;`,
    "    'absent /'?*)",
    `      p=\${l#absent }; rm -rf -- "$p" || { printf '%s\\n' "lrroll: failed to remove $p" >&2; rc=1; } ;;`,
    `    *) printf '%s\\n' "lrroll: unrecognised manifest line: $l" >&2; rc=1 ;;`,
    '  esac',
    'done < "$b/manifest"',
    `[ "$rc" -ne 0 ] || printf '%s\\n' "lrroll: restored from $b"`,
    'exit "$rc"',
  ].join('\n');
}

/** Shell command printing the lowercase hex sha256 of a regular file (one line), using sha256sum, else `shasum -a 256`, else `openssl dgst -sha256 -r`. */
function sha256CommandUncached(path: string): string {
  const p = absolutePath(path, 'file to hash');
  return [
    `p=${shq(p)}`,
    `[ -f "$p" ] || ${die('$p is not a regular file')}`,
    `[ -r "$p" ] || ${die('$p is not readable')}`,
    // Hash stdin so the tools never print (or escape) the file name.
    'if command -v sha256sum >/dev/null 2>&1; then h=$(sha256sum < "$p")',
    'elif command -v shasum >/dev/null 2>&1; then h=$(shasum -a 256 < "$p")',
    'elif command -v openssl >/dev/null 2>&1; then h=$(openssl dgst -sha256 -r < "$p")',
    `else ${die('no sha256 tool found (need sha256sum, shasum or openssl)')}`,
    `fi || ${die('cannot compute the sha256 of $p')}`,
    // Keep the leading hex digits: drops "  -" (sha256sum, shasum) or " *stdin" (openssl).
    'h=${h%%[!0-9a-f]*}',
    `[ \${#h} -eq 64 ] || ${die('unexpected output from the sha256 tool for $p')}`,
    `printf '%s\\n' "$h"`,
  ].join('\n');
}

/** awk program picking the Available column of `df -P` output: the field before the first `NN%` capacity field, which survives spaces in the mount point. */
const DF_AVAILABLE_AWK =
  'NR > 1 { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+%$/) { print $(i - 1); exit } }';

/** Shell command printing the bytes available to unprivileged users on the filesystem holding `path` (or its nearest existing ancestor), from `df -Pk`. */
function freeBytesCommandUncached(path: string): string {
  const p = absolutePath(path, 'path');
  return [
    `p=${shq(p)}`,
    'while [ ! -e "$p" ] && [ "$p" != / ]; do p=${p%/*}; [ -n "$p" ] || p=/; done',
    `kb=$(df -Pk "$p" | ${awkCall([], DF_AVAILABLE_AWK)})`,
    `case $kb in ''|*[!0-9]*) ${die('cannot read the free space of $p from df -Pk')} ;; esac`,
    // Shell arithmetic is at least 64-bit on Linux shells; awk might print big numbers in %g.
    'printf \'%s\\n\' "$((kb * 1024))"',
  ].join('\n');
}

/**
 * Caches a pure generator by its arguments: plans for large clusters ask for the same command
 * (same Liferay Home, same backup folder) on every node, so they share one string.
 */
function memo<A extends unknown[]>(fn: (...args: A) => string): (...args: A) => string {
  const cache = new Map<string, string>();
  return (...args: A): string => {
    const key = JSON.stringify(args);
    let text = cache.get(key);
    if (text === undefined) {
      text = fn(...args);
      if (cache.size < 4096) cache.set(key, text);
    }
    return text;
  };
}

/** Shell command editing a .properties file in place (see `propertiesEditCommandUncached`). */
export const propertiesEditCommand = memo(propertiesEditCommandUncached);
/** Shell command keeping one lrroll-managed block in a file (see `managedBlockCommandUncached`). */
export const managedBlockCommand = memo(managedBlockCommandUncached);
/** Shell command backing up paths with a manifest (see `backupCommandUncached`). */
export const backupCommand = memo(backupCommandUncached);
/** Shell command restoring a backup (see `restoreCommandUncached`). */
export const restoreCommand = memo(restoreCommandUncached);
/** Shell command printing a file's sha256 (see `sha256CommandUncached`). */
export const sha256Command = memo(sha256CommandUncached);
/** Shell command printing the free bytes under a path (see `freeBytesCommandUncached`). */
export const freeBytesCommand = memo(freeBytesCommandUncached);
