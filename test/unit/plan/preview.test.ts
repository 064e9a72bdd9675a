import { describe, expect, it } from 'vitest';
import { parsePatchList, patchesAfter, type ChangePreview } from '../../../src/plan/preview.js';

type PatchesPreview = Extract<ChangePreview, { kind: 'patches' }>;
const p = (over: Partial<PatchesPreview>): PatchesPreview => ({
  kind: 'patches',
  change: 0,
  home: '/opt/liferay',
  profile: null,
  add: null,
  remove: null,
  fixpack: false,
  ...over,
});

describe('the patch level a patch change leaves', () => {
  it.each([
    [[], p({ add: 'dxp-15-7210', fixpack: true }), ['dxp-15-7210']],
    [['dxp-14-7210'], p({ add: 'dxp-15-7210', fixpack: true }), ['dxp-15-7210']],
    [
      ['dxp-14-7210', 'hotfix-1234-7210'],
      p({ add: 'dxp-15-7210', fixpack: true }),
      ['hotfix-1234-7210', 'dxp-15-7210'],
    ],
    [['dxp-14-7210'], p({ add: 'hotfix-1234-7210' }), ['dxp-14-7210', 'hotfix-1234-7210']],
    [['dxp-15-7210', 'hotfix-1234-7210'], p({ remove: 'hotfix-1234' }), ['dxp-15-7210']],
    [['dxp-15-7210'], p({ remove: 'liferay-hotfix-99-7210.zip' }), ['dxp-15-7210']],
    [['de-28-7010'], p({ add: 'dxp-2-7110', fixpack: true }), ['de-28-7010', 'dxp-2-7110']],
  ])('%j + %j → %j', (current, preview, after) => {
    expect(patchesAfter(current, preview)).toEqual(after);
  });

  it('reads the Patching Tool list', () => {
    expect(parsePatchList('dxp-15-7210, hotfix-1234-7210')).toEqual(['dxp-15-7210', 'hotfix-1234-7210']);
    expect(parsePatchList('')).toEqual([]);
  });
});
