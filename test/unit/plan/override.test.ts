import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { runStartOf } from '../../../src/execute/events.js';
import { applyOverrides } from '../../../src/plan/override.js';
import type { ChangeVerdict, Plan } from '../../../src/plan/types.js';
import { startVerdict, refuse } from '../../../src/plan/verdict.js';
import { renderPlanText } from '../../../src/render/plan-text.js';
import { zipBuffer } from '../../helpers/make-zip.js';
import { errorsOf, planText, withBase } from '../input/helpers.js';

// `change.override`: a recorded decision relaxes a verdict resting on a missing declaration or an
// unknown fact, never one resting on evidence.

const at = (i: number) => ({ file: 'p.yml', line: 10 + i, col: 5 });
const OVERRIDE = {
  verdict: 'rolling' as const,
  reason: 'Liferay support confirmed the hotfix is revertible',
  ticket: 'LPP-51234',
};

function verdict(basis: ChangeVerdict['basis'] | null): ChangeVerdict {
  const v = startVerdict(0, 'hotfix', 'hotfix hotfix-1234-7210', 'row');
  return basis === null ? v : refuse(v, basis, 'because');
}

describe('which verdicts an override may relax', () => {
  it.each(['missing-declaration', 'unknown-fact'] as const)(
    'a full restart resting on a %s is relaxed, and the override is recorded with what it was',
    (basis) => {
      const v = verdict(basis);
      const diagnostics = applyOverrides([v], [{ type: 'hotfix', artifact: 'x.zip', override: OVERRIDE }], at);
      expect(diagnostics).toEqual([]);
      expect(v.level).toBe('rolling');
      expect(v.override).toEqual({
        verdict: 'rolling',
        was: 'full-restart',
        reason: OVERRIDE.reason,
        ticket: 'LPP-51234',
      });
    },
  );

  it.each(['artifact', 'breaking-level', 'node-facts', 'rule', 'declaration'] as const)(
    'a full restart resting on %s is not relaxed: a located error (exit 2)',
    (basis) => {
      const v = verdict(basis);
      const [d] = applyOverrides([v], [{ type: 'hotfix', artifact: 'x.zip', override: OVERRIDE }], at);
      expect(d).toMatchObject({ severity: 'error', code: 'E_OVERRIDE', source: at(0), detail: 'because' });
      expect(d?.summary).toContain('which an override cannot relax');
      expect(v.level).toBe('full-restart');
      expect(v.override).toBeNull();
    },
  );

  it('an override of a verdict that is already rolling relaxes nothing: a warning, not applied', () => {
    const v = verdict(null);
    const [d] = applyOverrides(
      [v],
      [{ type: 'hotfix', artifact: 'x.zip', override: { verdict: 'rolling', reason: 'just in case' } }],
      at,
    );
    expect(d).toMatchObject({ severity: 'warning', code: 'W_OVERRIDE' });
    expect(v.override).toBeNull();
  });

  it('without a ticket the override records null', () => {
    const v = verdict('unknown-fact');
    applyOverrides(
      [v],
      [{ type: 'hotfix', artifact: 'x.zip', override: { verdict: 'rolling-with-warning', reason: 'checked by hand' } }],
      at,
    );
    expect(v.override).toEqual({
      verdict: 'rolling-with-warning',
      was: 'full-restart',
      reason: 'checked by hand',
      ticket: null,
    });
    expect(v.level).toBe('rolling-with-warning');
  });
});

const JAVA = (override: string) =>
  withBase(
    'change:\n  type: restart\n',
    `change:\n  type: java\n  javaHome: /opt/jdk-17.0.13\n  to: 17.0.13\n${override}`,
  );

describe('an override in a playbook', () => {
  it(
    'relaxes an unknown Java version, shows it first in the text view, and travels in run-start and the ' + 'record',
    async () => {
      const outcome = await planText(
        JAVA(
          `  override:\n    verdict: rolling\n    reason: every node runs 17.0.12, checked in the ` +
            `CMDB\n    ticket: CHG-42\n`,
        ),
      );
      expect(errorsOf(outcome)).toEqual([]);
      const plan = outcome.plan as Plan;
      expect(plan.verdict.level).toBe('rolling');
      expect(plan.verdict.refused).toBe(false);
      expect(plan.verdict.changes[0]?.override).toEqual({
        verdict: 'rolling',
        was: 'full-restart',
        reason: 'every node runs 17.0.12, checked in the CMDB',
        ticket: 'CHG-42',
      });
      const text = renderPlanText(plan, { full: false, chalk: new Chalk({ level: 0 }) }).split('\n');
      expect(text[0]).toBe(
        'Verdict: ✔ ROLLING — every change may be rolled node by node (overridden by the playbook for 1 change(s))',
      );
      expect(text[1]).toBe(
        '  OVERRIDE [1] Java ? → 17.0.13: full-restart → rolling — "every node runs 17.0.12, checked in ' +
          'the CMDB" (CHG-42)',
      );
      expect(runStartOf(plan, 'r1')).toMatchObject({
        verdict: 'rolling',
        overrides: [
          {
            change: 0,
            verdict: 'rolling',
            was: 'full-restart',
            reason: 'every node runs 17.0.12, checked in the CMDB',
            ticket: 'CHG-42',
          },
        ],
      });
    },
  );

  it('is part of the plan hash: another reason or ticket gives another hash', async () => {
    const hash = async (reason: string, ticket: string): Promise<string> =>
      (
        (await planText(JAVA(`  override:\n    verdict: rolling\n    reason: ${reason}\n    ticket: ${ticket}\n`)))
          .plan as Plan
      ).hash;
    const a = await hash('checked', 'T-1');
    expect(await hash('checked', 'T-1')).toBe(a);
    expect(await hash('checked again', 'T-1')).not.toBe(a);
    expect(await hash('checked', 'T-2')).not.toBe(a);
  });

  it("cannot relax the playbook's own declaration (`rollingSafe: false`): a located error, exit 2", async () => {
    const playbook = withBase(
      'change:\n  type: restart\n',
      `change:\n  type: custom\n  name: migrate data\n  commands: ["true"]\n  rollingSafe: false\n  ` +
        `override:\n    verdict: rolling\n    reason: we think it is fine\n`,
    );
    const outcome = await planText(playbook);
    expect(outcome.plan).toBeUndefined();
    expect(errorsOf(outcome)).toEqual([
      "E_OVERRIDE 23:3 change [1]: the full-restart verdict rests on the playbook's own declaration, " +
        'which an override cannot relax',
    ]);
  });

  it('cannot relax evidence read from the artifact: SQL in the hotfix is a located error, exit 2', async () => {
    const doc = JSON.stringify({ patch: { name: 'hotfix-77-7210', product: 'dxp' } });
    const zip = await zipBuffer({
      'fixpack_documentation.json': doc,
      'sql/update-7.2.sql': 'ALTER TABLE x DROP COLUMN y;',
    });
    const playbook = withBase(
      'change:\n  type: restart\n',
      `change:\n  type: hotfix\n  artifact: h.zip\n  revertible: true\n  override:\n    verdict: ` +
        `rolling\n    ticket: LPP-1\n    reason: support said so\n`,
    );
    const outcome = await planText(playbook, { 'h.zip': zip });
    expect(outcome.plan).toBeUndefined();
    expect(errorsOf(outcome)).toEqual([
      'E_OVERRIDE 22:3 change [1]: the full-restart verdict rests on evidence read from the artifact ' +
        'itself, which an override cannot relax',
    ]);
    expect(outcome.diagnostics.find((d) => d.code === 'E_OVERRIDE')?.detail).toContain(
      'SQL or upgrade steps (sql/update-7.2.sql)',
    );
  });

  it('an override whose reason is blank is a schema error', async () => {
    const outcome = await planText(JAVA(`  override:\n    verdict: rolling\n    reason: "   "\n`));
    expect(errorsOf(outcome).join('\n')).toContain('reason');
  });

  it(
    'a hotfix with class changes and no `revertible` declaration, overridden: relaxed (a missing ' + 'declaration)',
    async () => {
      const zip = await zipBuffer({
        'fixpack_documentation.json': JSON.stringify({ patch: { name: 'hotfix-78-7210', product: 'dxp' } }),
        'WEB-INF/classes/com/acme/Login.class': 'cafebabe',
      });
      const playbook = withBase(
        'change:\n  type: restart\n',
        `change:\n  type: hotfix\n  artifact: h.zip\n  override:\n    verdict: rolling\n    reason: ` +
          `support says the hotfix is revertible\n`,
      );
      const outcome = await planText(playbook, { 'h.zip': zip });
      expect(errorsOf(outcome)).toEqual([]);
      const change = outcome.plan?.verdict.changes[0];
      expect(change?.basis).toBe('missing-declaration');
      expect(change?.override).toMatchObject({ was: 'full-restart', verdict: 'rolling' });
      expect(outcome.plan?.verdict.level).toBe('rolling');
    },
  );
});
