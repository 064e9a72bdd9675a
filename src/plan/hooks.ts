import type { SourceLocation } from '../errors/diagnostics.js';
import type { Hook } from '../playbook/playbook.generated.js';
import { DEFAULTS, EXPECTED } from './defaults.js';
import { parseDuration } from './duration.js';
import type { Templater } from './scope.js';
import { makeStep } from './step.js';
import type { TemplateScope } from '../domain/template.js';
import type { HookPoint, HookStep } from './types.js';

/** Where a hook is being placed: its point, node and batch, and the scope for its templates. */
export interface HookSite {
  point: HookPoint;
  node: string | null;
  batch: number | null;
  scope: TemplateScope;
  playbookName: string;
}

/** The `body` value that sends the run's JSON report summary instead of a text body. */
const REPORT_BODY = 'report';

/** Builds the step for one hook at one site; `locate` finds fields of the hook for diagnostics. */
export function hookStep(
  hook: Hook,
  site: HookSite,
  templater: Templater,
  locate: (field: string) => SourceLocation,
): HookStep {
  const timeoutSec = parseDuration(hook.timeout ?? DEFAULTS.hook.timeout);
  const continueOnError = hook.continueOnError ?? DEFAULTS.hook.continueOnError;
  const common = { point: site.point, node: site.node, continueOnError, timeoutSec, expectSec: EXPECTED.hookSec };
  if (hook.webhook !== undefined) {
    const url = templater.url(hook.webhook, site.scope, locate('webhook'), site.node ?? undefined);
    const secrets = new Set(url.secretEnv);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(hook.headers ?? {})) {
      const r = templater.render(v, site.scope, 'text', locate('headers'), site.node ?? undefined);
      r.secretEnv.forEach((s) => secrets.add(s));
      headers[k] = r.text;
    }
    const method = hook.method ?? DEFAULTS.hook.method;
    // `body: report` asks for the run's report summary, which exists only when the hook runs.
    const report = hook.body === REPORT_BODY && method !== 'GET';
    const body =
      hook.body === undefined || report
        ? defaultBody(site)
        : templater.render(hook.body, site.scope, 'text', locate('body'), site.node ?? undefined);
    body.secretEnv.forEach((s) => secrets.add(s));
    if (hook.body === undefined || report) headers['content-type'] ??= 'application/json';
    return makeStep<HookStep>({
      action: 'hook',
      ...common,
      title:
        `${site.point} hook: ${hook.name ?? `${method} ${url.text}`}` +
        `${report ? ' (body: the run report summary)' : ''}`,
      runOn: 'webhook',
      api: `${method} ${url.text}`,
      secretEnv: [...secrets].sort(),
      request: { method, url: url.text, headers, body: method === 'GET' || report ? null : body.text, report },
    });
  }
  // A hook with neither `run` nor `webhook` is an error of its own (E_HOOK, plan/checks.ts): no plan of it runs.
  const run = templater.render(hook.run ?? 'true', site.scope, 'shell', locate('run'), site.node ?? undefined);
  return makeStep<HookStep>({
    action: 'hook',
    ...common,
    title: `${site.point} hook: ${hook.name ?? run.text.split('\n')[0] ?? ''}`,
    runOn: hook.on ?? DEFAULTS.hook.on,
    command: run.text,
    secretEnv: run.secretEnv,
    request: null,
  });
}

function defaultBody(site: HookSite): { text: string; secretEnv: string[] } {
  return {
    text: JSON.stringify({ event: site.point, playbook: site.playbookName, batch: site.batch, node: site.node }),
    secretEnv: [],
  };
}
