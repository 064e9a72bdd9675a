import { describe, expect, it } from 'vitest';
import { JsonRenderer } from '../../../src/render/json.js';
import { ListrView } from '../../../src/render/listr.js';
import { PlainRenderer } from '../../../src/render/plain.js';
import { isCi, selectRenderer } from '../../../src/render/select.js';
import { captureIo, feed, readEvents } from './helpers.js';

describe('selectRenderer', () => {
  it.each([
    ['auto on a terminal outside CI', 'auto', true, {}, ListrView],
    ['auto when stdout is not a terminal', 'auto', false, {}, PlainRenderer],
    ['auto with CI=true', 'auto', true, { CI: 'true' }, PlainRenderer],
    ['auto with CI=1', 'auto', true, { CI: '1' }, PlainRenderer],
    ['auto with CI=false', 'auto', true, { CI: 'false' }, ListrView],
    ['listr when asked', 'listr', true, {}, ListrView],
    ['plain when asked, on a terminal', 'plain', true, {}, PlainRenderer],
    ['json when asked, on a terminal', 'json', true, {}, JsonRenderer],
    ['json when asked, in CI', 'json', false, { CI: 'true' }, JsonRenderer],
  ] as const)('%s', (_name, mode, isTTY, env, expected) => {
    expect(selectRenderer(mode, captureIo({ isTTY, env }))).toBeInstanceOf(expected);
  });

  it('isCi: set to anything but empty, 0 or false', () => {
    expect([undefined, '', '0', 'false', 'FALSE', 'true', '1', 'github'].map((CI) => isCi({ CI }))).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      true,
    ]);
  });

  it('plain output has colours on a terminal and none with NO_COLOR', async () => {
    const events = readEvents('refused-preflight.ndjson');
    const colour = captureIo({ isTTY: true, env: { CI: 'true' } });
    await feed(selectRenderer('auto', colour), events);
    expect(colour.text()).toMatch(/\u001b\[/);
    const plain = captureIo({ isTTY: true, env: { CI: 'true', NO_COLOR: '1' } });
    await feed(selectRenderer('auto', plain), events);
    expect(plain.text()).not.toMatch(/\u001b\[/);
  });

  it('FORCE_COLOR colours plain output even when piped', async () => {
    const io = captureIo({ isTTY: false, env: { FORCE_COLOR: '1' } });
    await feed(selectRenderer('plain', io), readEvents('refused-preflight.ndjson'));
    expect(io.text()).toMatch(/\u001b\[/);
  });

  it('passes verbose to the plain renderer', async () => {
    const io = captureIo();
    await feed(selectRenderer('plain', io, { verbose: true }), readEvents('rolling-ok.ndjson'));
    expect(io.text()).toContain('| Using CATALINA_BASE:   /opt/liferay/tomcat-9.0.83');
  });
});
