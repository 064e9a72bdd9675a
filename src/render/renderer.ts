import type { RunEvent } from '../execute/events.js';

/** A view of a run: subscribes to the executor's events and prints them (listr2 tree, plain lines or NDJSON). */
export interface Renderer {
  /** Called once before the first event. */
  start(): void;
  /** Called for every event, in the order the executor emitted them. */
  onEvent(e: RunEvent): void;
  /** Called once after the last event (normally `run-end`); resolves when everything is written. */
  end(): Promise<void>;
}

/** Where a renderer writes, and what it knows about that terminal. Injected by cli/, faked by tests. */
export interface RenderIo {
  /** Writes text to stdout as is (the renderer adds the newlines). */
  write(text: string): void;
  /** True when stdout is a terminal. */
  isTTY: boolean;
  /** Terminal width, when known. */
  columns?: number;
  /** Terminal height, when known (listr2 cuts its frame to it; 24 when unknown). */
  rows?: number;
  /**
   * Writes what the operator is told beside the progress (the cluster lock, reconcile): stderr on the command line, so
   * stdout keeps only the progress (or NDJSON). Defaults to `write`.
   */
  note?(text: string): void;
  /** The environment (CI, NO_COLOR, FORCE_COLOR). */
  env: Record<string, string | undefined>;
}

/**
 * The events that carry a note for the operator (lock, reconcile), and its text; null for the others (a lock taken or
 * released as planned is no news).
 */
function noteOf(e: RunEvent): string | null {
  if (e.kind === 'lock')
    return e.state === 'taken' || e.state === 'released' || e.state === 'refreshed' ? null : e.text;
  return e.kind === 'reconcile' ? e.text : null;
}

/** Writes an event's note where `io` wants notes. */
export function writeNote(io: RenderIo, e: RunEvent): void {
  const text = noteOf(e);
  if (text !== null) (io.note ?? io.write)(`${text}\n`);
}
