import { escapeMarkup as x, junitSeconds, stripControl } from './escape.js';
import type { Report, ReportNode, StepResult } from './types.js';

/** One `<testcase>`: its name, time and result. */
interface Case {
  classname: string;
  name: string;
  ms: number | null;
  status: StepResult | 'rolled-back';
  message: string | null;
  body: string[];
}

const isFailure = (c: Case): boolean => c.status === 'failed' || c.status === 'rolled-back';
const isError = (c: Case): boolean => c.status === 'unfinished';
const isSkipped = (c: Case): boolean => c.status === 'skipped' || c.status === 'not-run';

function result(c: Case): string {
  const message = x(c.message ?? '');
  if (isFailure(c))
    return (
      `<failure type="${c.status === 'rolled-back' ? 'rolled-back' : 'step-failed'}" message="` +
      `${message}">${x(c.body.join('\n'))}</failure>`
    );
  if (isError(c)) return `<error type="unfinished" message="${message || 'the record ends while this ran'}"/>`;
  if (isSkipped(c)) return `<skipped message="${message || (c.status === 'not-run' ? 'not reached' : 'skipped')}"/>`;
  return '';
}

function testcase(c: Case): string {
  const inner = result(c);
  const open = `<testcase classname="${x(c.classname)}" name="${x(c.name)}" time="${junitSeconds(c.ms)}"`;
  return inner ? `    ${open}>${inner}</testcase>` : `    ${open}/>`;
}

function suite(name: string, cases: readonly Case[], timestamp: string, properties: Record<string, string>): string {
  const count = (f: (c: Case) => boolean): number => cases.filter(f).length;
  const ms = cases.reduce((sum, c) => sum + (c.ms ?? 0), 0);
  const props = Object.entries(properties).map(([k, v]) => `      <property name="${x(k)}" value="${x(v)}"/>`);
  return [
    `  <testsuite name="${x(name)}" tests="${cases.length}" failures="${count(isFailure)}" errors="` +
      `${count(isError)}" skipped="${count(isSkipped)}" time="${junitSeconds(ms)}" timestamp="` +
      `${x(timestamp)}">`,
    ...(props.length > 0 ? ['    <properties>', ...props, '    </properties>'] : []),
    ...cases.map(testcase),
    '  </testsuite>',
  ].join('\n');
}

/** The node itself (its outcome, so a failure outside a gate shows too), then one case per planned gate. */
function nodeCases(r: Report, n: ReportNode): Case[] {
  const classname = `lrroll.${n.node}`;
  const failure = r.failures.filter((f) => f.node === n.node).at(-1);
  const outcome: Case = {
    classname,
    name: `${n.node}: rolled`,
    ms: n.segments.reduce((sum, s) => sum + s.durationMs, 0),
    status: n.outcome === 'rolled-back' ? 'rolled-back' : n.outcome,
    message: n.outcome === 'ok' ? null : `${n.state}${n.failedStep ? ` (failed step: ${n.failedStep})` : ''}`,
    body: failure
      ? [
          `${failure.title}: ${failure.detail ?? 'failed'}${failure.code ? ` (${failure.code})` : ''}`,
          ...(failure.hint ? [`hint: ${failure.hint}`] : []),
          ...failure.output,
        ]
      : [],
  };
  const gates = n.gates.map<Case>((g) => ({
    classname,
    name: `${n.node}: gate ${g.gate} — ${g.title}`,
    ms: g.durationMs,
    status: g.status,
    message: g.detail,
    body: g.detail ? [g.detail] : [],
  }));
  return [outcome, ...gates];
}

/** JUnit XML (the common Ant/Jenkins shape): a suite per node with a case per node × gate, and a suite of hooks. */
export function renderReportJunit(r: Report): string {
  const s = r.summary;
  const suites = r.nodes.map((n) =>
    suite(n.node, nodeCases(r, n), s.startedAt, {
      batch: String(n.batch ?? '-'),
      outOfRotationMs: String(n.outOfRotationMs ?? '-'),
      state: n.state,
    }),
  );
  const hooks = r.hooks.map<Case>((h) => ({
    classname: 'lrroll.hooks',
    name: `${h.point}${h.node ? ` ${h.node}` : ''}: ${h.title}`,
    ms: h.durationMs,
    status: h.status,
    message: h.detail,
    body: h.detail ? [h.detail] : [],
  }));
  if (hooks.length > 0) suites.push(suite('hooks', hooks, s.startedAt, {}));
  const runProps = {
    runId: s.runId,
    planHash: s.planHash,
    verdict: s.verdict,
    overrides: String(r.plan.changes.filter((c) => c.override).length),
    outcome: s.outcome,
    gitCommit: s.gitCommit ?? '-',
    user: `${s.user}@${s.host}`,
  };
  const allCases = [...r.nodes.flatMap((n) => nodeCases(r, n)), ...hooks];
  const head =
    `<testsuites name="${x(`lrroll: ${s.name}`)}" tests="${allCases.length}" failures="` +
    `${allCases.filter(isFailure).length}" errors="${allCases.filter(isError).length}" time="` +
    `${junitSeconds(s.durationMs)}">`;
  const comment = `<!-- ${Object.entries(runProps)
    .map(([k, v]) => `${k}=${stripControl(v).replace(/-(?=-)/g, '- ')}`)
    .join(' ')} -->`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${comment}\n${head}\n${suites.join('\n')}\n</testsuites>\n`;
}
