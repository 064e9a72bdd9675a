import { describe, expect, it } from 'vitest';
import { INPUT_LIMITS } from '../../../src/playbook/limits.js';
import { playbookSchema } from '../../../src/playbook/schema.js';
import { BASE, errorsOf, planText, withBase } from './helpers.js';

describe('durations are finite and at most 24 hours', () => {
  it.each([
    ['1e400', 'E_TYPE 17:17 `loadBalancer.drainTimeout` is `Infinity`, which is not a finite number'],
    ['.nan', 'E_TYPE 17:17 `loadBalancer.drainTimeout` is `NaN`, which is not a finite number'],
    ['-.inf', 'E_TYPE 17:17 `loadBalancer.drainTimeout` is `-Infinity`, which is not a finite number'],
    ['1e300', 'E_DURATION 17:17 `loadBalancer.drainTimeout` is `1e+300` seconds, longer than the 24h limit'],
    ['86401', 'E_DURATION 17:17 `loadBalancer.drainTimeout` is `86401` seconds, longer than the 24h limit'],
    ['600h', 'E_DURATION 17:17 `loadBalancer.drainTimeout` is `600h`, longer than the 24h limit'],
    ['"24h 1s"', 'E_DURATION 17:17 `loadBalancer.drainTimeout` is `24h 1s`, longer than the 24h limit'],
  ])('drainTimeout: %s', async (value, expected) => {
    expect(errorsOf(await planText(withBase('drainTimeout: 2m', `drainTimeout: ${value}`)))).toEqual([expected]);
  });

  it('stopTimeout: 600h (which overflowed Node timers and force-killed at once) is refused', async () => {
    const text = withBase(
      '    liferayHome: /opt/liferay\n',
      '    liferayHome: /opt/liferay\n    service: { stopTimeout: 600h }\n',
    );
    expect(errorsOf(await planText(text))).toEqual([
      'E_DURATION 6:29 `inventory.defaults.service.stopTimeout` is `600h`, longer than the 24h limit',
    ]);
  });

  it('24h exactly is accepted and planned as 86400 s', async () => {
    const outcome = await planText(withBase('drainTimeout: 2m', 'drainTimeout: 24h'));
    expect(errorsOf(outcome)).toEqual([]);
    expect(outcome.plan?.loadBalancer.drainTimeoutSec).toBe(86400);
  });

  it('every number-of-seconds branch of the schema carries the same limit as the code', () => {
    const schema = playbookSchema();
    const duration = (schema.definitions as Record<string, { oneOf: Array<{ maximum?: number; format?: string }> }>)
      .duration;
    expect(duration?.oneOf[0]?.maximum).toBe(INPUT_LIMITS.maxDurationSec);
    expect(duration?.oneOf[1]?.format).toBe('lrroll-duration');
  });
});

describe('counts and other numbers are bounded', () => {
  it.each([
    ['serial: 1e12', 'E_SCHEMA 21:11 `rollout.serial` is `1000000000000`, more than the maximum 100000'],
    [
      'serial: [1, 99999999999999999999]',
      'E_SCHEMA 21:15 `rollout.serial[1]` is `100000000000000000000`, more than the maximum 100000',
    ],
    ['seed: -1', 'E_SCHEMA 21:9 `rollout.seed` is `-1`, less than the minimum 0'],
    ['maxFailures: 1e9', 'E_SCHEMA 21:16 `rollout.maxFailures` is `1000000000`, more than the maximum 100000'],
  ])('rollout %s', async (line, expected) => {
    expect(errorsOf(await planText(`${BASE}rollout:\n  ${line}\n`))).toEqual([expected]);
  });

  it('a non-finite number anywhere, even in vars, is an error', async () => {
    expect(errorsOf(await planText(`${BASE}vars:\n  big: .inf\n`))).toEqual([
      'E_TYPE 21:8 `vars.big` is `Infinity`, which is not a finite number',
    ]);
  });
});
