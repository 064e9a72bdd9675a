// How long a batch takes: plan/ estimates the run with it, execute/ the time left of a run.

/** A node step as the estimate sees it: in which phase of the node's turn it runs. */
interface PhasedStep {
  phase: 'prepare' | 'start' | 'return';
}

/** A batch as the estimate sees it: steps before and after, and each node's steps. */
interface TimedBatch<S> {
  before: readonly S[];
  after: readonly S[];
  nodePlans: ReadonlyArray<{ steps: ReadonlyArray<S & PhasedStep> }>;
}

const sum = <S>(steps: readonly S[], pick: (s: S) => number): number => steps.reduce((t, s) => t + pick(s), 0);

/** Time of one batch: parallel prepare phases, serial starts, the last node's return phase. */
export function batchTime<S>(b: TimedBatch<S>, pick: (s: S) => number): number {
  const phase = (steps: ReadonlyArray<S & PhasedStep>, p: PhasedStep['phase']): number =>
    sum(
      steps.filter((s) => s.phase === p),
      pick,
    );
  const prepare = Math.max(0, ...b.nodePlans.map((np) => phase(np.steps, 'prepare')));
  const starts = b.nodePlans.reduce((t, np) => t + phase(np.steps, 'start'), 0);
  const last = b.nodePlans[b.nodePlans.length - 1];
  const ret = last ? phase(last.steps, 'return') : 0;
  return sum(b.before, pick) + prepare + starts + ret + sum(b.after, pick);
}
