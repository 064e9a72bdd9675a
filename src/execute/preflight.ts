import { describeFootprint, lrrollDir, parseFootprint } from '../domain/footprint.js';
import { crossedLevels, installedLevel, levelName, parseFixPackLevel } from '../domain/levels.js';
import { judgeInstalledRelease } from '../domain/release-judge.js';
import type {
  CheckDiskStep,
  CheckJavaVersionStep,
  CheckNodeHealthyStep,
  CheckPatchLevelStep,
  CheckReachableStep,
  CheckReleaseStep,
  CheckSchemaVersionStep,
  CheckServiceStep,
  CheckSudoStep,
  CheckToolsStep,
} from '../plan/types.js';
import { javaMajor, javaVersionOf, versionMove } from '../domain/versions.js';
import type { RunState } from './context.js';
import { probePasses, readHttpProbe } from './http-probe.js';
import { failed, lastLine, ok, outcomeOf, runCommand, type StepOutcome } from './run-command.js';
import type { RemoteOutcome } from './run-step.js';

type Check =
  | CheckSudoStep
  | CheckToolsStep
  | CheckReachableStep
  | CheckNodeHealthyStep
  | CheckServiceStep
  | CheckDiskStep
  | CheckSchemaVersionStep
  | CheckPatchLevelStep
  | CheckJavaVersionStep
  | CheckReleaseStep;

/**
 * Runs a read-only preflight check on a node and judges its output; a check that finds the node not ready fails with
 * E_PREFLIGHT.
 */
export async function runPreflightCheck(step: Check, run: RunState): Promise<StepOutcome> {
  const outcome = await judgeCheck(step, run);
  return outcome.code === 'E_STEP_FAILED' ? { ...outcome, code: 'E_PREFLIGHT' } : outcome;
}

async function judgeCheck(step: Check, run: RunState): Promise<StepOutcome> {
  const r = await runCommand(step, step.command, run, {
    quiet: step.action !== 'check-reachable' && step.action !== 'check-service',
  });
  if (step.action === 'check-sudo') return judgeSudo(step, r);
  if (step.action === 'check-tools' && r.exitCode !== 0 && !r.timedOut && !r.aborted && r.exitCode !== null)
    return failed(lastLine(r.stderr)?.replace(/^lrroll: /, '') ?? `exit code ${r.exitCode}`);
  const seen = run.nodes.get(step.node ?? '');
  if (r.exitCode !== 0) {
    if (step.action === 'check-node-healthy' && seen) seen.appSeen = `not answering ${step.url}`;
    return outcomeOf(r, step.title);
  }
  const out = r.stdout.trim();
  switch (step.action) {
    case 'check-reachable':
    case 'check-service':
      return ok();
    case 'check-tools':
      return ok(`${step.tools.length} programs found`);
    case 'check-node-healthy': {
      const answer = readHttpProbe(r);
      const passes = probePasses(answer, step);
      if (seen) seen.appSeen = passes ? `answering ${answer.found}` : `not healthy (${answer.found})`;
      return passes
        ? ok(answer.found)
        : failed(`${step.url} answered ${answer.found}, not ${step.status.join('/')}: the node is not healthy now`);
    }
    case 'check-disk': {
      const free = Number(out.split('\n')[0]);
      const footprint = parseFootprint(out);
      const held = footprint ? `; ${describeFootprint(lrrollDir(step.path), footprint)}` : '';
      return free >= step.requiredBytes
        ? ok(`${Math.floor(free / 1048576)} MiB free${held}`)
        : failed(
            `only ${Math.floor(free / 1048576)} MiB free under ${step.path}; ` +
              `${Math.ceil(step.requiredBytes / 1048576)} MiB needed${held}` +
              `${footprint && footprint.backups > 0 ? ' (`lrroll clean` removes them)' : ''}`,
          );
    }
    case 'check-schema-version':
      return judgeSchema(step, out);
    case 'check-patch-level':
      return judgePatchLevel(step, out);
    case 'check-java-version':
      return judgeJava(step, out);
    case 'check-release': {
      const verdict = judgeInstalledRelease(step, out);
      return verdict.ok ? ok(verdict.message) : failed(verdict.message);
    }
  }
}

/** Judges the installed-bundle line of a `check-schema-version` step. */
export function judgeSchema(step: CheckSchemaVersionStep, out: string): StepOutcome {
  const line = out.split('\n').find((l) => l.startsWith('installed\t'));
  const schema = line === undefined ? null : (line.split('\t')[2] ?? '').trim();
  const found =
    line === undefined ? 'not installed' : schema ? `schema ${schema}` : 'installed without a schema version';
  const e = step.expected;
  // A bundle not found among the jars may still be installed (inside an .lpkg, or known only to Release_): that does
  // not contradict an "installed" fact.
  const contradicts =
    e !== null && (e.installed ? line !== undefined && (e.schemaVersion ?? '') !== (schema ?? '') : line !== undefined);
  if (e && contradicts) {
    return failed(
      `${step.bundle}: the facts the verdict rests on say ` +
        `${e.installed ? `schema ${e.schemaVersion ?? 'none'}` : 'not installed'}, the node has ` +
        `${found}: gather them again (\`lrroll facts\`) or correct the declaration`,
    );
  }
  if (!schema)
    return ok(
      `${step.bundle}: ${found}` +
        (e?.installed && line === undefined
          ? ` among the jars; the facts say schema ${e.schemaVersion ?? 'none'}`
          : ''),
    );
  const move = versionMove(schema, step.newVersion);
  if (move.level === 'major' || move.level === 'minor') {
    return failed(
      `${step.bundle}: installed schema ${schema} → ${step.newVersion} is a ${move.level} ` +
        `${move.direction === 'down' ? 'downgrade' : 'change'}, which cannot be rolled (` +
        (move.direction === 'down'
          ? 'the database keeps the newer schema'
          : 'a required upgrade, not revertible without a database restore') +
        `)`,
    );
  }
  return ok(
    `installed schema ${schema}, new ${step.newVersion} (` +
      (move.level === 'none' ? 'same' : `micro ${move.direction === 'down' ? 'downgrade' : 'change'}`) +
      `)`,
  );
}

/**
 * Judges the installed patches of a `check-patch-level` step: the expected level, and no breaking level crossed either
 * way.
 */
export function judgePatchLevel(step: CheckPatchLevelStep, installedLine: string): StepOutcome {
  const target = parseFixPackLevel(step.target);
  const current = target ? installedLevel(installedLine.split(/[,\s]+/).filter(Boolean), target.family) : undefined;
  const currentName = current ? levelName(current) : '';
  if (step.expected !== null && currentName !== step.expected)
    return failed(
      `installed fix pack level is ${currentName || `none (${installedLine || 'no patches'})`}` +
        `, the plan expected ${step.expected || 'none'}`,
    );
  const from = currentName || `${target?.family ?? 'fp'}-0`;
  const hits = crossedLevels(from, step.target, step.breakingLevels);
  if (hits.length > 0)
    return failed(
      `moving ${currentName || 'from no fix pack'} → ${step.target} crosses the breaking level ` +
        `${hits.join(', ')}: a full cluster restart is needed`,
    );
  return ok(currentName ? `installed ${currentName}` : `no ${target?.family ?? ''} fix pack installed yet`);
}

/** Judges the `java -version` outputs of a `check-java-version` step (the current JVM, `== new`, the new one). */
export function judgeJava(step: CheckJavaVersionStep, out: string): StepOutcome {
  const [current, next] = out.split(/^== new$/m);
  const now = javaVersionOf(current ?? '');
  const then = javaVersionOf(next ?? '');
  if (!then) return failed(`the new JDK does not run: ${lastLine(next ?? '') ?? 'no output'}`);
  const expected = javaVersionOf(step.expected) ?? step.expected;
  if (now && javaMajor(now) !== javaMajor(expected))
    return failed(`the app server starts with Java ${now}, the plan expected Java ${expected}`);
  return ok(`starts with ${now ?? 'unknown (java -version gave no version)'}, new ${then}`);
}

/**
 * sudo's answer, in words an admin acts on: no password configured, a wrong one, a user not allowed, no sudo at all.
 */
function judgeSudo(step: CheckSudoStep, r: RemoteOutcome): StepOutcome {
  if (r.exitCode === 0) return ok(step.passwordFrom ? 'sudo accepted the password' : 'passwordless sudo works');
  if (r.timedOut || r.aborted || r.exitCode === null) return outcomeOf(r, step.title);
  const err = r.stderr;
  if (/a password is required|a terminal is required/i.test(err)) {
    return failed(
      'sudo asks for a password on this node and none is configured: set `become: { password: ' +
        '"${SUDO_PASSWORD}" }` on the node (or `ansible_become_password` in the inventory), or allow ' +
        'this user passwordless sudo',
    );
  }
  if (/incorrect password|Sorry, try again|authentication fail/i.test(err))
    return failed(`sudo rejected the password from ${step.passwordFrom ?? 'the configuration'}`);
  if (/not in the sudoers|not allowed to (run|execute)|may not run sudo/i.test(err))
    return failed(
      `this user may not use sudo${step.user ? ` as ${step.user}` : ''} on this node: ${lastLine(err) ?? ''}`,
    );
  if (/sudo: (command )?not found|sudo: No such file/i.test(err) || r.exitCode === 127)
    return failed('sudo is not installed on this node');
  return outcomeOf(r, step.title);
}
