/** Facts about a file or folder on a node: a file's checksum, the free space under a path. */

import { shq } from '../../shell/quote.js';
import { absolutePath, awkCall, die, memo } from './script.js';

/**
 * Shell command printing the lowercase hex sha256 of a regular file (one line), using sha256sum, else `shasum -a 256`,
 * else `openssl dgst -sha256 -r`.
 */
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

/**
 * awk program picking the Available column of `df -P` output: the field before the first `NN%` capacity field, which
 * survives spaces in the mount point.
 */
const DF_AVAILABLE_AWK = 'NR > 1 { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+%$/) { print $(i - 1); exit } }';

/**
 * Shell command printing the bytes available to unprivileged users on the filesystem holding `path` (or its nearest
 * existing ancestor), from `df -Pk`.
 */
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

/** Shell command printing a file's sha256 (see `sha256CommandUncached`). */
export const sha256Command = memo(sha256CommandUncached);
/** Shell command printing the free bytes under a path (see `freeBytesCommandUncached`). */
export const freeBytesCommand = memo(freeBytesCommandUncached);
