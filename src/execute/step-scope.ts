import { AsyncLocalStorage } from 'node:async_hooks';

// Steps of the nodes of a batch run at the same time: the step a remote action belongs to travels
// with the asynchronous call chain, so a transport or a load-balancer driver (and a recorder around
// them) can name it without every call site passing it along.
const current = new AsyncLocalStorage<string>();

/** Runs `fn` as part of the step `stepId`. */
export function inStep<T>(stepId: string, fn: () => Promise<T>): Promise<T> {
  return current.run(stepId, fn);
}

/** The id of the plan step the caller runs in, or null outside a step. */
export function currentStepId(): string | null {
  return current.getStore() ?? null;
}
