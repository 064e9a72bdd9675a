/** A block of lines lrroll owns inside a file on a node (setenv.sh), between BEGIN/END marker lines. */

import { absolutePath, atomicRewrite, awkCall, memo } from './script.js';

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

/**
 * Shell command keeping exactly one `# BEGIN/END lrroll managed block: <blockId>` block holding `lines` (replaced in
 * place, else appended; removed when `lines` is empty), atomically; creates the file (0755 for *.sh, else 0644) if
 * missing.
 */
function managedBlockCommandUncached(file: string, blockId: string, lines: readonly string[]): string {
  const path = absolutePath(file, 'managed block file');
  return atomicRewrite({
    file: path,
    createMode: path.endsWith('.sh') ? '0755' : '0644',
    createIfMissing: lines.length > 0,
    filter: managedBlockFilter(blockId, lines),
  });
}

/**
 * The filter (stdin → stdout) that keeps one lrroll-managed block: what `managedBlockCommand` writes, for previews too.
 */
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

/** Shell command keeping one lrroll-managed block in a file (see `managedBlockCommandUncached`). */
export const managedBlockCommand = memo(managedBlockCommandUncached);
