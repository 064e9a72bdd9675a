// The balancer-manager driver against a fake httpd balancer-manager on 127.0.0.1 that enforces the
// Referer and nonce guards like mod_proxy_balancer.c (see fake-balancer-manager.ts).
import { afterEach, describe, expect, it } from 'vitest';
import {
  ApacheBalancerDriver,
  findNonce,
  normaliseApacheStatus,
  parseBalancerXml,
} from '../../../src/execute/lb/apache.js';
import {
  liferayBalancers,
  startFakeBalancerManager,
  wstatus,
  type FakeBalancerOptions,
} from './fake-balancer-manager.js';

const W1 = 'http://127.0.0.1:8081';
let closers: Array<() => Promise<void>> = [];

async function fake(
  options: Partial<FakeBalancerOptions> = {},
): Promise<Awaited<ReturnType<typeof startFakeBalancerManager>> & { balancers: ReturnType<typeof liferayBalancers> }> {
  const balancers = liferayBalancers();
  const f = await startFakeBalancerManager({ balancers, ...options });
  closers.push(f.close);
  return { ...f, balancers };
}

afterEach(async () => {
  for (const c of closers) await c();
  closers = [];
});

describe('the fake balancer-manager guards like httpd', () => {
  it(
    'ignores a POST without Referer, with a foreign Referer, or with a wrong nonce (and still answers ' + '200)',
    async () => {
      const f = await fake();
      const nonce = f.balancers[0]?.nonce ?? '';
      const post = (headers: Record<string, string>, n: string): Promise<Response> =>
        fetch(f.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
          body: `b=liferay&w=${encodeURIComponent(W1)}&nonce=${n}&w_status_N=1`,
        });
      expect((await post({}, nonce)).status).toBe(200);
      expect((await post({ Referer: 'http://evil.example/balancer-manager' }, nonce)).status).toBe(200);
      expect((await post({ Referer: f.url }, 'wrong')).status).toBe(200);
      expect(f.seen.map((s) => s.applied)).toEqual([false, false, false]);
      expect(wstatus(f.balancers[0]?.workers[0] ?? { name: '', route: '', flags: new Set(), busy: 0 })).toBe(
        'Init Ok ',
      );
      await post({ Referer: f.url }, nonce);
      expect(f.seen.at(-1)?.applied).toBe(true);
    },
  );

  it('answers ?xml=1 with HTML when the Referer is missing (the parameter is dropped)', async () => {
    const f = await fake();
    expect(await (await fetch(`${f.url}?xml=1`)).text()).toMatch(/^<!DOCTYPE HTML/);
    expect(await (await fetch(`${f.url}?xml=1`, { headers: { Referer: f.url } })).text()).toMatch(/^<\?xml/);
  });
});

describe('ApacheBalancerDriver', () => {
  it('reads state and busy from ?xml=1, with the Referer header', async () => {
    const f = await fake();
    const d = new ApacheBalancerDriver({ timeoutMs: 10_000, url: f.url, balancer: 'liferay' });
    expect(await d.state(W1)).toEqual({ state: 'UP', raw: 'Init Ok', sessions: 2 });
    // Each worker under its URL and its route (the jvmRoute, the node name lrroll uses by default).
    expect([...(await d.members()).entries()]).toEqual([
      [W1, { state: 'UP', raw: 'Init Ok', sessions: 2 }],
      ['node1', { state: 'UP', raw: 'Init Ok', sessions: 2 }],
      ['http://127.0.0.1:8082', { state: 'UP', raw: 'Init Ok', sessions: 0 }],
      ['node2', { state: 'UP', raw: 'Init Ok', sessions: 0 }],
      ['http://127.0.0.1:8083', { state: 'UP', raw: 'Init Ok', sessions: 0 }],
      ['node3', { state: 'UP', raw: 'Init Ok', sessions: 0 }],
    ]);
    expect(f.seen.every((s) => s.method === 'GET' && s.url === '/balancer-manager?xml=1' && s.referer === f.url)).toBe(
      true,
    );
  });

  it(
    'drain: the nonce from the XML, POST b, w, nonce, w_status_N=1 with the Referer; the worker shows ' + 'Drn',
    async () => {
      const f = await fake();
      const d = new ApacheBalancerDriver({ timeoutMs: 10_000, url: f.url, balancer: 'liferay' });
      await d.drain(W1);
      const post = f.seen.find((s) => s.method === 'POST');
      expect(post).toMatchObject({ url: '/balancer-manager', referer: f.url, applied: true });
      expect(post?.body).toBe(`b=liferay&w=${encodeURIComponent(W1)}&nonce=${f.balancers[0]?.nonce}&w_status_N=1`);
      expect(f.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
        'GET /balancer-manager?xml=1',
        'POST /balancer-manager',
        'GET /balancer-manager?xml=1',
      ]);
      expect(await d.state(W1)).toEqual({ state: 'DRAIN', raw: 'Init Drn Ok', sessions: 2 });
    },
  );

  it('drain on an httpd whose XML has no nonce: the nonce from the balancer page', async () => {
    const f = await fake({ xmlNonce: false });
    await new ApacheBalancerDriver({ timeoutMs: 10_000, url: f.url, balancer: 'liferay' }).drain(W1);
    expect(f.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /balancer-manager?xml=1',
      'GET /balancer-manager?b=liferay',
      'POST /balancer-manager',
      'GET /balancer-manager?xml=1',
    ]);
    expect(f.seen.find((s) => s.method === 'POST')?.applied).toBe(true);
  });

  it('finds a member by its route (BalancerMember … route=node1), posting the worker URL', async () => {
    const f = await fake();
    const d = new ApacheBalancerDriver({ timeoutMs: 10_000, url: f.url, balancer: 'liferay' });
    await d.drain('node1');
    expect(f.seen.find((s) => s.method === 'POST')?.body).toBe(
      `b=liferay&w=${encodeURIComponent(W1)}&nonce=${f.balancers[0]?.nonce}&w_status_N=1`,
    );
    expect(await d.state('node1')).toEqual({ state: 'DRAIN', raw: 'Init Drn Ok', sessions: 2 });
  });

  it('disable → Stop (MAINT), enable clears N, D and S (UP)', async () => {
    const f = await fake();
    const d = new ApacheBalancerDriver({ timeoutMs: 10_000, url: f.url, balancer: 'liferay' });
    await d.drain(W1);
    await d.disable(W1, true);
    expect(await d.state(W1)).toMatchObject({ state: 'MAINT', raw: 'Init Drn Stop' });
    expect(f.seen.filter((s) => s.method === 'POST').at(-1)?.body).toMatch(/&w_status_S=1$/);
    f.balancers[0]?.workers[0]?.flags.add('D');
    await d.enable(W1);
    expect(f.seen.filter((s) => s.method === 'POST').at(-1)?.body).toMatch(/&w_status_N=0&w_status_D=0&w_status_S=0$/);
    expect(await d.state(W1)).toEqual({ state: 'UP', raw: 'Init Ok', sessions: 2 });
  });

  it('reads the nonce from the `id="nonce"` variant too', async () => {
    const f = await fake({ doubleQuotedNonce: true, xmlNonce: false });
    await new ApacheBalancerDriver({ timeoutMs: 10_000, url: f.url, balancer: 'liferay' }).drain(W1);
    expect(f.seen.find((s) => s.method === 'POST')?.applied).toBe(true);
  });

  it('an unknown worker or balancer is an error naming what exists (no POST is sent)', async () => {
    const f = await fake();
    await expect(
      new ApacheBalancerDriver({ timeoutMs: 10_000, url: f.url, balancer: 'liferay' }).drain('http://127.0.0.1:9999'),
    ).rejects.toThrow(
      'balancer `liferay` has no worker `http://127.0.0.1:9999` (workers: http://127.0.0.1:8081 ' +
        'route=node1, http://127.0.0.1:8082 route=node2, http://127.0.0.1:8083 route=node3)',
    );
    await expect(
      new ApacheBalancerDriver({ timeoutMs: 10_000, url: f.url, balancer: 'portal' }).state(W1),
    ).rejects.toThrow('has no balancer `portal` (balancers: liferay, static)');
    expect(f.seen.some((s) => s.method === 'POST')).toBe(false);
  });

  it.each([
    `${W1}&w_status_D=1`,
    `${W1}&w=http://127.0.0.1:8082&w_status_S=1`,
    `${W1}\nw_status_D=1`,
    `-${W1}`,
    `${W1};$(touch /tmp/x)`,
  ])('a hostile worker name %j is never sent: no POST, every worker unchanged', async (member) => {
    const f = await fake();
    await expect(
      new ApacheBalancerDriver({ timeoutMs: 10_000, url: f.url, balancer: 'liferay' }).drain(member),
    ).rejects.toThrow(/has no worker/);
    expect(f.seen.some((s) => s.method === 'POST')).toBe(false);
    expect(f.balancers[0]?.workers.map((w) => wstatus(w))).toEqual(['Init Ok ', 'Init Ok ', 'Init Ok ']);
  });

  it('detects a change httpd ignored (the nonce changed between the page and the POST)', async () => {
    const f = await fake({ rotateNonceAfterPage: true });
    await expect(
      new ApacheBalancerDriver({ timeoutMs: 10_000, url: f.url, balancer: 'liferay' }).drain(W1),
    ).rejects.toThrow(
      /did not apply w_status_N=1 to `http:\/\/127\.0\.0\.1:8081` \(status is now `Init Ok`\): the nonce or the Referer was not accepted/,
    );
  });

  it('explains a rejected Referer (ServerName differs from the URL host, UseCanonicalName On)', async () => {
    const f = await fake({ serverName: 'lb.example.com' });
    await expect(
      new ApacheBalancerDriver({ timeoutMs: 10_000, url: f.url, balancer: 'liferay' }).state(W1),
    ).rejects.toThrow(/did not answer \?xml=1 with XML \(was the Referer rejected\? httpd logs AH10187 then\)/);
  });

  it('turns URL credentials into Basic auth and keeps them out of messages', async () => {
    const f = await fake({ basicAuth: 'admin:s3cret' });
    const withCreds = f.url.replace('http://', 'http://admin:s3cret@');
    await new ApacheBalancerDriver({ timeoutMs: 10_000, url: withCreds, balancer: 'liferay' }).drain(W1);
    expect(f.seen.find((s) => s.method === 'POST')?.referer).toBe(f.url);
    const err = await new ApacheBalancerDriver({
      timeoutMs: 10_000,
      url: f.url.replace('http://', 'http://admin:wrong@'),
      balancer: 'liferay',
    })
      .state(W1)
      .catch((e: Error) => e);
    expect(String(err)).toMatch(/answered HTTP 401 \(access denied/);
    expect(String(err)).not.toContain('wrong');
  });

  it('honours the deadline and the AbortSignal', async () => {
    const f = await fake({ delayMs: 2000 });
    await expect(
      new ApacheBalancerDriver({ url: f.url, balancer: 'liferay', timeoutMs: 100 }).state(W1),
    ).rejects.toThrow(/did not answer within 100 ms/);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error('Ctrl-C')), 50);
    await expect(
      new ApacheBalancerDriver({ timeoutMs: 10_000, url: f.url, balancer: 'liferay' }).state(W1, ctl.signal),
    ).rejects.toThrow('Ctrl-C');
  });

  it('reports a connection failure', async () => {
    const f = await fake();
    await f.close();
    closers = [];
    await expect(
      new ApacheBalancerDriver({ timeoutMs: 10_000, url: f.url, balancer: 'liferay' }).state(W1),
    ).rejects.toThrow(/GET http:\/\/127\.0\.0\.1:\d+\/balancer-manager\?xml=1 failed: .*ECONNREFUSED/);
  });
});

describe('balancer-manager parsing', () => {
  it('normalises ap_proxy_parse_wstatus strings', () => {
    expect(normaliseApacheStatus('Init Ok ')).toBe('UP');
    expect(normaliseApacheStatus('Init Drn Ok ')).toBe('DRAIN');
    expect(normaliseApacheStatus('Init Stop ')).toBe('MAINT');
    expect(normaliseApacheStatus('Init Dis ')).toBe('MAINT');
    expect(normaliseApacheStatus('Init Drn Stop ')).toBe('MAINT');
    expect(normaliseApacheStatus('Init Err ')).toBe('DOWN');
    expect(normaliseApacheStatus('Init Drn Err ')).toBe('DOWN');
    expect(normaliseApacheStatus('Init HcFl ')).toBe('DOWN');
    expect(normaliseApacheStatus('Init Ign Ok ')).toBe('UP');
    expect(normaliseApacheStatus('??? ')).toBe('UNKNOWN');
  });

  it('finds the nonce in the hidden field or, failing that, in the balancer links', () => {
    expect(findNonce("<input type=hidden name='nonce' id='nonce' value='abc-1'>", 'liferay')).toBe('abc-1');
    expect(findNonce('<input type="hidden" id="nonce" name="nonce" value="abc-2"/>', 'liferay')).toBe('abc-2');
    const links =
      '<a href="/balancer-manager?b=liferay2&amp;nonce=zzz">x</a><a ' +
      'href="/balancer-manager?b=liferay&amp;w=http://h:1&amp;nonce=abc-3">';
    expect(findNonce(links, 'liferay')).toBe('abc-3');
    expect(findNonce(links, 'other')).toBeNull();
  });

  it('reads workers per balancer and decodes entities', () => {
    const xml =
      "<?xml version='1.0' encoding='UTF-8' ?>\n<httpd:manager " +
      "xmlns:httpd='http://httpd.apache.org'>\n  <httpd:balancers>\n    <httpd:balancer>\n      " +
      '<httpd:name>balancer://a</httpd:name>\n      <httpd:nonce>n-1</httpd:nonce>\n      ' +
      '<httpd:workers>\n        <httpd:worker>\n          <httpd:name>ajp://n1:8009</httpd:name>\n    ' +
      '      <httpd:status>Init Ok </httpd:status>\n          <httpd:route>r&amp;1</httpd:route>\n    ' +
      '      <httpd:busy>3</httpd:busy>\n        </httpd:worker>\n      </httpd:workers>\n    ' +
      '</httpd:balancer>\n    <httpd:balancer>\n      <httpd:name>balancer://b</httpd:name>\n      ' +
      '<httpd:workers>\n      </httpd:workers>\n    </httpd:balancer>\n  ' +
      '</httpd:balancers>\n</httpd:manager>';
    expect([...parseBalancerXml(xml)]).toEqual([
      [
        'balancer://a',
        { workers: [{ name: 'ajp://n1:8009', status: 'Init Ok ', busy: 3, route: 'r&1' }], nonce: 'n-1' },
      ],
      ['balancer://b', { workers: [], nonce: null }],
    ]);
    expect(() => parseBalancerXml('<html>')).toThrow('not balancer-manager XML');
  });
});
