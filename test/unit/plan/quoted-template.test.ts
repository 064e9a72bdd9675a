/**
 * The error for a `{{ … }}` template inside quotes in a shell command points at where that
 * template is written: inventory defaults shared by every node (reported once), a node's own
 * service, a command load balancer's field, the right line of a block scalar, an inventory file.
 */
import { describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';

async function quotedWarnings(file: string): Promise<string[]> {
  const outcome = await planPlaybook(file, { vars: {}, limit: null });
  const quoted = outcome.diagnostics.filter((d) => /template is inside quotes/.test(d.summary));
  expect(quoted.every((d) => d.code === 'E_TEMPLATE' && d.severity === 'error')).toBe(true);
  return quoted.map((d) => `${d.source?.file.split('/').pop()}:${d.source?.line}:${d.source?.col}`);
}

describe('the quoted-template error points at the template', () => {
  it("in the inventory defaults (once for both nodes) and in a node's own service", async () => {
    expect(await quotedWarnings('test/fixtures/playbooks/quoted-templates/quoted-templates.yml')).toEqual([
      'quoted-templates.yml:12:15',
      'quoted-templates.yml:17:20',
    ]);
  });

  it("in a command load balancer's field", async () => {
    expect(await quotedWarnings('test/fixtures/playbooks/quoted-templates/quoted-lb.yml')).toEqual([
      'quoted-lb.yml:12:11',
    ]);
  });

  it('on its own line inside a block scalar', async () => {
    expect(await quotedWarnings('test/fixtures/playbooks/quoted-templates/quoted-block.yml')).toEqual([
      'quoted-block.yml:14:9',
    ]);
  });

  it('in the defaults of an lrroll inventory file', async () => {
    expect(await quotedWarnings('test/fixtures/playbooks/quoted-templates/quoted-in-inventory.yml')).toEqual([
      'quoted-inventory.yml:8:13',
    ]);
  });
});
