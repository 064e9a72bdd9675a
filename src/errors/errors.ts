/** Stable codes of failures during a run. */
export type LrrollErrorCode =
  | 'E_CONNECT'
  | 'E_AUTH'
  | 'E_HOST_KEY_UNKNOWN'
  | 'E_HOST_KEY_CHANGED'
  | 'E_STEP_FAILED'
  | 'E_TIMEOUT'
  | 'E_LB'
  | 'E_ABORTED'
  | 'E_PREFLIGHT'
  | 'E_SECRET_MISSING';

/** A failure during a run: a clear message, a stable code, no stack trace shown to the user. */
export class LrrollError extends Error {
  override name = 'LrrollError';

  constructor(
    readonly code: LrrollErrorCode,
    message: string,
    /** What to do about it. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A host could not be reached or authenticated (Ansible's UNREACHABLE). */
export class ConnectionError extends LrrollError {
  override name = 'ConnectionError';
}

/** A load-balancer call failed. */
export class LbError extends LrrollError {
  override name = 'LbError';

  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super('E_LB', message, hint, options);
  }
}

/** True for errors lrroll raised on purpose (shown without a stack trace). */
export function isLrrollError(err: unknown): err is LrrollError {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'string' && code.startsWith('E_');
}
