/**
 * The validation suite: every fixture in test/fixtures/playbooks/invalid/ is a realistic playbook
 * with one kind of mistake (45-many-mistakes.yml has many). Each one goes through the full
 * pipeline (`planPlaybook`: YAML parse, schema, inventory, artifacts, checks, compile) and must
 * produce exactly the expected errors, each with its code, exact line:col (pointing at the
 * offending key or value), a piece of its summary and, where there is one, of its hint.
 *
 * Rows in BUGS are regressions: each describes the correct behaviour for a diagnostic that was
 * once wrong (the `bug` field says how).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import type { Diagnostic, DiagnosticCode } from '../../../src/errors/diagnostics.js';
import { formatDiagnostics } from '../../../src/errors/format.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/playbooks/invalid/', import.meta.url));
/** Fixture paths as a user would type them from the repository root (stable in messages and snapshots). */
const REL_DIR = relative(process.cwd(), FIXTURE_DIR) || '.';
const CLI = join(ROOT, 'dist/bin/lrroll.js');

function fixture(name: string): string {
  return join(REL_DIR, name);
}

/** One expected diagnostic: code, exact position, and substrings of the summary and hint. */
interface Expected {
  code: DiagnosticCode;
  line: number;
  col: number;
  summary: string;
  /** A substring the hint must contain (the hint must exist). */
  hint?: string;
  /** A substring the hint must NOT contain (e.g. advice that does not fit the mistake). */
  hintNot?: string;
}

interface Case {
  fixture: string;
  expected: Expected[];
  /** Exactly these errors and no others (default). `false`: other errors are tolerated. */
  exact?: boolean;
}

interface BugCase extends Case {
  /** What is wrong today (the row states the correct behaviour). */
  bug: string;
}

const CASES: Case[] = [
  // --- YAML syntax ------------------------------------------------------------------------
  {
    fixture: '03-yaml-tab-indent.yml',
    expected: [
      {
        code: 'E_YAML',
        line: 16,
        col: 1,
        summary: 'tabs are not allowed as indentation',
        hint: 'indent with spaces, not tabs',
      },
    ],
  },
  {
    fixture: '04-duplicate-key.yml',
    expected: [
      {
        code: 'E_DUPLICATE_KEY',
        line: 12,
        col: 3,
        summary: 'this key appears twice in the same mapping',
        hint: 'remove one of them',
      },
    ],
  },
  // --- wrong types ------------------------------------------------------------------------
  {
    fixture: '05-type-string-for-integer.yml',
    expected: [
      {
        code: 'E_TYPE',
        line: 6,
        col: 15,
        summary: '`inventory.defaults.httpPort` must be an integer, not `eighty-eighty`',
      },
    ],
  },
  {
    fixture: '06-type-list-for-mapping.yml',
    expected: [
      { code: 'E_TYPE', line: 5, col: 3, summary: '`vars` must be a mapping (`key: value` lines), not a list' },
    ],
  },
  {
    fixture: '50-empty-playbook.yml',
    expected: [
      { code: 'E_TYPE', line: 1, col: 1, summary: 'must be a mapping (`key: value` lines), not empty (null)' },
    ],
  },
  // --- unknown keys -----------------------------------------------------------------------
  {
    fixture: '07-unknown-key-serail.yml',
    expected: [
      {
        code: 'E_UNKNOWN_KEY',
        line: 17,
        col: 3,
        summary: 'unknown key `serail` in `rollout`',
        hint: 'did you mean `serial`?',
      },
    ],
  },
  {
    fixture: '08-unknown-key-prot.yml',
    expected: [
      {
        code: 'E_UNKNOWN_KEY',
        line: 12,
        col: 7,
        summary: 'unknown key `prot` in `inventory.nodes[1]`',
        hint: 'did you mean `port`?',
      },
    ],
  },
  {
    fixture: '09-unknown-key-drainTimout.yml',
    expected: [
      {
        code: 'E_UNKNOWN_KEY',
        line: 12,
        col: 3,
        summary: 'unknown key `drainTimout` in `loadBalancer`',
        hint: 'did you mean `drainTimeout`?',
      },
    ],
  },
  {
    fixture: '10-unknown-key-no-match.yml',
    expected: [
      {
        code: 'E_UNKNOWN_KEY',
        line: 14,
        col: 1,
        summary: 'unknown key `notify` at the top level',
        hint:
          'allowed keys: `lrroll`, `name`, `description`, `vars`, `inventory`, `loadBalancer`, ' +
          '`change`, `rollout`, `health`, `hooks`',
        hintNot: 'did you mean',
      },
    ],
  },
  {
    // Both are true: the required key is missing and the misspelt one is unknown (with the fix as hint).
    fixture: '49-unknown-key-in-change.yml',
    expected: [
      {
        code: 'E_REQUIRED',
        line: 12,
        col: 1,
        summary: '`change` is missing the required key `artifact`',
        hint: 'The jar/war/lpkg on this machine',
      },
      {
        code: 'E_UNKNOWN_KEY',
        line: 14,
        col: 3,
        summary: 'unknown key `artefact` in `change`',
        hint: 'did you mean `artifact`?',
      },
    ],
  },
  // --- missing required keys --------------------------------------------------------------
  {
    fixture: '13-fixpack-without-artifact.yml',
    expected: [
      {
        code: 'E_REQUIRED',
        line: 12,
        col: 1,
        summary: '`change` is missing the required key `artifact`',
        hint: 'The patch zip on this machine',
      },
    ],
  },
  {
    fixture: '14-haproxy-without-backend.yml',
    expected: [
      {
        code: 'E_REQUIRED',
        line: 8,
        col: 1,
        summary: '`loadBalancer` is missing the required key `backend`',
        hint: 'The HAProxy backend holding the Liferay servers',
      },
    ],
  },
  {
    fixture: '60-lb-socket-and-instances.yml',
    expected: [
      {
        code: 'E_LB_INSTANCE',
        line: 12,
        col: 3,
        summary: '`loadBalancer` has both `socket` and `instances`',
        hint: 'list every instance under `instances`',
      },
      { code: 'E_LB_INSTANCE', line: 15, col: 13, summary: 'load-balancer instance name `lb1` is used twice' },
    ],
  },
  {
    fixture: '61-apache-without-url.yml',
    expected: [
      {
        code: 'E_LB_INSTANCE',
        line: 9,
        col: 3,
        summary: 'the apache load balancer needs `url` (one instance) or `instances` (several)',
        hint: 'http://lb.internal/balancer-manager',
      },
    ],
  },
  {
    fixture: '40-inventory-without-nodes.yml',
    expected: [
      {
        code: 'E_REQUIRED',
        line: 4,
        col: 1,
        summary: '`inventory` needs `nodes` (inline) or `file` (an inventory file)',
      },
    ],
  },
  {
    fixture: '44-portal-properties-empty.yml',
    expected: [
      { code: 'E_REQUIRED', line: 13, col: 3, summary: 'a `portal-properties` change needs `set` or `unset`' },
    ],
  },
  // --- unknown kinds and enum values ------------------------------------------------------
  {
    fixture: '15-unknown-change-type.yml',
    expected: [
      {
        code: 'E_ENUM',
        line: 13,
        col: 9,
        summary: '`change.type` is `fixpak`, which is not a known type',
        hint: 'did you mean `fixpack`?',
      },
    ],
  },
  {
    fixture: '16-unknown-lb-type.yml',
    expected: [
      {
        code: 'E_ENUM',
        line: 9,
        col: 9,
        summary: '`loadBalancer.type` is `nginx`, which is not a known type',
        hint: 'allowed types: `haproxy`, `apache`, `mod_jk`, `command`, `none`',
      },
    ],
  },
  {
    fixture: '17-strategy-roling.yml',
    expected: [
      {
        code: 'E_ENUM',
        line: 16,
        col: 13,
        summary: '`rollout.strategy` is `roling`, which is not allowed',
        hint: 'did you mean `rolling`?',
      },
    ],
  },
  {
    fixture: '39-lrroll-version-2.yml',
    expected: [{ code: 'E_SCHEMA', line: 2, col: 9, summary: '`lrroll` must be 1', hint: 'write `lrroll: 1`' }],
  },
  // --- durations, percentages, serial -----------------------------------------------------
  {
    fixture: '18-duration-5-minutes.yml',
    expected: [
      {
        code: 'E_DURATION',
        line: 8,
        col: 20,
        summary: '`inventory.defaults.service.stopTimeout` is `5 minutes`, which is not a duration',
        hint: '`30s`, `5m`, `1h30m`',
      },
    ],
  },
  {
    fixture: '19-duration-true.yml',
    expected: [
      {
        code: 'E_DURATION',
        line: 17,
        col: 11,
        summary: '`health.settle` is `true`, which is not a duration',
        hint: 'a number of seconds',
      },
    ],
  },
  {
    fixture: '20-percent-abc.yml',
    expected: [
      {
        code: 'E_PERCENT',
        line: 17,
        col: 15,
        summary: '`rollout.minHealthy` is `abc`, which is neither a node count nor a percentage',
        hint: 'a percentage like `"25%"`',
      },
    ],
  },
  {
    fixture: '21-percent-150-space.yml',
    expected: [
      {
        code: 'E_PERCENT',
        line: 17,
        col: 16,
        summary: '`rollout.maxFailures` is `150 %`, which is neither a node count nor a percentage',
        hint: 'a percentage like `"25%"`',
      },
    ],
  },
  {
    fixture: '24-serial-list-item-bad.yml',
    expected: [
      {
        code: 'E_SERIAL',
        line: 18,
        col: 15,
        summary: '`rollout.serial[1]` is `two`, which is not a batch size',
        hint: 'use an integer ≥ 1, `0` or `-1`',
      },
    ],
  },
  {
    fixture: '27-serial-cannot-cover.yml',
    expected: [
      {
        code: 'E_SERIAL',
        line: 16,
        col: 11,
        summary: 'batch 2 takes 2 of 3 nodes out, leaving 1 healthy, below rollout.minHealthy (2)',
        hint: 'batches may hold at most 1 node(s)',
      },
    ],
  },
  {
    fixture: '28-min-healthy-whole-cluster.yml',
    expected: [
      {
        code: 'E_MIN_HEALTHY',
        line: 17,
        col: 15,
        summary: 'rollout.minHealthy is 3 but the cluster has 3 node(s)',
        hint: 'use at most 2',
      },
    ],
  },
  // --- nodes ------------------------------------------------------------------------------
  {
    fixture: '25-duplicate-node-name.yml',
    expected: [
      {
        code: 'E_DUPLICATE_NODE',
        line: 10,
        col: 7,
        summary: 'node name `node2` is used twice',
        hint: '25-duplicate-node-name.yml:8:7',
      },
    ],
  },
  {
    fixture: '26-node-name-invalid-chars.yml',
    expected: [
      { code: 'E_SCHEMA', line: 7, col: 13, summary: '`inventory.nodes[1].name` `liferay node 2` is not a valid name' },
    ],
  },
  // --- templates --------------------------------------------------------------------------
  {
    fixture: '29-template-undefined-var.yml',
    expected: [
      {
        code: 'E_TEMPLATE',
        line: 18,
        col: 10,
        summary: 'template `{{ portalPrt }}` names an undefined variable',
        hint: 'did you mean `portalPort`?',
      },
    ],
  },
  {
    fixture: '30-template-malformed.yml',
    expected: [{ code: 'E_TEMPLATE', line: 17, col: 7, summary: 'malformed template' }],
  },
  // --- hooks ------------------------------------------------------------------------------
  {
    fixture: '32-hook-run-and-webhook.yml',
    expected: [
      {
        code: 'E_HOOK',
        line: 16,
        col: 7,
        summary: 'a hook has both `run` and `webhook`',
        hint: 'split it into two hooks',
      },
    ],
  },
  // --- references to nodes ----------------------------------------------------------------
  {
    fixture: '35-canary-unknown-node.yml',
    expected: [
      {
        code: 'E_UNKNOWN_NODE',
        line: 17,
        col: 13,
        summary: '`rollout.canary.nodes` names `node4`, which is not a node of the inventory',
        hint: 'did you mean `node1`?',
      },
    ],
  },
  // --- maintenance window, versions -------------------------------------------------------
  {
    fixture: '36-window-bad-timezone.yml',
    expected: [
      {
        code: 'E_SCHEMA',
        line: 19,
        col: 15,
        summary: '`Europe/Madird` is not an IANA time zone',
        hint: 'Europe/Madrid',
      },
    ],
  },
  {
    fixture: '37-window-start-equals-end.yml',
    expected: [
      { code: 'E_SCHEMA', line: 18, col: 10, summary: 'the maintenance window opens and closes at the same time' },
    ],
  },
  {
    fixture: '38-java-version-bad.yml',
    expected: [
      { code: 'E_SCHEMA', line: 16, col: 7, summary: '`change.to` `jdk-17.0.13` is not a Java version like `17.0.12`' },
    ],
  },
  // --- files ------------------------------------------------------------------------------
  {
    fixture: '41-artifact-missing.yml',
    expected: [
      {
        code: 'E_ARTIFACT',
        line: 14,
        col: 13,
        summary: 'artifact `test/fixtures/playbooks/invalid/files/activation-key.xml` does not exist',
        hint: 'relative to the playbook file',
      },
    ],
  },
  {
    fixture: '42-inventory-file-missing.yml',
    expected: [{ code: 'E_FILE', line: 5, col: 9, summary: 'files/prdo.ini: no such file' }],
  },
  {
    fixture: '51-inventory-nodes-and-file.yml',
    expected: [{ code: 'E_INVENTORY', line: 5, col: 3, summary: '`inventory` has both `nodes` and `file`: use one' }],
  },
  // --- everything at once -----------------------------------------------------------------
  {
    fixture: '45-many-mistakes.yml',
    expected: [
      {
        code: 'E_UNKNOWN_KEY',
        line: 7,
        col: 7,
        summary: 'unknown key `prot` in `inventory.nodes[0]`',
        hint: 'did you mean `port`?',
      },
      { code: 'E_TYPE', line: 9, col: 17, summary: '`inventory.nodes[1].httpPort` must be an integer, not `8080`' },
      {
        code: 'E_DURATION',
        line: 14,
        col: 17,
        summary: '`loadBalancer.drainTimeout` is `5 minutes`, which is not a duration',
        hint: '`5m`',
      },
      { code: 'E_TYPE', line: 18, col: 16, summary: '`change.rollingSafe` must be `true` or `false`, not `yes`' },
      { code: 'E_ENUM', line: 22, col: 13, summary: '`rollout.strategy` is `roling`', hint: 'did you mean `rolling`?' },
      {
        code: 'E_SERIAL',
        line: 23,
        col: 15,
        summary: '`rollout.serial[1]` is `two`, which is not a batch size',
        hint: 'use an integer ≥ 1',
      },
      {
        code: 'E_PERCENT',
        line: 24,
        col: 15,
        summary: '`rollout.minHealthy` is `abc`',
        hint: 'a percentage like `"25%"`',
      },
      { code: 'E_SCHEMA', line: 26, col: 12, summary: '`rollout.window.start` `25:00` is not a time like `22:00`' },
      {
        code: 'E_DUPLICATE_KEY',
        line: 30,
        col: 3,
        summary: 'this key appears twice in the same mapping',
        hint: 'remove one of them',
      },
    ],
  },
];

const BUGS: BugCase[] = [
  {
    fixture: '70-yaml-colon-in-value.yml',
    bug:
      'reported at 4:1 (the next key, `inventory:`) as "this line is indented more than the key before ' +
      'it", with an indentation hint',
    expected: [
      {
        code: 'E_YAML',
        line: 3,
        col: 7,
        summary: 'this value contains `: `',
        hint: 'put the value in quotes: `name: "Fix pack: dxp-15 on production"`',
        hintNot: 'indent',
      },
    ],
  },
  {
    fixture: '71-yaml-colon-in-nested-value.yml',
    bug: 'reported at 17:1 (an empty line after the end of the file) with an indentation hint',
    expected: [
      {
        code: 'E_YAML',
        line: 16,
        col: 12,
        summary: 'this value contains `: `',
        hint: 'put the value in quotes: `- run: "logger -t lrroll done: all nodes restarted"`',
        hintNot: 'indent',
      },
    ],
  },
  {
    fixture: '01-yaml-bad-indent.yml',
    bug:
      'two diagnostics (BLOCK_AS_IMPLICIT_KEY + MULTILINE_IMPLICIT_KEY) at 10:9 (the value `haproxy` on ' +
      'the line before), with the hint "a key must fit on one line"',
    expected: [
      {
        code: 'E_YAML',
        line: 11,
        col: 5,
        summary: 'YAML syntax: this line is indented more than the key before it',
        hint: 'indent it like the other keys',
      },
    ],
  },
  {
    fixture: '46-yaml-under-indent.yml',
    bug:
      'three diagnostics for one mistake: BAD_INDENT at 10:1 (the leading space, not the key) plus two ' +
      'cascading ones at 10:10 with the hint "a key must fit on one line"',
    expected: [
      {
        code: 'E_YAML',
        line: 10,
        col: 2,
        summary: 'all mapping items must start at the same column',
        hint: 'indent it like the other keys',
      },
    ],
  },
  {
    fixture: '02-yaml-unclosed-quote.yml',
    bug:
      'reported at 15:1 (end of file, an empty line in the code frame) instead of the opening quote, ' +
      'with the hint "check the indentation and the `:` after each key"',
    expected: [
      {
        code: 'E_YAML',
        line: 4,
        col: 14,
        summary: 'this double quote is never closed',
        hint: 'close the quote',
        hintNot: 'indentation',
      },
    ],
  },
  {
    fixture: '11-missing-name.yml',
    bug: 'a missing top-level key is reported at 1:1, which is the comment line; the code frame shows the comment',
    expected: [
      {
        code: 'E_REQUIRED',
        line: 2,
        col: 1,
        summary: 'the playbook is missing the required key `name`',
        hint: 'A short human name',
      },
    ],
  },
  {
    fixture: '12-missing-change.yml',
    bug: 'a missing top-level key is reported at 1:1, which is the comment line; the code frame shows the comment',
    expected: [
      {
        code: 'E_REQUIRED',
        line: 2,
        col: 1,
        summary: 'the playbook is missing the required key `change`',
        hint: 'The change to roll out',
      },
    ],
  },
  {
    fixture: '22-serial-zero.yml',
    bug: 'serial 0 was refused by the schema, although in Ansible 0 and -1 mean all remaining hosts',
    expected: [
      {
        code: 'E_SERIAL',
        line: 17,
        col: 11,
        summary: 'batch 1 takes 3 of 3 nodes out, leaving 0 healthy',
        hint: '`minHealthy: 0` allows it',
      },
    ],
  },
  {
    fixture: '23-serial-negative.yml',
    bug:
      'E_SCHEMA "`rollout.serial` must be >= 1" (raw ajv text) and no hint, unlike every other bad ' +
      'serial value (E_SERIAL with a hint)',
    expected: [
      {
        code: 'E_SERIAL',
        line: 16,
        col: 11,
        summary: '`rollout.serial` is `-2`, which is not a batch size',
        hint: '`0` or `-1` for all remaining nodes',
      },
    ],
  },
  {
    fixture: '71-become-password-not-a-secret.yml',
    bug: 'become had no password; a password written in the playbook must be refused without being repeated',
    expected: [
      {
        code: 'E_SCHEMA',
        line: 6,
        col: 25,
        summary:
          '`inventory.defaults.become.password` must be a secret reference such as ' +
          '`"${SUDO_PASSWORD}"`, not the password itself',
        hint: 'environment variable',
      },
    ],
  },
  {
    fixture: '70-serial-decimal-percent.yml',
    bug: 'a decimal percentage was accepted, although Ansible rejects it',
    expected: [
      {
        code: 'E_SERIAL',
        line: 16,
        col: 15,
        summary: '`rollout.serial[1]` is `12.5%`: a serial percentage must be a whole number',
        hint: 'use `"12%"` or `"13%"`',
      },
    ],
  },
  {
    fixture: '48-min-healthy-negative.yml',
    bug:
      'E_SCHEMA "`rollout.minHealthy` must be >= 0" (raw ajv text) and no hint, unlike other bad counts ' +
      '(E_PERCENT with a hint)',
    expected: [{ code: 'E_PERCENT', line: 17, col: 15, summary: '`rollout.minHealthy`', hint: 'use an integer ≥ 0' }],
  },
  {
    fixture: '31-var-named-like-builtin.yml',
    bug: 'reported once per node (9:7 and 10:7, the node entries) instead of once at the `node` key under `vars`',
    expected: [
      { code: 'E_VAR', line: 5, col: 3, summary: '`node` is a built-in template name', hint: 'built-ins: node, host' },
    ],
  },
  {
    fixture: '47-var-name-invalid.yml',
    bug:
      'E_SCHEMA with the raw regex ("does not match the expected form (^[A-Za-z_]…)"), no hint, at 5:3 ' +
      '(the start of `vars`, i.e. the other, valid key) — the E_VAR branch in validate.ts never fires ' +
      'because ajv puts `propertyName` on the error, not in `params`',
    expected: [{ code: 'E_VAR', line: 6, col: 3, summary: '`portal-host`', hint: 'letters, digits and `_`' }],
  },
  {
    fixture: '33-hook-neither.yml',
    bug:
      'the hint says "split it into two hooks", which fits a hook with both `run` and `webhook`, not ' +
      'one with neither',
    expected: [
      {
        code: 'E_HOOK',
        line: 18,
        col: 7,
        summary: 'a hook needs `run` (a command) or `webhook` (a URL)',
        hintNot: 'split',
      },
    ],
  },
  {
    fixture: '34-lb-member-unknown-node.yml',
    bug:
      'the caret is under the member value `liferay5` (14:16) instead of the key `lr-prod-5` that names ' +
      'the unknown node',
    expected: [
      {
        code: 'E_LB_MEMBER',
        line: 14,
        col: 5,
        summary: '`loadBalancer.members` names `lr-prod-5`, which is not a node of the inventory',
        hint: 'did you mean',
      },
    ],
  },
  {
    fixture: '43-service-commands-incomplete.yml',
    bug:
      'a gap in `inventory.defaults.service` is reported once per node, at each node entry (11:7, ' +
      '12:7), none of which has a `service`',
    expected: [
      {
        code: 'E_REQUIRED',
        line: 6,
        col: 5,
        summary: 'service type `commands` needs `status`',
        hint: 'inventory.defaults.service',
      },
    ],
  },
];

function errorsOf(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}

/** One line per diagnostic, for readable failure output. */
function show(d: Diagnostic): string {
  return (
    `${d.code} ${d.source ? `${d.source.line}:${d.source.col}` : '-'} ${d.summary}` +
    `${d.hint ? ` | hint: ${d.hint}` : ''}`
  );
}

function matcher(file: string, e: Expected): unknown {
  const m: Record<string, unknown> = {
    severity: 'error',
    code: e.code,
    source: { file, line: e.line, col: e.col },
    summary: expect.stringContaining(e.summary),
  };
  if (e.hint !== undefined) m.hint = expect.stringContaining(e.hint);
  return expect.objectContaining(m);
}

async function checkCase(c: Case): Promise<void> {
  const file = fixture(c.fixture);
  const outcome = await planPlaybook(file, { vars: {}, limit: null });
  const errors = errorsOf(outcome.diagnostics);
  expect(outcome.plan, 'an invalid playbook must not compile to a plan').toBeUndefined();
  expect(errors.length, 'at least one error').toBeGreaterThan(0);
  expect(errors).toEqual(expect.arrayContaining(c.expected.map((e) => matcher(file, e))));
  for (const e of c.expected) {
    if (e.hintNot === undefined) continue;
    const at = errors.filter((d) => d.code === e.code && d.source?.line === e.line && d.source?.col === e.col);
    for (const d of at) expect(d.hint ?? '', `hint of ${show(d)}`).not.toContain(e.hintNot);
  }
  if (c.exact !== false) expect(errors.map(show)).toHaveLength(c.expected.length);
}

describe('invalid playbooks: every fixture gives the expected diagnostics at the right place', () => {
  it.each(CASES.map((c) => [c.fixture, c] as const))('%s', async (_name, c) => {
    await checkCase(c);
  });

  // Regressions: diagnostics that were once wrong (see each row's `bug`).
  it.each(BUGS.map((c) => [c.fixture, c.bug, c] as const))('%s (fixed: %s)', async (_name, _bug, c) => {
    await checkCase(c);
  });

  it('every fixture file has a row, and there are at least 30', () => {
    const files = readdirSync(FIXTURE_DIR)
      .filter((f) => f.endsWith('.yml'))
      .sort();
    const rows = [...CASES, ...BUGS].map((c) => c.fixture).sort();
    expect(rows).toEqual(files);
    expect(new Set(rows).size).toBe(rows.length);
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it('a password written in the playbook is not repeated in the message, nor in the printed code frame', async () => {
    const { diagnostics, sources } = await planPlaybook(fixture('71-become-password-not-a-secret.yml'), {
      vars: {},
      limit: null,
    });
    expect(JSON.stringify(diagnostics)).not.toContain('hunter2');
    const text = formatDiagnostics(diagnostics, sources, new Chalk({ level: 0 }));
    expect(text).toContain('not the password itself');
    expect(text).toContain('the line is not shown');
    expect(text).not.toContain('hunter2');
  });

  it('every fixture is invalid, whatever the state of the known bugs', async () => {
    for (const c of [...CASES, ...BUGS]) {
      const outcome = await planPlaybook(fixture(c.fixture), { vars: {}, limit: null });
      expect(errorsOf(outcome.diagnostics).length, c.fixture).toBeGreaterThan(0);
      expect(outcome.plan, c.fixture).toBeUndefined();
    }
  });
});

describe('many mistakes at once', () => {
  const file = fixture('45-many-mistakes.yml');

  it('reports all of them in one run, with at least 6 different codes', async () => {
    const { diagnostics } = await planPlaybook(file, { vars: {}, limit: null });
    const errors = errorsOf(diagnostics);
    expect(errors.length).toBeGreaterThanOrEqual(6);
    expect(new Set(errors.map((d) => d.code)).size).toBeGreaterThanOrEqual(6);
    expect(errors.every((d) => d.source?.file === file)).toBe(true);
  });

  it('formats them in file order, each with its source line and a caret under the column', async () => {
    const { diagnostics, sources } = await planPlaybook(file, { vars: {}, limit: null });
    const text = formatDiagnostics(diagnostics, sources, new Chalk({ level: 0 }));
    expect(text.replaceAll(file, '<fixture>')).toMatchInlineSnapshot(`
      "error[E_UNKNOWN_KEY] <fixture>:7:7: unknown key \`prot\` in \`inventory.nodes[0]\`
          |
        7 |       prot: 2222
          |       ^
        hint: did you mean \`port\`?

      error[E_TYPE] <fixture>:9:17: \`inventory.nodes[1].httpPort\` must be an integer, not \`8080\`
          |
        9 |       httpPort: "8080"
          |                 ^

      error[E_DURATION] <fixture>:14:17: \`loadBalancer.drainTimeout\` is \`5 minutes\`, which is not a duration
           |
        14 |   drainTimeout: 5 minutes
           |                 ^
        hint: use a number of seconds or a string like \`30s\`, \`5m\`, \`1h30m\`

      error[E_TYPE] <fixture>:18:16: \`change.rollingSafe\` must be \`true\` or \`false\`, not \`yes\`
           |
        18 |   rollingSafe: yes
           |                ^

      error[E_ENUM] <fixture>:22:13: \`rollout.strategy\` is \`roling\`, which is not allowed
           |
        22 |   strategy: roling
           |             ^
        hint: did you mean \`rolling\`?

      error[E_SERIAL] <fixture>:23:15: \`rollout.serial[1]\` is \`two\`, which is not a batch size
           |
        23 |   serial: [1, two]
           |               ^
        hint: use an integer ≥ 1, \`0\` or \`-1\` for all remaining nodes, a whole percentage like \`"25%"\`, or a list such as \`[1, 2, "50%"]\`

      error[E_PERCENT] <fixture>:24:15: \`rollout.minHealthy\` is \`abc\`, which is neither a node count nor a percentage
           |
        24 |   minHealthy: "abc"
           |               ^
        hint: use an integer ≥ 0 or a percentage like \`"25%"\`

      error[E_SCHEMA] <fixture>:26:12: \`rollout.window.start\` \`25:00\` is not a time like \`22:00\`
           |
        26 |     start: "25:00"
           |            ^

      error[E_DUPLICATE_KEY] <fixture>:30:3: this key appears twice in the same mapping
           |
        30 |   settle: 1m
           |   ^
        hint: remove one of them: YAML keeps only one value per key

      9 errors
      "
    `);
  });
});

describe('the CLI on an invalid playbook', () => {
  it.each([
    '45-many-mistakes.yml',
    '07-unknown-key-serail.yml',
    '25-duplicate-node-name.yml',
    '41-artifact-missing.yml',
  ])('lrroll validate %s exits 2 with located diagnostics and no stack trace', (name) => {
    expect(existsSync(CLI), `${CLI} is missing: build first (npm test does)`).toBe(true);
    const file = fixture(name);
    const r = spawnSync(process.execPath, [CLI, 'validate', file], {
      cwd: process.cwd(),
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
    expect(r.stderr).toMatch(/^error\[E_[A-Z_]+\] /);
    expect(r.stdout).toBe('');
  });

  it('reports the exact position of the mistake', () => {
    expect(existsSync(CLI)).toBe(true);
    const file = fixture('07-unknown-key-serail.yml');
    const r = spawnSync(process.execPath, [CLI, 'validate', file], {
      cwd: process.cwd(),
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.stderr).toContain(`error[E_UNKNOWN_KEY] ${file}:17:3: unknown key \`serail\` in \`rollout\``);
    expect(r.stderr).toContain('hint: did you mean `serial`?');
  });
});
