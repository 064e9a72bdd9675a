import type { Step, StepBase } from './types.js';

/** The fields a step builder must give; the rest default to a plain local action. */
type Required = Pick<StepBase, 'title' | 'node' | 'timeoutSec' | 'expectSec'>;

/** A variant whose `command` is never null (a CommandStep) must be given one. */
type CommandInput<S> = S extends { command: string } ? { command: string } : unknown;

/** Distributes Omit over the Step union so each variant keeps its own fields. */
type StepInput<S> = S extends Step
  ? Omit<S, keyof StepBase> & Required & Partial<Omit<StepBase, 'id'>> & CommandInput<S>
  : never;

/** Builds a step with defaults for the common fields; ids are assigned later by `assignIds`. */
export function makeStep<S extends Step>(input: StepInput<S>): S {
  return {
    id: '',
    runOn: 'local',
    command: null,
    api: null,
    become: false,
    secretEnv: [],
    waitsFor: null,
    pointOfNoReturn: false,
    ...input,
  } as unknown as S;
}

/** Gives every step a stable id `<scope>/<nn>-<action>` in order. */
export function assignIds<T extends Step>(steps: T[], scope: string): T[] {
  steps.forEach((s, i) => {
    s.id = `${scope}/${String(i + 1).padStart(2, '0')}-${s.action}`;
  });
  return steps;
}
