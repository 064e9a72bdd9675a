// The requests the balancer-manager and status-worker drivers send are the plan's: each one the
// driver reports to the recorder (as `LRROLL_RECORD_REMOTE` writes it) is a request named by the
// plan step it runs for, once the plan's `{worker}` and `{nonce}` are filled; credentials never show.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import { createLbDriver } from '../../../src/execute/lb/factory.js';
import type { Plan, Step } from '../../../src/plan/types.js';
import { unplannedReason } from '../../e2e/helpers/fidelity.js';
import { liferayBalancers, startFakeBalancerManager } from './fake-balancer-manager.js';

process.env['GIT_OPTIONAL_LOCKS'] = '0';
let dir: string;
const closers: Array<() => Promise<void>> = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-lb-recorded-'));
});
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  rmSync(dir, { recursive: true, force: true });
});

async function planOf(lb: string): Promise<Plan> {
  const file = join(dir, 'p.yml');
  writeFileSync(
    file,
    `lrroll: 1\nname: rec\ninventory:\n  nodes:\n    - name: node1\n    - name: ` +
      `node2\nloadBalancer:\n${lb}change:\n  type: restart\n`,
  );
  const out = await planPlaybook(file, { vars: {}, limit: null });
  expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return out.plan as Plan;
}

/** node1's LB steps by action, as the recorder's matcher sees them. */
function lbSteps(plan: Plan): Map<string, Step> {
  const steps = plan.batches[0]?.nodePlans[0]?.steps ?? [];
  return new Map(steps.filter((s) => s.action.startsWith('lb-')).map((s) => [s.id, s]));
}

describe('the HTTP load-balancer drivers record what they send, as the plan names it', () => {
  for (const xmlNonce of [true, false]) {
    it(
      `Apache balancer-manager${xmlNonce ? '' : ' whose XML has no nonce'}` +
        `: drain, disable, enable and the reads are the plan's requests`,
      async () => {
        const f = await startFakeBalancerManager({ balancers: liferayBalancers(), basicAuth: 'ops:s3cret', xmlNonce });
        closers.push(f.close);
        const shown = f.url.replace('http://', 'http://ops:${LB_PW}@');
        const plan = await planOf(`  type: apache\n  balancer: liferay\n  url: ${shown}\n`);
        const sent: Array<{ target: string; request: string }> = [];
        const driver = createLbDriver({
          lb: plan.loadBalancer,
          transport: null as never,
          secrets: { LB_PW: 's3cret' },
          onRequest: (target, request) => sent.push({ target, request }),
        });
        const steps = lbSteps(plan);
        const id = (action: string): string => [...steps.values()].find((s) => s.action === action)?.id ?? '';
        const run = async (action: string, act: () => Promise<unknown> | undefined): Promise<void> => {
          const from = sent.length;
          await act();
          const mine = sent.slice(from);
          expect(mine.length, action).toBeGreaterThan(0);
          for (const r of mine)
            expect(
              unplannedReason({ kind: 'lb', target: r.target, text: r.request, stepId: id(action) }, steps),
              `${action}: ${r.request}`,
            ).toBeNull();
        };
        await run('lb-drain', () => driver?.drain('node1'));
        await run('lb-wait-drained', () => driver?.state('node1'));
        await run('lb-enable', () => driver?.enable('node1'));
        await run('lb-wait-up', () => driver?.state('node1'));
        expect(sent.map((s) => s.request)).toContain(
          `POST ${shown} b=liferay&w=${encodeURIComponent('http://127.0.0.1:8081')}` +
            `&nonce=6e5f9a3c-4b1d-4f2e-9c7a-0d3b2a1e5f60&w_status_N=1`,
        );
        expect(sent.some((s) => s.request === `GET ${shown}?b=liferay`)).toBe(!xmlNonce);
        expect(sent.every((s) => s.target === shown && !s.request.includes('s3cret'))).toBe(true);
        // A request the plan does not name is caught: the matcher is not a blanket yes.
        expect(
          unplannedReason(
            {
              kind: 'lb',
              target: shown,
              text: `POST ${shown} b=liferay&w=x&nonce=n&w_status_D=1`,
              stepId: id('lb-drain'),
            },
            steps,
          ),
        ).toMatch(/LB request not in/);
      },
    );
  }

  it('an inline password is masked in what is recorded, the same way the plan shows it', async () => {
    const f = await startFakeBalancerManager({ balancers: liferayBalancers(), basicAuth: 'ops:s3cret' });
    closers.push(f.close);
    const plan = await planOf(
      `  type: apache\n  balancer: liferay\n  url: ${f.url.replace('http://', 'http://ops:s3cret@')}\n`,
    );
    const sent: string[] = [];
    await createLbDriver({
      lb: plan.loadBalancer,
      transport: null as never,
      onRequest: (_t, r) => sent.push(r),
    })?.state('node1');
    expect(sent).toEqual([`GET ${f.url.replace('http://', 'http://ops:***@')}?xml=1`]);
    expect(String(lbSteps(plan).values().next().value?.api)).toContain('http://ops:***@');
  });
});
