/** Backing up paths on a node into a folder with a manifest, and restoring them from it. */

import { shq } from '../../shell/quote.js';
import { RUN_ID_VAR } from '../../domain/run-id.js';
import { absolutePath, die, memo } from './script.js';

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
    `  q="$b/files$p"; { mkdir -p -- "\${q%/*}" && rm -rf -- "$q" && cp -pPR -- "$p" "$q" && printf ` +
      `'present %s\\n' "$p" >> "$b/manifest.tmp"; } || ${die('cannot back up $p')}`,
    'else',
    `  printf 'absent %s\\n' "$p" >> "$b/manifest.tmp" || ${die('cannot write $b/manifest.tmp')}`,
    'fi',
  ].join('\n');
}

/**
 * `b=<dir>` — or, for a run-scoped backup, `b=<dir>/"$LRROLL_RUN_ID"` after checking the id is a plain, non-empty name.
 */
function backupDirLines(dir: string, runScoped: boolean): string[] {
  if (!runScoped) return [`b=${shq(dir)}`];
  return [
    `case \${${RUN_ID_VAR}:-} in ''|.*|*[!A-Za-z0-9._-]*) ` +
      `${die(`no valid run id in ${RUN_ID_VAR}: the backup folder is per run`)} ;; esac`,
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
    `if [ -e "$b/manifest" ]; then printf '%s\\n' "lrroll: backup $b already exists; keeping it (it ` +
      `holds the state from before this run)"; exit 0; fi`,
    `{ mkdir -p -- "$b" && chmod 0700 "$b"; } || ${die('cannot create the backup directory $b')}`,
    `{ rm -rf -- "$b/files" "$b/manifest.tmp" && mkdir -- "$b/files" && : > "$b/manifest.tmp"; } || ` +
      `${die('cannot initialise the backup directory $b')}`,
    ...checked.paths.map(backupOnePath),
    `mv -f -- "$b/manifest.tmp" "$b/manifest" || ${die('cannot write $b/manifest')}`,
    `printf '%s\\n' "lrroll: backed up ${checked.paths.length} path(s) to $b"`,
  ].join('\n');
}

/**
 * Shell command restoring what `backupCommand` saved: each `present` path is replaced by its copy, each `absent` path
 * removed; fails if the manifest is missing, and reports (exit 1) any path it could not restore after trying them all.
 */
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
    `        { rm -rf -- "$p" && mkdir -p -- "$d" && cp -pPR -- "$q" "$p"; } || { printf '%s\\n' ` +
      `"lrroll: failed to restore $p" >&2; rc=1; }`,
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

/** Shell command backing up paths with a manifest (see `backupCommandUncached`). */
export const backupCommand = memo(backupCommandUncached);
/** Shell command restoring a backup (see `restoreCommandUncached`). */
export const restoreCommand = memo(restoreCommandUncached);
