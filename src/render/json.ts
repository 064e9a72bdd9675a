import type { RunEvent } from '../execute/events.js';
import { writeNote, type Renderer, type RenderIo } from './renderer.js';

/**
 * NDJSON for machines (`--output json`): one event per line exactly as emitted, nothing else on stdout. Contract:
 * schemas/events.schema.json.
 */
export class JsonRenderer implements Renderer {
  /** Writes to `io` only. */
  constructor(private readonly io: RenderIo) {}

  /** Nothing before the first event: every stdout line is an event. */
  start(): void {}

  /** Writes the event as one line of JSON, fields in the order the executor set them. */
  onEvent(e: RunEvent): void {
    this.io.write(`${JSON.stringify(e)}\n`);
    // The operator still reads the lock's and reconcile's notes on stderr, as with the other views.
    if (this.io.note) writeNote(this.io, e);
  }

  /** No summary: the `run-end` event is the summary. */
  end(): Promise<void> {
    return Promise.resolve();
  }
}
