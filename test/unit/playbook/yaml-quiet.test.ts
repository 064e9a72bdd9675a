/**
 * The YAML library reports what it finds to lrroll, never to the terminal itself: a mapping key that is a collection
 * (`? [a, b]`) is an unknown key lrroll reports with its position, not also a stray Node warning on stderr.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseYaml } from '../../../src/playbook/load.js';
import { applyOverrides } from '../../../src/playbook/overrides.js';

describe('YAML input leaves stderr to lrroll', () => {
  afterEach(() => vi.restoreAllMocks());

  const spies = () => ({
    emit: vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined),
    warn: vi.spyOn(console, 'warn').mockImplementation(() => undefined),
  });

  it('a playbook with a collection as a key', () => {
    const { emit, warn } = spies();
    const parsed = parseYaml('lrroll: 1\n? [a, b]\n: 1\n', 'p.yml');
    expect(parsed.data).toMatchObject({ lrroll: 1, '[ a, b ]': 1 });
    expect(emit).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
  });

  it('a --set value with a collection as a key', () => {
    const { emit, warn } = spies();
    const parsed = parseYaml('lrroll: 1\nrollout:\n  serial: 1\n', 'p.yml');
    const out = applyOverrides(parsed.data, parsed.sourceMap, ['rollout.serial={[a]: 1}']);
    expect(out.diagnostics).toEqual([]);
    expect(emit).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
  });
});
