import { describe, expect, it } from 'vitest';
import type { RunEndEvent, StepEndEvent, StepStartEvent } from '../../../src/execute/events.js';
import type { HookStep, Plan } from '../../../src/plan/types.js';
import { nextSeq } from '../../helpers/fixed-clock.js';
import { createHarness, loadPlan, type Harness } from '../../helpers/fake-transport.js';

/** The administrator fixpack.yml's built-in cache clear signs in as (secrets from the environment). */
const ADMIN = { LIFERAY_ADMIN_LOGIN: 'admin@example.net', LIFERAY_ADMIN_PASSWORD: 'p4ss-w0rd' };

// Hooks: webhooks get `${NAME}` secrets filled in at call time (never in events), command hooks
// get them as environment variables; continueOnError turns a failure into ok.

interface FetchCall {
  seq: number;
  url: string;
  method: string | undefined;
  headers: Record<string, string>;
  body: string | null;
  signal: AbortSignal | null;
}

/** A fake fetch that records requests and answers with `answer` (a status, or an error to throw). */
function fakeFetch(answer: (url: string) => number | Error = () => 200): { fetch: typeof fetch; calls: FetchCall[] } {
  const calls: FetchCall[] = [];
  const fn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    calls.push({
      seq: nextSeq(),
      url,
      method: init?.method,
      headers: { ...(init?.headers as Record<string, string>) },
      body: (init?.body as string | null | undefined) ?? null,
      signal: init?.signal ?? null,
    });
    const a = answer(url);
    if (a instanceof Error) throw a;
    return new Response(a === 204 ? null : 'ok', { status: a });
  };
  return { fetch: fn as typeof fetch, calls };
}

const TOKEN = 'tok-3f9a-secret';
const runEnd = (h: Harness): RunEndEvent => h.events[h.events.length - 1] as RunEndEvent;
const stepEnd = (h: Harness, id: string): StepEndEvent | undefined =>
  h.events.find((e): e is StepEndEvent => e.kind === 'step-end' && e.stepId === id);

async function fixpack(): Promise<{ plan: Plan; announce: HookStep; page: HookStep }> {
  const plan = await loadPlan('playbooks/fixpack.yml');
  // The example's maintenance window (Tue–Thu nights) is not what these tests are about.
  plan.policy.window = null;
  const announce = plan.beforeRun[0] as HookStep;
  const page = plan.onFailure[0] as HookStep;
  expect([announce.action, announce.runOn, announce.continueOnError, page.runOn, page.continueOnError]).toEqual([
    'hook',
    'webhook',
    false,
    'webhook',
    true,
  ]);
  return { plan, announce, page };
}

describe('webhook hooks', () => {
  it(
    'fill ${NAME} secrets in the URL, headers and body at call time; events and the plan keep only the ' + 'reference',
    async () => {
      const { plan, announce } = await fixpack();
      const req = announce.request as NonNullable<HookStep['request']>;
      req.url = 'https://chat.example.net/hooks/${CHAT_TOKEN}/ops';
      req.body = '{"text":"rolling dxp-15","token":"${CHAT_TOKEN}","other":"${NOT_A_SECRET}"}';
      const f = fakeFetch();
      const h = createHarness(plan, { deps: { fetch: f.fetch, secrets: { CHAT_TOKEN: TOKEN, ...ADMIN } } });
      const report = await h.run();
      expect(report.status).toBe('ok');
      expect(f.calls).toHaveLength(1);
      const call = f.calls[0] as FetchCall;
      expect(call.url).toBe(`https://chat.example.net/hooks/${TOKEN}/ops`);
      expect(call.method).toBe('POST');
      expect(call.headers).toEqual({ Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' });
      expect(call.body).toBe(`{"text":"rolling dxp-15","token":"${TOKEN}","other":"\${NOT_A_SECRET}"}`);
      expect(call.signal).toBeInstanceOf(AbortSignal);
      // before anything is drained
      expect(call.seq).toBeLessThan(Math.min(...(h.lb?.calls ?? []).filter((c) => c.op === 'drain').map((c) => c.seq)));
      expect(JSON.stringify(h.events)).not.toContain(TOKEN);
      expect(
        h.events.find((e): e is StepStartEvent => e.kind === 'step-start' && e.stepId === announce.id)?.command,
      ).toBe('POST https://chat.example.net/hooks/ops');
      expect(req.headers.Authorization).toBe('Bearer ${CHAT_TOKEN}');
    },
  );

  it('a failing beforeRun webhook fails the run before anything changes', async () => {
    const { plan, announce } = await fixpack();
    const f = fakeFetch(() => 500);
    const h = createHarness(plan, { deps: { fetch: f.fetch, secrets: { CHAT_TOKEN: TOKEN, ...ADMIN } } });
    const report = await h.run();
    expect(stepEnd(h, announce.id)).toMatchObject({ status: 'failed', detail: 'the webhook answered HTTP 500' });
    expect(report).toMatchObject({
      status: 'failed',
      reason:
        'a beforeRun hook failed, nothing was changed: beforeRun hook: announce in the ops channel: ' +
        'the webhook answered HTTP 500',
    });
    expect((h.lb?.calls ?? []).filter((c) => c.op !== 'state')).toEqual([]);
    expect(h.events.some((e) => e.kind === 'batch-start')).toBe(false);
  });

  it.each<[string, number | Error, string]>([
    ['answers HTTP 500', 500, 'failed, continuing (continueOnError): the webhook answered HTTP 500'],
    [
      'cannot connect',
      new TypeError('fetch failed'),
      'failed, continuing (continueOnError): the webhook failed: fetch failed',
    ],
  ])('continueOnError turns a failure into ok: the onFailure pager %s', async (_, answer, detail) => {
    const { plan, page } = await fixpack();
    const f = fakeFetch((url) => (url.startsWith('https://pager.') ? answer : 200));
    const h = createHarness(plan, { deps: { fetch: f.fetch, secrets: { CHAT_TOKEN: TOKEN, ...ADMIN } } });
    h.cluster.host('lr-prod-1.example.net').startupLines = [];
    const report = await h.run();
    expect(report.status).toBe('failed');
    expect(f.calls.map((c) => c.url)).toEqual([
      'https://chat.example.net/hooks/ops',
      'https://pager.example.net/v1/alert',
    ]);
    expect(stepEnd(h, page.id)).toMatchObject({ status: 'ok', detail });
    expect(h.events.find((e) => e.kind === 'phase-end' && e.phase === 'on-failure')).toMatchObject({ status: 'ok' });
    expect(runEnd(h).reason).toMatch(/^lr-prod-1.example.net failed in batch 1/);
  });

  it('continueOnError on a beforeRun webhook lets the run go on', async () => {
    const { plan, announce } = await fixpack();
    announce.continueOnError = true;
    const h = createHarness(plan, {
      deps: {
        fetch: fakeFetch(() => new Error('getaddrinfo ENOTFOUND chat.example.net')).fetch,
        secrets: { CHAT_TOKEN: TOKEN, ...ADMIN },
      },
    });
    const report = await h.run();
    expect(stepEnd(h, announce.id)).toMatchObject({
      status: 'ok',
      detail: 'failed, continuing (continueOnError): the webhook failed: getaddrinfo ENOTFOUND chat.example.net',
    });
    expect(report.status).toBe('ok');
  });
});

describe('command hooks', () => {
  it('get secrets as environment variables, never in the command text', async () => {
    const plan = await loadPlan('test/fixtures/playbooks/valid/secrets.yml');
    const secrets = { LIFERAY_ADMIN_PASSWORD: 'adm1n-pw', DB_PASSWORD: 'db-pw-42' };
    const h = createHarness(plan, { deps: { secrets } });
    const report = await h.run();
    expect(report.status).toBe('ok');
    const hooks = h.cluster.callsTo('local', 'hook');
    expect(hooks).toHaveLength(2);
    for (const c of hooks) {
      expect(c.envNames).toEqual(['DB_PASSWORD', 'LIFERAY_ADMIN_PASSWORD']);
      for (const v of Object.values(secrets)) expect(c.command).not.toContain(v);
    }
    expect(JSON.stringify(h.events)).not.toMatch(/adm1n-pw|db-pw-42/);
  });

  it('a secret value a command prints is masked in step output and in the step detail', async () => {
    const plan = await loadPlan('test/fixtures/playbooks/valid/secrets.yml');
    const h = createHarness(plan, {
      deps: { secrets: { LIFERAY_ADMIN_PASSWORD: 'adm1n-pw', DB_PASSWORD: 'db-pw-42' } },
    });
    h.cluster.script(
      { host: 'local', kind: 'hook' },
      { exitCode: 1, stdout: 'login as admin/adm1n-pw\n', stderr: 'denied for db-pw-42\n' },
    );
    await h.run();
    const hookId = plan.batches[0]?.nodePlans[0]?.steps.find((s) => s.action === 'hook')?.id ?? '';
    expect(
      h.events.filter((e) => e.kind === 'step-output' && e.stepId === hookId).map((e) => (e as { line: string }).line),
    ).toEqual(['login as admin/***', 'denied for ***']);
    expect(stepEnd(h, hookId)?.detail).toBe('the hook exited with code 1: denied for ***');
    expect(JSON.stringify(h.events)).not.toMatch(/adm1n-pw|db-pw-42/);
  });

  it('a failing command hook with continueOnError is ok, without it the node fails', async () => {
    const plan = await loadPlan('test/fixtures/playbooks/valid/secrets.yml');
    const hook = plan.batches[0]?.nodePlans[0]?.steps.find(
      (s): s is HookStep & { phase: 'return' } => s.action === 'hook',
    );
    expect(hook).toBeDefined();
    const h1 = createHarness(plan, {
      deps: { secrets: { LIFERAY_ADMIN_PASSWORD: 'admin-pw', DB_PASSWORD: 'db-pw-1' } },
    });
    h1.cluster.script({ host: 'local', kind: 'hook' }, { exitCode: 2, stderr: 'notify: 401 Unauthorized\n' });
    expect((await h1.run()).status).toBe('failed');
    expect(stepEnd(h1, hook?.id ?? '')).toMatchObject({
      status: 'failed',
      exitCode: 2,
      detail: 'the hook exited with code 2: notify: 401 Unauthorized',
    });

    const plan2 = structuredClone(plan);
    for (const s of plan2.batches.flatMap((b) => b.nodePlans.flatMap((np) => np.steps)))
      if (s.action === 'hook') s.continueOnError = true;
    const h2 = createHarness(plan2, {
      deps: { secrets: { LIFERAY_ADMIN_PASSWORD: 'admin-pw', DB_PASSWORD: 'db-pw-1' } },
    });
    h2.cluster.script({ host: 'local', kind: 'hook' }, { exitCode: 2, stderr: 'notify: 401 Unauthorized\n' });
    expect((await h2.run()).status).toBe('ok');
    expect(stepEnd(h2, hook?.id ?? '')).toMatchObject({
      status: 'ok',
      detail: 'failed, continuing (continueOnError): the hook exited with code 2: notify: 401 Unauthorized',
    });
  });

  it('a hook with neither a command nor a request is skipped: nothing is sent to a shell', async () => {
    const plan = await loadPlan('test/fixtures/playbooks/valid/secrets.yml');
    const hooks = plan.batches.flatMap((b) => b.nodePlans.flatMap((np) => np.steps)).filter((s) => s.action === 'hook');
    expect(hooks.length).toBeGreaterThan(0);
    for (const s of hooks) s.command = null;
    const h = createHarness(plan, { deps: { secrets: { LIFERAY_ADMIN_PASSWORD: 'a-pw', DB_PASSWORD: 'd-pw' } } });
    expect((await h.run()).status).toBe('ok');
    expect(h.cluster.callsTo('local').map((c) => c.command.trim())).not.toContain('true');
    for (const s of hooks)
      expect(stepEnd(h, s.id)).toMatchObject({
        status: 'skipped',
        detail: 'nothing to run: the hook has neither a command nor a request',
      });
  });
});
