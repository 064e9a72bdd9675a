import { crossedLevels, javaMajor, parseLevel, schemaChangeLevel } from '../plan/eligibility.js';
import type { CheckDiskStep, CheckJavaVersionStep, CheckNodeHealthyStep, CheckPatchLevelStep, CheckReachableStep, CheckSchemaVersionStep } from '../plan/types.js';
import type { RunState } from './context.js';
import { failed, lastLine, ok, outcomeOf, runCommand, type StepOutcome } from './run-command.js';

type Check = CheckReachableStep | CheckNodeHealthyStep | CheckDiskStep | CheckSchemaVersionStep | CheckPatchLevelStep | CheckJavaVersionStep;

/** Runs a read-only preflight check on a node and judges its output. */
export async function runPreflightCheck(step: Check, run: RunState): Promise<StepOutcome> {
  const r = await runCommand(step, step.command ?? 'true', run, { quiet: step.action !== 'check-reachable' });
  if (r.exitCode !== 0) return outcomeOf(r, step.title);
  const out = r.stdout.trim();
  switch (step.action) {
    case 'check-reachable':
      return ok();
    case 'check-node-healthy': {
      const code = Number(out.split('\n').pop());
      return step.status.includes(code) ? ok(`HTTP ${code}`) : failed(`${step.url} answered HTTP ${code}, not ${step.status.join('/')}: the node is not healthy now`);
    }
    case 'check-disk': {
      const free = Number(out);
      return free >= step.requiredBytes ? ok(`${Math.floor(free / 1048576)} MiB free`) : failed(`only ${Math.floor(free / 1048576)} MiB free under ${step.path}; ${Math.ceil(step.requiredBytes / 1048576)} MiB needed`);
    }
    case 'check-schema-version':
      return judgeSchema(step, out);
    case 'check-patch-level':
      return judgePatchLevel(step, out);
    case 'check-java-version':
      return judgeJava(step, out);
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
