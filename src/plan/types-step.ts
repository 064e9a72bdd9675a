// Every kind of step, as one closed union. Part of the plan's shape (PLAN_FORMAT_VERSION in types-plan.ts,
// schemas/plan.schema.json).
import type {
  CheckCapacityStep,
  CheckDiskStep,
  CheckJavaVersionStep,
  CheckLbMemberStep,
  CheckNodeHealthyStep,
  CheckPatchLevelStep,
  CheckReachableStep,
  CheckReleaseStep,
  CheckSchemaVersionStep,
  CheckServiceStep,
  CheckSudoStep,
  CheckToolsStep,
  UploadStep,
} from './types-checks.js';
import type {
  ApplyStep,
  BackupStep,
  BakeStep,
  CacheClearStep,
  ConfirmStep,
  ConsistencyCheckStep,
  ForensicsStep,
  HookStep,
  LbDrainStep,
  LbEnableStep,
  LbHealthUpStep,
  LbWaitDrainedStep,
  LbWaitUpStep,
  PruneStep,
  RestoreStep,
  RevertStep,
  ServiceStartStep,
  ServiceStopStep,
  SettleStep,
  VerifyStep,
  WaitClusterStep,
  WaitHttpStep,
  WaitLogMarkerStep,
  WaitModulesStep,
  WaitOsgiStep,
  WarmupStep,
} from './types-node-steps.js';

/** Every kind of step: a closed union (switches on `action` end with a `never` check). */
export type Step =
  | CheckSudoStep
  | CheckToolsStep
  | CheckReachableStep
  | CheckNodeHealthyStep
  | CheckLbMemberStep
  | CheckServiceStep
  | CheckDiskStep
  | UploadStep
  | CheckSchemaVersionStep
  | CheckPatchLevelStep
  | CheckJavaVersionStep
  | CheckReleaseStep
  | CheckCapacityStep
  | LbDrainStep
  | LbWaitDrainedStep
  | LbEnableStep
  | LbHealthUpStep
  | LbWaitUpStep
  | ServiceStopStep
  | ServiceStartStep
  | BackupStep
  | ApplyStep
  | VerifyStep
  | WaitLogMarkerStep
  | WaitHttpStep
  | WaitClusterStep
  | WaitModulesStep
  | WaitOsgiStep
  | SettleStep
  | WarmupStep
  | HookStep
  | BakeStep
  | ConfirmStep
  | CacheClearStep
  | PruneStep
  | ConsistencyCheckStep
  | ForensicsStep
  | RestoreStep
  | RevertStep;

/** The step kinds. */
export type StepAction = Step['action'];

/**
 * Phase of a node step: `prepare` steps may run in parallel across a batch; `start` steps hold the batch's start lock
 * (one node at a time); `return` steps follow.
 */
export type StepPhase = 'prepare' | 'start' | 'return';

/** A node step with its phase. */
export type NodeStep = Step & { phase: StepPhase };
