import type { SourceLocation } from '../errors/diagnostics.js';
import type { Playbook } from '../playbook/playbook.generated.js';
import { DEFAULTS, EXPECTED, STEP_DEADLINES } from './defaults.js';
import type { Templater } from './scope.js';
import { makeStep } from './step.js';
import type { LbHealthUpStep, LbWaitUpStep, PlanLoadBalancer, Step } from './types.js';

// HAProxy's `set server <bk>/<srv> health up` after a node passed lrroll's own gates: the member is UP at once rather
// than after its health checks rise again (loadBalancer.healthUpAfterProbe). Only after the HTTP probe: without it,
// HAProxy's checks are the only ones that ever asked the app for a page.

/** Whether the playbook's HAProxy marks members UP after the probe (the default), as the plan records it. */
export function resolveHealthUp(lb: Playbook['loadBalancer']): boolean {
  return lb?.type === 'haproxy' && (lb.healthUpAfterProbe ?? DEFAULTS.loadBalancer.healthUpAfterProbe);
}

/** The `lb-health-up` step of a member; null unless the load balancer is HAProxy with `healthUpAfterProbe` on. */
export function healthUpStep(
  lb: PlanLoadBalancer,
  member: string,
  base: Pick<LbHealthUpStep, 'node' | 'runOn' | 'secretEnv' | 'become' | 'readTimeoutSec'>,
): LbHealthUpStep | null {
  if (lb.type !== 'haproxy' || !lb.healthUpAfterProbe) return null;
  const many = lb.instances.length > 1;
  const on = many ? ` (on ${lb.instances.map((i) => i.name).join(', ')})` : '';
  return makeStep<LbHealthUpStep>({
    action: 'lb-health-up',
    member,
    title: `mark ${member} UP in ${many ? 'every HAProxy' : 'HAProxy'} now that its HTTP probe passed (health up)`,
    ...base,
    api: `set server ${lb.pool}/${member} health up${on}`,
    command: null,
    timeoutSec: STEP_DEADLINES.lbActionSec,
    expectSec: EXPECTED.lbActionSec,
  });
}

/**
 * The steps that put a node back: enable, then — when the plan has one and the node has an HTTP probe — `health up`,
 * then the wait for UP, which then expects one read rather than the checks' rise.
 */
export function returnSteps(
  lb: { enable: Step; healthUp: LbHealthUpStep | null; waitUp: LbWaitUpStep },
  hasHttpProbe: boolean,
): Step[] {
  if (!lb.healthUp || !hasHttpProbe) return [lb.enable, lb.waitUp];
  return [lb.enable, lb.healthUp, { ...lb.waitUp, expectSec: EXPECTED.lbActionSec }];
}

/**
 * `healthUpAfterProbe: true` written while the HTTP probe is off: nothing to follow, so no step; the warning says why
 * the member still waits for HAProxy's checks.
 */
export function warnHealthUpWithoutProbe(
  playbook: Pick<Playbook, 'loadBalancer' | 'health'>,
  templater: Templater,
  locate: (field: string) => SourceLocation,
): void {
  const lb = playbook.loadBalancer;
  if (lb?.type !== 'haproxy' || lb.healthUpAfterProbe !== true) return;
  if (playbook.health?.http?.enabled ?? DEFAULTS.health.httpEnabled) return;
  templater.warn(
    '`loadBalancer.healthUpAfterProbe` has no effect: `health.http` is off, so no HTTP probe passes ' +
      "before a node goes back and HAProxy's own checks decide when it is UP",
    'turn `health.http` on, or remove `healthUpAfterProbe`',
    locate('healthUpAfterProbe'),
  );
}
