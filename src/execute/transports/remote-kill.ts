/**
 * Stopping a remote command for good: OpenSSH ignores signal requests for many logins, so the command reports its pid
 * and process group first, and a second command kills them.
 */

/** Marks the line on which a remote command reports its pid and process group (removed from its output). */
export const PID_MARK = '__lrroll_pid:';

/**
 * Prints the mark, the shell's pid and its process group (from /proc, with builtins only: no fork
 * per command). The group holds every process of the command, sudo's included, even after the
 * shell that reported it is gone; where /proc is missing the group is looked up when killing.
 */
export const REPORT_PID =
  `__lrroll_g=; if IFS= read -r __lrroll_s < /proc/$$/stat 2>/dev/null; then ` +
  `__lrroll_s=\${__lrroll_s##*) }; __lrroll_s=\${__lrroll_s#* * }; ` +
  `__lrroll_g=\${__lrroll_s%% *}; fi; echo "${PID_MARK}$$ $__lrroll_g" >&2`;

/** The script that kills a remote command's process group (and the process itself); `reported` is `<pid> <pgid>`. */
export function killScript(reported: string): string | null {
  const m = /^(\d+)(?: (\d+))?$/.exec(reported.trim());
  if (!m) return null;
  const [, pid, group] = m;
  // `kill -s KILL -- -N`: dash's kill rejects `kill -KILL -- -N` ("Illegal number"), which left the group alive.
  const byGroup = group ? `kill -s KILL -- -${group} 2>/dev/null; ` : '';
  return (
    `${byGroup}g=$(ps -o pgid= -p ${pid} 2>/dev/null | tr -d ' '); [ -n "$g" ] && kill ` +
    `-s KILL -- -"$g" 2>/dev/null; kill -s KILL ${pid} 2>/dev/null; true`
  );
}
