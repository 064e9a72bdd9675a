// Several load-balancer instances in the plan: their names, and every LB step addressed to each.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import { TIMINGS } from '../../../src/plan/defaults.js';
import { shownLbUrl } from '../../../src/domain/lb-url.js';
import { renderPlanText } from '../../../src/render/plan-text.js';

process.env['GIT_OPTIONAL_LOCKS'] = '0';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-lb-instances-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function plan(lb: string) {
  const file = join(dir, 'p.yml');
  writeFileSync(
    file,
    `lrroll: 1\nname: pair\ninventory:\n  nodes:\n    - name: node1\n    - name: ` +
      `node2\nloadBalancer:\n${lb}change:\n  type: restart\n`,
  );
  const out = await planPlaybook(file, { vars: {}, limit: null });
  expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return out.plan!;
}

describe('load-balancer instances in the plan', () => {
  it('one load balancer is one instance, named after its socket', async () => {
    const p = await plan('  type: haproxy\n  socket: /run/haproxy/admin.sock\n  backend: liferay\n');
    expect(p.loadBalancer.instances).toEqual([
      { name: '/run/haproxy/admin.sock', endpoint: '/run/haproxy/admin.sock', via: null, wrapper: null },
    ]);
    const drain = p.batches[0]?.nodePlans[0]?.steps.find((s) => s.action === 'lb-drain');
    expect(drain).toMatchObject({
      title: 'drain node1 in the load balancer',
      api: 'set server liferay/node1 state drain',
    });
  });

  it(
    'an Apache pair: named after the URL hosts (never the user info), each URL in every call, every ' + 'secret needed',
    async () => {
      const p = await plan(
        '  type: apache\n  balancer: liferay\n  instances:\n    - url: ' +
          'http://ops:${LB_PW}@lb1.internal/balancer-manager\n    - url: ' +
          'http://lb2.internal:8080/balancer-manager\n',
      );
      expect(p.loadBalancer.instances.map((i) => i.name)).toEqual(['lb1.internal', 'lb2.internal:8080']);
      const steps = p.batches[0]?.nodePlans[0]?.steps ?? [];
      const drain = steps.find((s) => s.action === 'lb-drain');
      expect(drain?.title).toBe('drain node1 in every load balancer (lb1.internal, lb2.internal:8080)');
      const change = (u: string): string =>
        `GET ${u}?xml=1 (worker and nonce of node1); GET ${u}` +
        `?b=liferay (the nonce, when the XML has none); POST ${u}` +
        ` b=liferay&w={worker}&nonce={nonce}&w_status_N=1; GET ${u}?xml=1 (node1 is now Drn)`;
      expect(drain?.api).toBe(
        `${change('http://ops:${LB_PW}@lb1.internal/balancer-manager')}; ` +
          `${change('http://lb2.internal:8080/balancer-manager')}`,
      );
      expect(drain?.secretEnv).toEqual(['LB_PW']);
      expect(steps.find((s) => s.action === 'lb-wait-up')?.title).toBe(
        'wait until every load balancer (lb1.internal, lb2.internal:8080) reports node1 UP',
      );
      expect(p.secrets).toContain('LB_PW');
    },
  );

  it('an HAProxy pair: named after the via hosts; two sockets on one host get #2', async () => {
    const viaPair = await plan(
      '  type: haproxy\n  backend: liferay\n  instances:\n    - socket: /run/haproxy/admin.sock\n     ' +
        ' via: { host: lb1.example.net }\n    - socket: /run/haproxy/admin.sock\n      via: { host: ' +
        'lb2.example.net }\n',
    );
    expect(viaPair.loadBalancer.instances.map((i) => i.name)).toEqual(['lb1.example.net', 'lb2.example.net']);
    expect(viaPair.loadBalancer.via?.host).toBe('lb1.example.net');
    const sameHost = await plan(
      '  type: haproxy\n  backend: liferay\n  instances:\n    - socket: /run/haproxy/a.sock\n      ' +
        'via: { host: lb }\n    - socket: /run/haproxy/b.sock\n      via: { host: lb }\n',
    );
    expect(sameHost.loadBalancer.instances.map((i) => i.name)).toEqual(['lb', 'lb#2']);
    const drain = sameHost.batches[0]?.nodePlans[0]?.steps.find((s) => s.action === 'lb-drain');
    expect(drain?.api).toBe('set server liferay/node1 state drain (on lb, lb#2)');
  });

  it(
    'HAProxy over `via`: the plan carries the socat command with a quoted {request}, its wait and every ' +
      'deadline from TIMINGS',
    async () => {
      const p = await plan(
        '  type: haproxy\n  backend: liferay\n  socket: ipv4@127.0.0.1:9999\n  via: { host: lb1.example.net }\n',
      );
      expect(p.loadBalancer.instances[0]?.wrapper).toBe(
        `printf '%s\\n' {request} | socat -t ${TIMINGS.lbSocatIdleSec} stdio TCP4:127.0.0.1:9999`,
      );
      expect(p.loadBalancer).toMatchObject({
        requestTimeoutSec: TIMINGS.lbRequestSec,
        commandTimeoutSec: TIMINGS.lbCommandSec,
      });
      expect(renderPlanText(p, { chalk: new Chalk({ level: 0 }), full: false })).toContain(
        `each request (≤ 10s): printf '%s\\n' {request} | socat -t 5 stdio TCP4:127.0.0.1:9999`,
      );
      // Opened from this machine, there is no command to show.
      expect(
        (await plan('  type: haproxy\n  backend: liferay\n  socket: /run/haproxy/admin.sock\n')).loadBalancer
          .instances[0]?.wrapper,
      ).toBeNull();
    },
  );

  it(
    'a socket socat cannot address is a located error of the plan, not a failure halfway through the ' + 'run',
    async () => {
      const file = join(dir, 'p.yml');
      writeFileSync(
        file,
        `lrroll: 1\nname: pair\ninventory:\n  nodes:\n    - name: node1\n    - name: ` +
          `node2\nloadBalancer:\n  type: haproxy\n  backend: liferay\n  socket: /run/a,b.sock\n  via: { ` +
          `host: lb1 }\nchange:\n  type: restart\n`,
      );
      const out = await planPlaybook(file, { vars: {}, limit: null });
      expect(out.diagnostics.filter((d) => d.severity === 'error')).toMatchObject([
        { code: 'E_LB_INSTANCE', summary: expect.stringContaining('socat cannot take'), source: { line: 10, col: 11 } },
      ]);
    },
  );

  it('an inline password in a balancer URL is masked in the API text; a ${NAME} reference is kept', async () => {
    const p = await plan('  type: mod_jk\n  balancer: loadbalancer\n  url: http://ops:hunter2@lb1/jkstatus\n');
    const drain = p.batches[0]?.nodePlans[0]?.steps.find((s) => s.action === 'lb-drain');
    expect(drain?.api).toBe('GET http://ops:***@lb1/jkstatus?cmd=update&mime=prop&w=loadbalancer&sw=node1&vwa=1');
    expect(shownLbUrl('http://ops:${LB_PW}@lb1/x')).toBe('http://ops:${LB_PW}@lb1/x');
    expect(shownLbUrl('https://u:p%40ss@lb1:8443/x')).toBe('https://u:***@lb1:8443/x');
    expect(shownLbUrl('http://lb1/x')).toBe('http://lb1/x');
  });
});
