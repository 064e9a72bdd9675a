// Several load-balancer instances in the plan: their names, and every LB step addressed to each.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';

process.env['GIT_OPTIONAL_LOCKS'] = '0';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-lb-instances-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function plan(lb: string) {
  const file = join(dir, 'p.yml');
  writeFileSync(file, `lrroll: 1\nname: pair\ninventory:\n  nodes:\n    - name: node1\n    - name: node2\nloadBalancer:\n${lb}change:\n  type: restart\n`);
  const out = await planPlaybook(file, { vars: {}, limit: null });
  expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return out.plan!;
}

describe('load-balancer instances in the plan', () => {
  it('one load balancer is one instance, named after its socket', async () => {
    const p = await plan('  type: haproxy\n  socket: /run/haproxy/admin.sock\n  backend: liferay\n');
    expect(p.loadBalancer.instances).toEqual([{ name: '/run/haproxy/admin.sock', endpoint: '/run/haproxy/admin.sock', via: null }]);
    const drain = p.batches[0]?.nodePlans[0]?.steps.find((s) => s.action === 'lb-drain');
    expect(drain).toMatchObject({ title: 'drain node1 in the load balancer', api: 'set server liferay/node1 state drain' });
  });

  it('an Apache pair: named after the URL hosts (never the user info), each URL in every call, every secret needed', async () => {
    const p = await plan('  type: apache\n  balancer: liferay\n  instances:\n    - url: http://ops:${LB_PW}@lb1.internal/balancer-manager\n    - url: http://lb2.internal:8080/balancer-manager\n');
    expect(p.loadBalancer.instances.map((i) => i.name)).toEqual(['lb1.internal', 'lb2.internal:8080']);
    const steps = p.batches[0]?.nodePlans[0]?.steps ?? [];
    const drain = steps.find((s) => s.action === 'lb-drain');
    expect(drain?.title).toBe('drain node1 in every load balancer (lb1.internal, lb2.internal:8080)');
    expect(drain?.api).toBe('POST http://ops:${LB_PW}@lb1.internal/balancer-manager b=liferay&w=node1&w_status_N=1; POST http://lb2.internal:8080/balancer-manager b=liferay&w=node1&w_status_N=1');
    expect(drain?.secretEnv).toEqual(['LB_PW']);
    expect(steps.find((s) => s.action === 'lb-wait-up')?.title).toBe('wait until every load balancer (lb1.internal, lb2.internal:8080) reports node1 UP');
    expect(p.secrets).toContain('LB_PW');
  });

  it('an HAProxy pair: named after the via hosts; two sockets on one host get #2', async () => {
    const viaPair = await plan('  type: haproxy\n  backend: liferay\n  instances:\n    - socket: /run/haproxy/admin.sock\n      via: { host: lb1.example.net }\n    - socket: /run/haproxy/admin.sock\n      via: { host: lb2.example.net }\n');
    expect(viaPair.loadBalancer.instances.map((i) => i.name)).toEqual(['lb1.example.net', 'lb2.example.net']);
    expect(viaPair.loadBalancer.via?.host).toBe('lb1.example.net');
    const sameHost = await plan('  type: haproxy\n  backend: liferay\n  instances:\n    - socket: /run/haproxy/a.sock\n      via: { host: lb }\n    - socket: /run/haproxy/b.sock\n      via: { host: lb }\n');
    expect(sameHost.loadBalancer.instances.map((i) => i.name)).toEqual(['lb', 'lb#2']);
    const drain = sameHost.batches[0]?.nodePlans[0]?.steps.find((s) => s.action === 'lb-drain');
    expect(drain?.api).toBe('set server liferay/node1 state drain (on lb, lb#2)');
  });
});
