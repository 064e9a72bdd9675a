import { appendFileSync } from 'node:fs';
import { currentStepId } from '../step-scope.js';
import type { ExecOptions, ExecResult, Transport } from '../transport.js';

/**
 * One remote action actually sent: a command, a file upload or a load-balancer API request, and the plan step it
 * belongs to.
 */
interface RecordedAction {
  kind: 'exec' | 'put' | 'lb';
  /** Where it went: the transport's description, or the load balancer's address. */
  target: string;
  /**
   * The command as given to the transport (before sudo and secret framing), `<local> -> <remote>` for an upload, the
   * API request for a load balancer.
   */
  text: string;
  /** The plan step it was sent for, or null outside a step. */
  stepId: string | null;
  become?: boolean;
}

/**
 * Appends every remote action to an NDJSON file as it is sent (one line each, written at once so a
 * run that is killed keeps what it sent). It wraps the real transports and load-balancer drivers, so
 * what it records is what went out, not what a test expected: an audit of a run against its plan.
 */
export class RemoteRecorder {
  constructor(private readonly file: string) {}

  record(action: RecordedAction): void {
    appendFileSync(this.file, `${JSON.stringify(action)}\n`);
  }

  /** The same transport, recording each command and upload before sending it. */
  transport(inner: Transport): Transport {
    const recorder = this;
    return {
      get describe() {
        return inner.describe;
      },
      connect: (signal) => inner.connect(signal),
      exec(command: string, options: ExecOptions): Promise<ExecResult> {
        recorder.record({
          kind: 'exec',
          target: inner.describe,
          text: command,
          stepId: currentStepId(),
          become: options.become === true,
        });
        return inner.exec(command, options);
      },
      put(localPath, remotePath, options) {
        recorder.record({
          kind: 'put',
          target: inner.describe,
          text: `${localPath} -> ${remotePath}`,
          stepId: currentStepId(),
        });
        return inner.put(localPath, remotePath, options);
      },
      close: () => inner.close(),
    };
  }

  /** Records a load-balancer API request (the drivers call it as they send one). */
  lbRequest(target: string, text: string): void {
    this.record({ kind: 'lb', target, text, stepId: currentStepId() });
  }
}
