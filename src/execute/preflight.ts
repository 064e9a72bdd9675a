import { crossedLevels, javaMajor, parseLevel, schemaChangeLevel } from '../plan/eligibility.js';
import { describeFootprint, lrrollDir, parseFootprint } from '../plan/hygiene.js';
import { judgeInstalledRelease } from '../plan/release-check.js';
import type { CheckDiskStep, CheckJavaVersionStep, CheckNodeHealthyStep, CheckPatchLevelStep, CheckReachableStep, CheckReleaseStep, CheckSchemaVersionStep, CheckServiceStep, CheckSudoStep, CheckToolsStep } from '../plan/types.js';
import type { RunState } from './context.js';
import { failed, lastLine, ok, outcomeOf, runCommand, type StepOutcome } from './run-command.js';
import type { ExecResult } from './transport.js';

type Check = CheckSudoStep | CheckToolsStep | CheckReachableStep | CheckNodeHealthyStep | CheckServiceStep | CheckDiskStep | CheckSchemaVersionStep | CheckPatchLevelStep | CheckJavaVersionStep | CheckReleaseStep;

/** Runs a read-only preflight check on a node and judges its output. */
export async function runPreflightCheck(step: Check, run: RunState): Promise<StepOutcome> {
  const r = await runCommand(step, step.command ?? 'true', run, { quiet: step.action !== 'check-reachable' && step.action !== 'check-service' });
  if (step.action === 'check-sudo') return judgeSudo(step, r);
  if (step.action === 'check-tools' && r.exitCode !== 0 && !r.timedOut && !r.aborted && r.exitCode !== null) return failed(lastLine(r.stderr)?.replace(/^lrroll: /, '') ?? `exit code ${r.exitCode}`);
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
      const code = Number(out.split('\n').pop());
      if (seen) seen.appSeen = step.status.includes(code) ? `answering HTTP ${code}` : `not healthy (HTTP ${code})`;
      return step.status.includes(code) ? ok(`HTTP ${code}`) : failed(`${step.url} answered HTTP ${code}, not ${step.status.join('/')}: the node is not healthy now`);
    }
    case 'check-disk': {
      const free = Number(out.split('\n')[0]);
      const footprint = parseFootprint(out);
      const held = footprint ? `; ${describeFootprint(lrrollDir(step.path), footprint)}` : '';
      return free >= step.requiredBytes ? ok(`${Math.floor(free / 1048576)} MiB free${held}`) : failed(`only ${Math.floor(free / 1048576)} MiB free under ${step.path}; ${Math.ceil(step.requiredBytes / 1048576)} MiB needed${held}${footprint && footprint.backups > 0 ? ' (`lrroll clean` removes them)' : ''}`);
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

function judgeSchema(step: CheckSchemaVersionStep, installed: string): StepOutcome {
  if (installed === '') return ok(`${step.bundle} is not installed yet (or has no schema version)`);
  const level = schemaChangeLevel(installed, step.newVersion);
  if (level === 'major' || level === 'minor') return failed(`${step.bundle}: installed schema ${installed} → ${step.newVersion} is a ${level} change, which cannot be rolled (a required upgrade, not revertible without a database restore)`);
  return ok(`installed schema ${installed}, new ${step.newVersion} (${level === 'none' ? 'same' : 'micro change'})`);
}

function judgePatchLevel(step: CheckPatchLevelStep, installedLine: string): StepOutcome {
  const levels = installedLine.split(/[,\s]+/).map((p) => parseLevel(p)).filter((l): l is NonNullable<ReturnType<typeof parseLevel>> => !!l);
  const target = parseLevel(step.target);
  const current = levels.find((l) => l.family === target?.family);
  const currentName = current ? `${current.family}-${current.number}` : null;
  if (step.expected && currentName !== step.expected) return failed(`installed fix pack level is ${currentName ?? `unknown (${installedLine || 'none'})`}, the playbook says \`from: ${step.expected}\``);
  if (!currentName) return ok(`no ${target?.family ?? ''} fix pack installed yet`);
  const hits = crossedLevels(currentName, step.target, step.breakingLevels);
  if (hits.length > 0) return failed(`moving ${currentName} → ${step.target} crosses the breaking level ${hits.join(', ')}: a full cluster restart is needed`);
  return ok(`installed ${currentName}`);
}

function judgeJava(step: CheckJavaVersionStep, out: string): StepOutcome {
  const [current, next] = out.split('\n');
  const version = (line: string | undefined): string | undefined => /version "([^"]+)"/.exec(line ?? '')?.[1];
  const now = version(current);
  const then = version(next);
  if (!then) return failed(`the new JDK does not run: ${lastLine(next ?? '') ?? 'no output'}`);
  if (now && javaMajor(now) !== javaMajor(step.expected)) return failed(`the node runs Java ${now}, the playbook says \`from: ${step.expected}\``);
  return ok(`running ${now ?? 'unknown (stopped)'}, new ${then}`);
}

/** sudo's answer, in words an admin acts on: no password configured, a wrong one, a user not allowed, no sudo at all. */
function judgeSudo(step: CheckSudoStep, r: ExecResult): StepOutcome {
  if (r.exitCode === 0) return ok(step.passwordFrom ? 'sudo accepted the password' : 'passwordless sudo works');
  if (r.timedOut || r.aborted || r.exitCode === null) return outcomeOf(r, step.title);
  const err = r.stderr;
  if (/a password is required|a terminal is required/i.test(err)) {
    return failed('sudo asks for a password on this node and none is configured: set `become: { password: "${SUDO_PASSWORD}" }` on the node (or `ansible_become_password` in the inventory), or allow this user passwordless sudo');
  }
  if (/incorrect password|Sorry, try again|authentication fail/i.test(err)) return failed(`sudo rejected the password from ${step.passwordFrom ?? 'the configuration'}`);
  if (/not in the sudoers|not allowed to (run|execute)|may not run sudo/i.test(err)) return failed(`this user may not use sudo${step.user ? ` as ${step.user}` : ''} on this node: ${lastLine(err) ?? ''}`);
  if (/sudo: (command )?not found|sudo: No such file/i.test(err) || r.exitCode === 127) return failed('sudo is not installed on this node');
  return outcomeOf(r, step.title);
}
