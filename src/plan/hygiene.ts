// Disk hygiene on a node: what lrroll leaves under `<liferayHome>/.lrroll/` — a backup folder per
// run (`backups/<run id>`) and the staged artifacts (`staging/<sha>-<name>`) — is kept for the last
// N runs and removed after that. `runs/<run id>` records which staged files a run used; its
// modification time says when it ran. The lock folder (`lock/`) is never touched here.
import { lrrollDir } from '../domain/footprint.js';
import { RUN_ID_VAR } from '../domain/run-id.js';
import { shq } from '../shell/quote.js';

/** What a prune keeps: this run (recorded as the newest) and its staged files, and how many runs in all. */
interface PruneSpec {
  liferayHome: string;
  /**
   * A run's own prune: its id comes in `$LRROLL_RUN_ID` (as for its backup); false for `lrroll clean` (no run to
   * record).
   */
  thisRun: boolean;
  /** Base names of the staged files this run uses. */
  staged: readonly string[];
  /**
   * Runs kept, this one included (0 removes everything); `{keep}` when the number is given at run time (`lrroll clean
   * --keep`).
   */
  keep: number | '{keep}';
}

/**
 * Records this run (when it is one), then keeps the newest `keep` runs — by the time each last ran;
 * a backup without a record (older lrroll, or a run that failed before its end) counts from its own
 * time — and removes the other runs' backups and every staged file no kept run uses. Prints one
 * `removed …` line per removal and a summary line last.
 */
export function pruneCommand(spec: PruneSpec): string {
  const record = !spec.thisRun
    ? []
    : [
        `case \${${RUN_ID_VAR}:-} in ''|.*|*[!A-Za-z0-9._-]*) echo 'lrroll: no valid run id in ` +
          `${RUN_ID_VAR}' >&2; exit 1 ;; esac`,
        `k=$${RUN_ID_VAR}`,
        `${spec.staged.length ? `printf '%s\\n' ${spec.staged.map(shq).join(' ')}` : ':'}` +
          ` > "$d/runs/$k" || { echo "lrroll: cannot write $d/runs/$k" >&2; exit 1; }`,
        'if [ -d "$d/backups/$k" ]; then touch -- "$d/backups/$k"; fi',
      ];
  return [
    `d=${shq(lrrollDir(spec.liferayHome))}; n=` +
      `${typeof spec.keep === 'number' ? String(Math.max(0, Math.floor(spec.keep))) : spec.keep}`,
    `mkdir -p -- "$d/runs" || { echo "lrroll: cannot create $d/runs" >&2; exit 1; }`,
    'for b in "$d"/backups/*; do [ -d "$b" ] || continue; r="$d/runs/${b##*/}"; [ -e "$r" ] || touch ' +
      '-r "$b" -- "$r"; done',
    ...record,
    // This run is the newest, even within the same clock tick as a backup recorded just above.
    ...(spec.thisRun ? ['touch -- "$d/runs/$k"'] : []),
    'keep="$d/.keep.$$"; log="$d/.pruned.$$"; : > "$keep"; : > "$log"',
    `trap 'rm -f -- "$keep" "$log"' EXIT`,
    'ls -1t -- "$d/runs" | { i=0; while IFS= read -r r; do i=$((i + 1))',
    '  if [ "$i" -le "$n" ]; then cat -- "$d/runs/$r" >> "$keep"',
    `  else rm -rf -- "$d/backups/$r" && rm -f -- "$d/runs/$r" && printf 'removed backup %s\\n' "$r" >> "$log"; fi`,
    'done; }',
    `for f in "$d"/staging/* "$d"/staging/.[!.]*; do [ -f "$f" ] || continue; grep -qxF -- ` +
      `"\${f##*/}" "$keep" && continue; rm -f -- "$f" && printf 'removed staged %s\\n' "\${f##*/}" >> ` +
      `"$log"; done`,
    'cat -- "$log"',
    `kept=$(ls -1 -- "$d/runs" | wc -l); b=$(grep -c '^removed backup ' "$log"); s=$(grep -c ` +
      `'^removed staged ' "$log")`,
    `kb=$(du -sk -- "$d/backups" "$d/staging" 2>/dev/null | awk '{ t += $1 } END { print t + 0 }')`,
    `printf 'lrroll: kept %s run(s); removed %s backup(s) and %s staged file(s); %s KiB left in ` +
      `backups and staging\\n' "$((kept))" "$((b))" "$((s))" "$kb"`,
  ].join('\n');
}

/**
 * Prints `lrroll-footprint <bytes> <backups>`: the size of the backups and staged files under `.lrroll`, and how many
 * backups there are. Read-only.
 */
export function footprintCommand(liferayHome: string): string {
  return [
    `d=${shq(lrrollDir(liferayHome))}`,
    `kb=$(du -sk -- "$d/backups" "$d/staging" 2>/dev/null | awk '{ t += $1 } END { print t + 0 }')`,
    'c=0; for b in "$d"/backups/*; do [ -d "$b" ] && c=$((c + 1)); done',
    `printf 'lrroll-footprint %s %s\\n' "$((kb * 1024))" "$c"`,
  ].join('\n');
}
