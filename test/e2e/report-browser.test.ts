// The page-side callbacks (page.evaluate, $$eval) run in Chromium: they use the DOM.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSupport, launchChromium, type Browser, type Page } from '../helpers/chromium.js';
import { reportSchemaErrors, validateJunit } from '../helpers/report-check.js';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { renderReportHtml } from '../../src/render/report/html.js';
import { buildReport } from '../../src/render/report/model.js';
import type { Report } from '../../src/render/report/types.js';
import { createHarness, loadPlan, testMeta } from '../helpers/fake-transport.js';
import { runLrroll, spawnLrroll, stepStart } from './helpers/faults.js';
import { lrroll, writePlaybook, type CliRun } from './helpers/lrroll-run.js';

// What the page-side callbacks use of the browser, declared for this file only: a `lib: dom` reference would give
// the whole type-checked program (src/ included) the browser's globals.
interface PageRect {
  x: number;
  y: number;
  width: number;
  height: number;
  bottom: number;
}
interface PageElement {
  getAttribute(name: string): string | null;
  getBoundingClientRect(): PageRect;
  closest(selector: string): PageElement | null;
}
interface PageImage {
  complete: boolean;
  naturalWidth: number;
  naturalHeight: number;
}
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    drawImage(image: PageImage, x: number, y: number): void;
    getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray };
  } | null;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  elementFromPoint(x: number, y: number): PageElement | null;
  getElementById(id: string): unknown;
  createElement(tag: 'canvas'): PageCanvas;
};
declare const window: { scrollY: number };

// The reports of a real rolling run (sshd per node + HAProxy): the HTML page rendered in headless
// Chromium (every node's lane drawn, checked in the DOM and in the screenshot's pixels), the JUnit
// XML against the Jenkins XSD, the JSON against its schema, the Markdown in $GITHUB_STEP_SUMMARY.
// LRROLL_UPDATE_SCREENSHOT=1 also copies the screenshot to docs/report.png (shown in the README).

const cluster$ = clusterSupport();
const browser$ = chromiumSupport();
const support =
  cluster$.ok && browser$.ok
    ? { ok: true, reason: '' }
    : {
        ok: false,
        reason: [cluster$, browser$]
          .filter((s) => !s.ok)
          .map((s) => s.reason)
          .join('; '),
      };
if (!support.ok) process.stderr.write(`report e2e skipped: ${support.reason}\n`);

/** Okabe–Ito colours of the timeline's segment kinds (src/render/report/html-style.ts). */
const COLOURS: Record<string, [number, number, number]> = {
  drain: [0xe6, 0x9f, 0x00],
  stop: [0xcc, 0x79, 0xa7],
  apply: [0x00, 0x72, 0xb2],
  start: [0x56, 0xb4, 0xe9],
  gate: [0x00, 0x9e, 0x73],
  rotation: [0xf0, 0xe4, 0x42],
  preflight: [0xc4, 0xcc, 0xd4],
};

describe.skipIf(!support.ok)(`reports of a real run${support.ok ? '' : ` — skipped: ${support.reason}`}`, () => {
  let cluster: TestCluster;
  let run: CliRun;
  let browser: Browser;
  let html: string;
  let summaryFile: string;

  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: 3, haproxy: true, startMs: 1500, stopMs: 400 });
    await cluster.startAll();
    const playbook = writePlaybook(
      cluster,
      'Report run',
      'change:\n  type: portal-properties\n  set:\n    lrroll.report.marker: drawn\nrollout:\n  ' +
        'serial: 1\n  minHealthy: 2\n',
    );
    html = join(cluster.dir, 'report.html');
    summaryFile = join(cluster.dir, 'step-summary.md');
    writeFileSync(summaryFile, '## an earlier step\n');
    run = await lrroll(['run', playbook, '--yes', '--output', 'plain', '--report', html], cluster, {
      GITHUB_STEP_SUMMARY: summaryFile,
    });
    browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  }, 60_000);

  const runId = (): string => /run record: .*\/runs\/(\S+)/.exec(run.stderr)?.[1] ?? '';

  it('the run succeeded and wrote its report at the end', () => {
    expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
    expect(run.stderr).toContain(`report: ${html}`);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  it(
    'headless Chromium draws a lane for every node, loading nothing but the file; screenshot pixels ' +
      'show each lane',
    async () => {
      const page: Page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(html).href);
      expect(requests).toEqual([pathToFileURL(html).href]);
      const shot = await page.screenshot({ fullPage: true, path: join(cluster.dir, 'report.png') });
      if (process.env.LRROLL_UPDATE_SCREENSHOT === '1') {
        // The README's picture: the page down to the nodes table.
        const bottom = await page.evaluate(
          () =>
            document.querySelector('table:has(th + th + th + th + th + th + th)')?.getBoundingClientRect().bottom ??
            900,
        );
        await page.screenshot({
          fullPage: true,
          clip: { x: 0, y: 0, width: 1280, height: Math.ceil(bottom) + 24 },
          path: 'docs/report.png',
        });
      }
      const lanes = await page.$$eval('svg.timeline g.lane', (gs) => gs.map((g) => g.getAttribute('data-node')));
      expect(lanes).toEqual(cluster.nodes.map((n) => n.name));
      const samples: Array<{ node: string; kind: string; x: number; y: number }> = [];
      for (const node of lanes) {
        const segs = page.locator(`g.lane[data-node="${node}"] rect.seg`);
        expect(await segs.count(), `${node} has segments`).toBeGreaterThan(4);
        // The widest segment of the lane: it must be on screen, on top at its centre, and painted in its kind's colour.
        const boxes = await segs.evaluateAll((rs) =>
          rs.map((r) => ({ cls: r.getAttribute('class') ?? '', box: r.getBoundingClientRect().toJSON() as PageRect })),
        );
        const widest = boxes.filter((b) => !b.cls.includes('preflight')).sort((a, b) => b.box.width - a.box.width)[0];
        expect(widest?.box.width, `${node}: widest segment`).toBeGreaterThan(4);
        const x = (widest?.box.x ?? 0) + (widest?.box.width ?? 0) / 2;
        const y = (widest?.box.y ?? 0) + (widest?.box.height ?? 0) / 2;
        expect(
          await page.evaluate(
            ([px, py]) =>
              document
                .elementFromPoint(px ?? 0, py ?? 0)
                ?.closest('g.lane')
                ?.getAttribute('data-node'),
            [x, y],
          ),
        ).toBe(node);
        samples.push({
          node: node ?? '',
          kind: /seg-(\w+)/.exec(widest?.cls ?? '')?.[1] ?? '',
          x: Math.round(x),
          y: Math.round(y + (await page.evaluate(() => window.scrollY))),
        });
      }
      const pixels = await pixelsOf(shot, samples);
      for (const [i, s] of samples.entries()) {
        const want = COLOURS[s.kind];
        expect(want, `colour of ${s.kind}`).toBeDefined();
        const got = pixels[i] ?? [0, 0, 0];
        expect(
          Math.max(...got.map((v, k) => Math.abs(v - (want?.[k] ?? 0)))),
          `${s.node} at ${s.x},${s.y}: ${got.join(',')} vs ${s.kind}`,
        ).toBeLessThan(24);
      }
      await page.close();
    },
  );

  it('the capacity line and the summary are on the page; it prints (PDF) without error', async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(html).href);
    expect(await page.locator('svg.capacity path.capacity-line').count()).toBe(1);
    expect(await page.locator('header .badge').innerText()).toBe('ok');
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await page.close();
  });

  it(
    'JUnit from the record validates against the Jenkins JUnit XSD; JSON against ' + 'schemas/report.schema.json',
    async () => {
      // Written with -o: the run helper reads stdout lines that start with `{` as NDJSON events.
      expect((await lrroll(['report', runId(), '-o', 'report.xml'], cluster)).code).toBe(0);
      const xml = readFileSync(join(cluster.dir, 'report.xml'), 'utf8');
      const check = validateJunit(xml);
      expect(check.ok, check.output).toBe(true);
      expect([...xml.matchAll(/<testcase /g)].length).toBeGreaterThanOrEqual(3 * 4);
      expect(xml).not.toMatch(/<failure|<error/);
      expect((await lrroll(['report', runId(), '--format', 'json', '-o', 'report.json'], cluster)).code).toBe(0);
      expect(reportSchemaErrors(JSON.parse(readFileSync(join(cluster.dir, 'report.json'), 'utf8')))).toEqual([]);
    },
  );

  it(
    '$GITHUB_STEP_SUMMARY got the Markdown summary appended: a row per node with outcome, time out of ' +
      'rotation and gates',
    () => {
      const md = readFileSync(summaryFile, 'utf8');
      expect(md.startsWith('## an earlier step\n')).toBe(true);
      expect(md).toContain('### ✅ lrroll: Report run — ok');
      for (const n of cluster.nodes)
        expect(md).toMatch(
          new RegExp(
            `^\\| ${n.name} \\| ✅ ok \\| \\d+(\\.\\d)?s \\| ✅ startup log [^|]*✅ HTTP [^|]*✅ LB UP [^|]*\\|$`,
            'm',
          ),
        );
      expect(Buffer.byteLength(md)).toBeLessThan(1024 * 1024);
    },
  );

  it(
    'an interrupted run writes its report too (node2 out, recorded so); the resume writes the whole ' +
      'run, both starts',
    async () => {
      const home = join(cluster.dir, 'home-interrupt');
      const pb = writePlaybook(
        cluster,
        'Report interrupted',
        'change:\n  type: portal-properties\n  set:\n    lrroll.report.marker: interrupted\nrollout:\n  ' +
          'serial: 1\n  minHealthy: 2\n',
      );
      const first = join(cluster.dir, 'interrupted.json');
      const live = spawnLrroll(['run', pb, '--yes', '--output', 'json', '--report', first], cluster, home);
      await live.waitFor(stepStart('node2', 'service-stop'), 90_000);
      live.signal('SIGINT');
      const run1 = await live.done;
      expect(run1.code, run1.stderr).toBe(130);
      const r1 = JSON.parse(readFileSync(first, 'utf8')) as Report;
      expect(reportSchemaErrors(r1)).toEqual([]);
      expect(r1.summary.outcome).toBe('aborted');
      expect(r1.nodes.find((n) => n.node === 'node2')).toMatchObject({
        inRotation: false,
        outOfRotation: [{ to: null }],
      });
      const whole = join(cluster.dir, 'resumed.json');
      const run2 = await runLrroll(['resume', '--yes', '--output', 'json', '--report', whole], cluster, home);
      expect(run2.code, run2.stderr).toBe(0);
      const r2 = JSON.parse(readFileSync(whole, 'utf8')) as Report;
      expect(reportSchemaErrors(r2)).toEqual([]);
      expect(r2.attempts.map((a) => a.outcome)).toEqual(['aborted', 'ok']);
      expect(r2.nodes.map((n) => [n.node, n.outcome, n.inRotation])).toEqual([
        ['node1', 'ok', true],
        ['node2', 'ok', true],
        ['node3', 'ok', true],
      ]);
      expect(r2.summary.runId).toBe(r1.summary.runId);
    },
    240_000,
  );

  /** Reads pixels of a PNG with a canvas in a blank page (the report's own page runs no scripts). */
  async function pixelsOf(png: Buffer, points: ReadonlyArray<{ x: number; y: number }>): Promise<number[][]> {
    const page = await browser.newPage();
    await page.setContent(`<img id="i" src="data:image/png;base64,${png.toString('base64')}">`);
    await page.waitForFunction(() => (document.getElementById('i') as PageImage | null)?.complete === true);
    const out = await page.evaluate((pts) => {
      const img = document.getElementById('i') as PageImage;
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d');
      if (!ctx) throw new Error('no 2d canvas context');
      ctx.drawImage(img, 0, 0);
      return pts.map((p) => [...ctx.getImageData(p.x, p.y, 1, 1).data.slice(0, 3)]);
    }, points);
    await page.close();
    return out;
  }
});

describe.skipIf(!browser$.ok)(`the HTML report in print${browser$.ok ? '' : ` — skipped: ${browser$.reason}`}`, () => {
  it('collapsed failures and forensics are hidden on screen and printed in full', async () => {
    const plan = await loadPlan('playbooks/module.yml');
    const h = createHarness(plan, { onEvent: (_, hh) => hh.clock.advance(50) });
    h.cluster.script(
      { host: 'node2', kind: 'apply' },
      { exitCode: 1, stderr: 'cp: cannot create regular file: Permission denied\n' },
    );
    await h.run();
    const report = buildReport(
      { meta: { ...testMeta(plan), status: 'failed', endedAt: h.events.at(-1)?.at ?? null }, plan, events: h.events },
      'lrroll test',
    );
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent(renderReportHtml(report));
      const detail = page.locator('details.failure p').first();
      expect(await page.locator('details.failure summary').first().innerText()).toMatch(/^node2: /);
      expect(await detail.isVisible()).toBe(false);
      await page.emulateMedia({ media: 'print' });
      expect(await detail.isVisible()).toBe(true);
      expect(await detail.innerText()).toContain('Permission denied');
    } finally {
      await browser.close();
    }
  });
});
