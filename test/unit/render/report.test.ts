import { describe, expect, it } from 'vitest';
import type { RunEndEvent, RunEvent } from '../../../src/execute/events.js';
import type { Plan } from '../../../src/plan/types.js';
import { renderReportHtml } from '../../../src/render/report/html.js';
import { makeAxis } from '../../../src/render/report/html-timeline.js';
import { renderReportJunit } from '../../../src/render/report/junit.js';
import { renderReportMarkdown } from '../../../src/render/report/markdown.js';
import { buildReport } from '../../../src/render/report/model.js';
import type { Report } from '../../../src/render/report/types.js';
import { createHarness, loadPlan, testMeta, type Harness } from '../../helpers/fake-transport.js';
import { reportSchemaErrors, validateJunit } from '../../helpers/report-check.js';

// The report of a run, built from the record the executor's events make (fake cluster, fixed
// clock), in every format: JSON against its schema, JUnit against the Jenkins XSD, HTML and Markdown.

function reportOf(h: Harness): Report {
  const end = h.events.at(-1) as RunEndEvent | undefined;
  const meta = {
    ...testMeta(h.plan),
    status: end?.kind === 'run-end' ? end.status : ('running' as const),
    endedAt: end?.kind === 'run-end' ? end.at : null,
  };
  const report = buildReport({ meta, plan: h.plan, events: h.events }, 'lrroll 0.0.0-test');
  expect(reportSchemaErrors(report)).toEqual([]);
  expect(reportSchemaErrors(JSON.parse(JSON.stringify(report.summary)), 'summary')).toEqual([]);
  const junit = validateJunit(renderReportJunit(report));
  expect(junit.output).toMatch(/validates/);
  expect(junit.ok).toBe(true);
  return report;
}

async function modulePlan(): Promise<Plan> {
  return loadPlan('playbooks/module.yml');
}

async function fixpackPlan(): Promise<Plan> {
  const plan = await loadPlan('playbooks/fixpack.yml');
  plan.policy.window = null;
  return plan;
}

/** A harness whose virtual clock moves 50 ms per event, so events get distinct times as in a real run. */
function ticking(plan: Plan, options: Parameters<typeof createHarness>[1] = {}): Harness {
  return createHarness(plan, { ...options, onEvent: (_, hh) => hh.clock.advance(50) });
}

describe('the report of a good rolling run', async () => {
  const h = ticking(await modulePlan());
  await h.run();
  const r = reportOf(h);

  it('summarises the run: outcome, verdict, plan hash, who, counts, longest time out of rotation', () => {
    expect(r.summary).toMatchObject({
      outcome: 'ok',
      verdict: 'rolling',
      planHash: h.plan.hash,
      user: 'tester',
      host: 'test-host',
      nodes: { total: 3, ok: 3, failed: 0, inRotation: 3, updated: 3 },
    });
    expect(r.summary.maxOutOfRotationMs).toBeGreaterThan(0);
    expect(r.summary.text).toContain('ok: 3/3 node(s) ok');
    expect(r.attempts).toHaveLength(1);
  });

  it('draws a lane per node with drain → stop → apply → start → gates → back in rotation, in that order', () => {
    expect(r.nodes.map((n) => n.node)).toEqual(h.plan.nodes.map((n) => n.name));
    for (const n of r.nodes) {
      const kinds = n.segments
        .map((s) => s.kind)
        .filter((k, i, all) => k !== all[i - 1] && k !== 'preflight' && k !== 'other');
      expect(kinds, n.node).toEqual(['drain', 'stop', 'apply', 'start', 'gate', 'rotation']);
      expect(n.gates.map((g) => [g.gate, g.status])).toEqual(n.gates.map((g) => [g.gate, 'ok']));
      expect(n.gates.map((g) => g.gate)).toContain('LB UP');
      expect(n.outOfRotation).toHaveLength(1);
    }
  });

  it('the capacity line drops by one per batch (serial 1) and ends with every node back', () => {
    expect(r.capacity.map((p) => p.inRotation)).toEqual([3, 2, 3, 2, 3, 2, 3]);
    expect(Math.min(...r.capacity.map((p) => p.inRotation))).toBeGreaterThanOrEqual(r.plan.minHealthy);
  });

  it(
    'HTML: one self-contained page (no scripts, no external URL loaded), a lane per node, the verdict ' + 'and hash',
    () => {
      const html = renderReportHtml(r);
      expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
      expect(html).not.toMatch(/\s(src|href)=/i);
      expect(html).toContain(`content="default-src 'none'`);
      for (const n of r.nodes)
        expect(html).toMatch(new RegExp(`<g class="lane" data-node="${n.node}"[^>]*>.*?<rect class="seg seg-drain`));
      expect(html).toContain(h.plan.hash);
      expect(html).toContain('<strong>rolling</strong>');
      expect(html).toContain('@media print');
    },
  );

  it('Markdown: a head and one row per node with outcome, time out of rotation and gates', () => {
    const md = renderReportMarkdown(r);
    const rows = md.split('\n').filter((l) => /^\| node\d /.test(l));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^\| node1 \| ✅ ok \| \d+(\.\d)?s \| ✅ startup log .* · ✅ LB UP \d/);
  });

  it('JUnit: a case per node × gate plus one per node, and one per hook', () => {
    const xml = renderReportJunit(r);
    const cases = [...xml.matchAll(/<testcase /g)].length;
    expect(cases).toBe(r.nodes.reduce((sum, n) => sum + 1 + n.gates.length, 0) + r.hooks.length);
    expect(xml).not.toMatch(/<failure|<error/);
  });
});

describe('the report of a failed run with a rollback', async () => {
  const plan = await fixpackPlan();
  const first = plan.nodes[0]?.name ?? '';
  const h = ticking(plan, {
    deps: {
      secrets: {
        CHAT_TOKEN: 'tok-1234567',
        LIFERAY_ADMIN_LOGIN: 'admin@example.net',
        LIFERAY_ADMIN_PASSWORD: 'pw-7654321',
      },
    },
  });
  // The first start never logs the startup line; the rollback's start (old version back) does.
  h.cluster.host(first).startupLines = ['07-Jan-2025 02:00:05.000 SEVERE [main] startup failed'];
  h.cluster.script({ host: first, includes: "echo '== last 200 lines" }, () => {
    h.cluster.host(first).startupLines = null;
    return {
      stdout:
        `== last 200 lines\nSEVERE [main] <script>alert(1)</script>\n== thread dump (kill -3)\n"main" ` + `#1 prio=5\n`,
    };
  });
  await h.run();
  const r = reportOf(h);

  it('records the failure, the forensics and the rollback; the node is back in rotation', () => {
    expect(r.summary.outcome).toBe('halted');
    const node1 = r.nodes.find((n) => n.node === first);
    expect(node1).toMatchObject({ outcome: 'rolled-back', inRotation: true, updated: false });
    expect(node1?.segments.some((s) => s.kind === 'rollback')).toBe(true);
    const failure = r.failures.find((f) => f.node === first);
    expect(failure?.forensics.length).toBeGreaterThan(0);
    expect(
      r.nodes
        .filter((n) => n.node !== first)
        .every((n) => n.outcome === 'skipped' && n.gates.every((g) => g.status === 'not-run')),
    ).toBe(true);
  });

  it('HTML: failures collapsed in <details>, with forensics, untrusted text escaped', () => {
    const html = renderReportHtml(r);
    expect(html).toContain(`<details class="failure"><summary>${first}: `);
    expect(html).toMatch(/<details class="forensics">/);
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('class="seg seg-gate failed"');
  });

  it('JUnit: the failed gate and the node fail; unreached gates are skipped; onFailure hooks ran', () => {
    const xml = renderReportJunit(r);
    const second = plan.nodes[1]?.name ?? '';
    expect(xml).toContain(`<testcase classname="lrroll.${first}" name="${first}: rolled"`);
    expect(xml).toMatch(new RegExp(`name="${first}: rolled"[^>]*><failure type="rolled-back"`));
    expect(xml).toMatch(new RegExp(`name="${first}: gate startup log[^"]*"[^>]*><failure type="step-failed"`));
    expect(xml).toMatch(new RegExp(`name="${second}: gate startup log[^"]*"[^>]*><skipped message="not reached"`));
    expect(r.hooks.find((k) => k.point === 'onFailure')?.status).toBe('ok');
  });
});

describe('reports of other shapes', () => {
  it('a refused run: every node untouched, nothing drawn but preflight', async () => {
    const h = createHarness(await modulePlan());
    h.cluster.script({ host: 'node2', kind: 'http' }, { stdout: 'Service Unavailable\n503' });
    await h.run();
    const r = reportOf(h);
    expect(r.summary.outcome).toBe('refused');
    expect(
      r.nodes.every(
        (n) => n.outcome === 'skipped' && n.outOfRotationMs === null && n.segments.every((s) => s.kind === 'preflight'),
      ),
    ).toBe(true);
    expect(r.capacity).toHaveLength(1);
  });

  it('no load balancer: out of rotation from the stop to the last gate passed', async () => {
    const h = ticking(await loadPlan('test/fixtures/playbooks/valid/secrets.yml'), {
      deps: { secrets: { DB_PASSWORD: 'pw-123456', LIFERAY_ADMIN_PASSWORD: 'pw-abcdef' } },
    });
    await h.run();
    const r = reportOf(h);
    for (const n of r.nodes) {
      const stop = n.segments.find((s) => s.kind === 'stop');
      const lastGate = n.segments.filter((s) => s.kind === 'gate').at(-1);
      expect(n.outOfRotation).toEqual([{ from: stop?.startedAt, to: lastGate?.endedAt }]);
    }
    expect(r.capacity.map((p) => p.inRotation)).toEqual([2, 1, 2, 1, 2]);
  });

  it(
    'a record that stops in the middle (lrroll killed): outcome running, the node unfinished and out of ' + 'rotation',
    async () => {
      const h = createHarness(await modulePlan());
      await h.run();
      const cut = h.events.findIndex((e) => e.kind === 'step-start' && e.action === 'apply' && e.node === 'node2');
      h.events.splice(cut + 1);
      const r = reportOf(h);
      expect(r.summary).toMatchObject({ outcome: 'running', endedAt: null });
      expect(r.nodes.find((n) => n.node === 'node2')).toMatchObject({ outcome: 'unfinished', inRotation: false });
      expect(r.nodes.find((n) => n.node === 'node2')?.segments.at(-1)).toMatchObject({
        action: 'apply',
        status: 'unfinished',
      });
    },
  );

  it('Markdown within a size budget: rows give way to a line saying how many were left out', async () => {
    const h = createHarness(await modulePlan());
    await h.run();
    const r = reportOf(h);
    const full = renderReportMarkdown(r);
    const cut = renderReportMarkdown(r, new TextEncoder().encode(full).length - 10);
    expect(new TextEncoder().encode(cut).length).toBeLessThanOrEqual(new TextEncoder().encode(full).length - 10);
    expect(cut).toMatch(/\| … \| [12] more node\(s\) left out to fit the size limit/);
    expect(cut.split('\n').filter((l) => /^\| node\d /.test(l)).length).toBeGreaterThan(0);
    expect(renderReportMarkdown(r, 100)).toBe('');
  });
});

describe('deploy markers: a webhook with `body: report` gets the JSON report summary', () => {
  it(
    'the plan says so (no body text, content-type JSON); the request carries the summary of the run so ' + 'far',
    async () => {
      const plan = await loadPlan('test/fixtures/playbooks/valid/deploy-marker.yml');
      const hook = plan.finally.find((s) => s.action === 'hook');
      expect(hook?.action === 'hook' && hook.request).toMatchObject({
        body: null,
        report: true,
        headers: { 'content-type': 'application/json', Authorization: 'Bearer ${GRAFANA_TOKEN}' },
      });
      expect(hook?.title).toContain('(body: the run report summary)');
      const bodies: string[] = [];
      const fetch = (async (_url: string, init?: RequestInit) => {
        bodies.push(String(init?.body));
        return new Response('{}', { status: 200 });
      }) as typeof globalThis.fetch;
      const h = ticking(plan, { deps: { fetch, secrets: { GRAFANA_TOKEN: 'gt-0123456789' } } });
      await h.run();
      expect(bodies).toHaveLength(1);
      const summary = JSON.parse(bodies[0] ?? '') as Record<string, unknown>;
      expect(reportSchemaErrors(summary, 'summary')).toEqual([]);
      // afterRun hooks run before the run's end: every node done, the outcome not final yet.
      expect(summary).toMatchObject({
        name: 'Restart with deploy markers',
        outcome: 'running',
        nodes: { total: 2, ok: 2, failed: 0 },
        tags: ['lrroll', 'running', 'Restart with deploy markers'],
      });
      expect(summary.text).toMatch(/^lrroll: Restart with deploy markers — running: 2\/2 node\(s\) ok/);
      expect(bodies[0]).not.toContain('gt-0123456789');
    },
  );

  it('on failure the summary counts the failed node', async () => {
    const plan = await loadPlan('test/fixtures/playbooks/valid/deploy-marker.yml');
    const bodies: string[] = [];
    const fetch = (async (_url: string, init?: RequestInit) => {
      bodies.push(String(init?.body));
      return new Response('{}', { status: 200 });
    }) as typeof globalThis.fetch;
    const h = ticking(plan, { deps: { fetch, secrets: { GRAFANA_TOKEN: 'gt-0123456789' } } });
    h.cluster.host('node1').startupLines = ['SEVERE startup failed'];
    await h.run();
    expect(bodies).toHaveLength(1);
    const summary = JSON.parse(bodies[0] ?? '') as Record<string, unknown>;
    expect(summary).toMatchObject({ nodes: { failed: 1 }, reason: null, outcome: 'running' });
    expect(summary.text).toMatch(/— failing: 0\/2 node\(s\) ok, 1 failed, 1 in rotation/);
  });
});

describe('a resumed run', () => {
  it('has one attempt per start; the timeline cuts out the idle hour between them', async () => {
    const h = ticking(await modulePlan());
    await h.run();
    const events = [...h.events];
    const split = events.findIndex((e) => e.kind === 'batch-start' && e.batch === 2);
    const first = events.slice(0, split);
    const last = first.at(-1)?.at ?? '';
    const aborted: RunEvent = {
      v: 3,
      at: last,
      kind: 'run-end',
      status: 'aborted',
      durationMs: 0,
      nodes: [],
      reason: 'interrupted (Ctrl-C)',
    };
    const hour = 3_600_000;
    const shift = (e: RunEvent): RunEvent => ({ ...e, at: new Date(Date.parse(e.at) + hour).toISOString() });
    const again = [events[0] as RunEvent, ...events.slice(split)].map(shift);
    const record = {
      meta: { ...testMeta(h.plan), status: 'ok' as const, endedAt: again.at(-1)?.at ?? null },
      plan: h.plan,
      events: [...first, aborted, ...again],
    };
    const r = buildReport(record, 'lrroll test');
    expect(reportSchemaErrors(r)).toEqual([]);
    expect(r.attempts.map((a) => a.outcome)).toEqual(['aborted', 'ok']);
    expect(r.summary.outcome).toBe('ok');
    expect(r.summary.durationMs).toBeLessThan(hour);
    const axis = makeAxis(r);
    expect(axis.breaks).toHaveLength(1);
    const gap = axis.x(Date.parse(again[0]?.at ?? '')) - axis.x(Date.parse(last));
    expect(gap).toBeGreaterThan(0);
    expect(gap).toBeLessThan(20);
    expect(axis.ticks.map((t) => t.label)).toContain('resumed');
    expect(renderReportHtml(r)).toContain('resumed 1 time(s)');
  });
});
