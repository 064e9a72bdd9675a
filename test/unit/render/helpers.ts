import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RunEvent } from '../../../src/execute/events.js';
import type { Renderer, RenderIo } from '../../../src/render/renderer.js';

/** test/fixtures/events: recorded event streams (NDJSON). */
export const EVENTS_DIR = fileURLToPath(new URL('../../fixtures/events/', import.meta.url));

/** The fixture files, sorted. */
export const FIXTURES = readdirSync(EVENTS_DIR)
  .filter((f) => f.endsWith('.ndjson'))
  .sort();

/** The raw text of a fixture. */
export function fixtureText(name: string): string {
  return readFileSync(`${EVENTS_DIR}${name}`, 'utf8');
}

/** A fixture's events (their shape is checked against schemas/events.schema.json in events-schema.test.ts). */
export function readEvents(name: string): RunEvent[] {
  return fixtureText(name)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RunEvent);
}

/** An io that records what is written (zx's fake `write` stream). */
export interface CapturedIo extends RenderIo {
  text(): string;
}

/** A captured io; not a terminal and no CI unless overridden. */
export function captureIo(overrides: Partial<RenderIo> = {}): CapturedIo {
  const chunks: string[] = [];
  return {
    write: (t) => void chunks.push(t),
    isTTY: false,
    columns: 120,
    env: {},
    ...overrides,
    text: () => chunks.join(''),
  };
}

/** Feeds a whole stream to a renderer, the way the app does: start, every event, end. */
export async function feed(renderer: Renderer, events: readonly RunEvent[]): Promise<void> {
  renderer.start();
  for (const e of events) renderer.onEvent(e);
  await renderer.end();
}
