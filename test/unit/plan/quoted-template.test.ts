/**
 * The warning for a `{{ … }}` template inside quotes in a shell command points at the line where
 * that template is written: inventory defaults shared by every node (reported once), a node's own
 * service, a command load balancer's field, the right line of a block scalar, an inventory file.
 */
import { describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';

async function quotedWarnings(file: string): Promise<string[]> {
  const outcome = await planPlaybook(file, { vars: {}, limit: null });
  expect(outcome.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return outcome.diagnostics.filter((d) => d.code === 'W_PLAYBOOK').map((d) => `${d.source?.file.split('/').pop()}:${d.source?.line}:${d.source?.col}`);
}

describe('the quoted-template warning points at the template', () => {
  it('in defaults, a node service, a command load balancer and a block scalar', async () => {
    expect(await quotedWarnings('test/fixtures/playbooks/warnings/quoted-templates.yml')).toEqual([
      'quoted-templates.yml:13:16', // defaults.service.status, once for both nodes
      'quoted-templates.yml:18:20', // node2's own service.forceStop
      'quoted-templates.yml:23:11', // loadBalancer.status
      'quoted-templates.yml:30:9', // the second line of the block scalar
    ]);
  });

  it('in the defaults of an lrroll inventory file', async () => {
    expect(await quotedWarnings('test/fixtures/playbooks/warnings/quoted-in-inventory.yml')).toEqual(['quoted-inventory.yml:8:14']);
  });
});
