// The README's list of what the end-to-end tests need, `.ci/run`'s apt line and what the test
// cluster checks before it starts must be the same list.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLUSTER_PREREQUISITES } from '../../cluster/cluster.js';

const ROOT = join(import.meta.dirname, '../../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const APT = /apt-get install[^\n]*/.exec(readFileSync(join(ROOT, '.ci/run'), 'utf8'))?.[0] ?? '';
/** Programs the sudo test needs besides the cluster's. */
const SUDO_TEST = ['sudo', 'openssl'];

describe('end-to-end prerequisites', () => {
  it.each(CLUSTER_PREREQUISITES.map((p) => [p.program, p.pkg, p.essential === true] as const))(
    '%s (%s) is in the README and installed by .ci/run',
    (program, pkg, essential) => {
      expect(README).toContain(`\`${program}\``);
      expect(README).toContain(`\`${pkg}\``);
      if (!essential) expect(APT.split(/\s+/)).toContain(pkg);
    },
  );

  it.each(SUDO_TEST)('%s (the sudo test) is in the README and installed by .ci/run', (program) => {
    expect(README).toContain(`\`${program}\``);
    expect(APT.split(/\s+/)).toContain(program);
  });

  it('the README names the kernel capability the mount namespaces need', () => {
    expect(README).toMatch(/CAP_SYS_ADMIN/);
    expect(README).toMatch(/root/);
  });
});
