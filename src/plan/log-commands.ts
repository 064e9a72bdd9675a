import { shq } from '../shell/quote.js';
import { TIMINGS } from './defaults.js';
import type { LogGateCommands, SideCommand } from './types.js';

// The commands the log gates and the canary bake run besides a step's own command. They are part
// of the plan, so `lrroll plan` shows them; the one value known only at run time — where the log
// ended before this start — is the named placeholder `{firstByte}`, filled by the executor.

/** Placeholder for the first byte of a log written after this start (its size before the start, plus 1). */
const FIRST_BYTE = '{firstByte}';

/** Prints the log's size in bytes (0 when it does not exist yet). */
export function logSizeCommand(log: string, become: boolean): SideCommand {
  return {
    command: `if [ -f ${shq(log)} ]; then wc -c < ${shq(log)}; else echo 0; fi`,
    become,
    timeoutSec: TIMINGS.remoteCheckSec,
  };
}

/** Follows the log from the first byte this start wrote, as lines arrive, until the gate stops it. */
function followLogCommand(log: string, become: boolean, timeoutSec: number): SideCommand {
  return { command: `exec tail -c +${FIRST_BYTE} -F ${shq(log)} 2>/dev/null`, become, timeoutSec };
}

/** The first lines written since the bake began that match the error pattern (at most 3). */
export function errorScanCommand(log: string, pattern: string): SideCommand {
  return {
    command: `tail -c +${FIRST_BYTE} ${shq(log)} 2>/dev/null | grep -E -m 3 -e ${shq(pattern)}`,
    become: false,
    timeoutSec: TIMINGS.remoteCheckSec,
  };
}

/** What a log gate runs: the follow, and the process watch that fails the gate when the app server exits. */
export function logGateCommands(
  log: string,
  become: boolean,
  timeoutSec: number,
  service: { status: string; become: boolean },
): LogGateCommands {
  return {
    follow: followLogCommand(log, become, timeoutSec),
    processWatch: {
      command: service.status,
      become: service.become,
      timeoutSec: TIMINGS.processWatchTimeoutSec,
      intervalSec: TIMINGS.processWatchIntervalSec,
    },
    heartbeatSec: TIMINGS.gateHeartbeatSec,
  };
}
