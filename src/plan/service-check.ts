import type { ResolvedNode } from './nodes.js';
import { shq } from '../shell/quote.js';
import { STEP_DEADLINES } from './defaults.js';
import { makeStep } from './step.js';
import type { CheckServiceStep } from './types.js';

/** The program a shell command runs: its first word after `NAME=value` assignments (single quotes removed), or null. */
export function programOf(command: string): string | null {
  const m = /^\s*(?:[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"[^"]*"|[^\s'"]*)\s+)*('[^']*'|[^\s;&|()<>'"]+)/.exec(command);
  const word = m?.[1];
  if (!word) return null;
  return word.startsWith("'") ? word.slice(1, -1) : word;
}

/**
 * Preflight on a healthy node: the configured `status` command must say the app server runs
 * (else lrroll could not tell a stop from a broken status check), and the programs of the stop
 * and start commands must exist (else a stop would "fail" while the app keeps running).
 */
export function serviceCheckStep(node: ResolvedNode): CheckServiceStep {
  const s = node.service;
  const programs = [...new Set([s.stop, s.start].map(programOf).filter((p): p is string => p !== null))];
  const lines = [
    'rc=0',
    ...programs.map(
      (p) =>
        `command -v ${shq(p)} >/dev/null 2>&1 || { printf '%s\\n' ` +
        shq(`lrroll: ${p} (from the service's stop/start commands) is not found or not executable on this node`) +
        ` >&2; rc=1; }`,
    ),
    `if ( ${s.status}\n) >/dev/null 2>&1; then :; else printf '%s\\n' ` +
      shq(
        'lrroll: the service status command says the app server is NOT running on this healthy node: ' +
          'fix service.status (or pidFile), or lrroll cannot tell when a stop worked',
      ) +
      ` >&2; rc=1; fi`,
    'exit "$rc"',
  ];
  return makeStep<CheckServiceStep>({
    action: 'check-service',
    node: node.plan.name,
    title: `the ${s.type} service: status says running, ${programs.join(', ') || 'its commands'} found`,
    runOn: 'node',
    command: lines.join('\n'),
    become: s.become,
    secretEnv: s.secretEnv,
    statusCommand: s.status,
    timeoutSec: STEP_DEADLINES.checkSec,
    expectSec: 1,
  });
}
