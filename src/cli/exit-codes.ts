/** The only place exit numbers live (SPEC §5). */
export const EXIT_CODES = {
  /** Done. */
  ok: 0,
  /** The run failed or halted. */
  failed: 1,
  /** Invalid input or usage. */
  invalid: 2,
  /** Refused before any change: not eligible, window closed, lock held, preflight failed. */
  refused: 3,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;
