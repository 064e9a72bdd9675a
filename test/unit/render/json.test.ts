import { describe, expect, it } from 'vitest';
import { JsonRenderer } from '../../../src/render/json.js';
import { captureIo, feed, FIXTURES, fixtureText, readEvents } from './helpers.js';

describe('json renderer', () => {
  it.each(FIXTURES)(
    '%s: writes every event as one NDJSON line exactly as emitted, and nothing else',
    async (fixture) => {
      const io = captureIo({ isTTY: true });
      await feed(new JsonRenderer(io), readEvents(fixture));
      expect(io.text()).toBe(fixtureText(fixture));
    },
  );

  it('every line starts with the version, the time and the kind', async () => {
    const io = captureIo();
    await feed(new JsonRenderer(io), readEvents('refused-preflight.ndjson'));
    for (const line of io.text().trimEnd().split('\n')) expect(line).toMatch(/^\{"v":3,"at":"[^"]+","kind":"[a-z-]+"/);
  });
});
