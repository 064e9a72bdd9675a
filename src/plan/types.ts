/**
 * The plan: everything a run will do, fully resolved, as JSON-serializable data.
 * `lrroll plan` and `lrroll run --dry-run` render it; `lrroll run` executes this same object.
 * The types live in types-*.ts by section; this file gathers them. PLAN_FORMAT_VERSION (types-plan.ts)
 * must be bumped on any change to them (and to schemas/plan.schema.json).
 */
export { PLAN_CONTENT_VERSION, PLAN_FORMAT_VERSION } from './types-plan.js';

export type { ClusterStep, LockNodeSteps, PlanCluster, ReconcileNodeSteps } from './types-cluster.js';

export type {
  ChangeVerdict,
  FactUse,
  KnownFact,
  PlanFacts,
  PlanNodeFacts,
  VerdictBasis,
  VerdictLevel,
} from './verdict-model.js';

export type {
  RunOn,
  StepBase,
  CheckSudoStep,
  CheckToolsStep,
  CheckReachableStep,
  CheckNodeHealthyStep,
  CheckLbMemberStep,
  CheckServiceStep,
  CheckDiskStep,
  UploadStep,
  CheckSchemaVersionStep,
  CheckPatchLevelStep,
  CheckJavaVersionStep,
  CheckReleaseStep,
  CapacityNode,
  LbStatusCall,
  CheckCapacityStep,
} from './types-checks.js';

export type {
  LbDrainStep,
  LbWaitDrainedStep,
  LbEnableStep,
  LbHealthUpStep,
  LbWaitUpStep,
  ServiceStopStep,
  ServiceStartStep,
  SideCommand,
  LogGateCommands,
  BackupStep,
  ApplyStep,
  VerifyStep,
  WaitLogMarkerStep,
  WaitHttpStep,
  WaitClusterStep,
  WaitModulesStep,
  WaitOsgiStep,
  GogoCommand,
  HookPoint,
  HookStep,
  BakeWatch,
  BakeStep,
  ConfirmStep,
  ForensicsStep,
  RestoreStep,
  RevertStep,
  CacheClearStep,
  PruneStep,
  ConsistencyCheckStep,
} from './types-node-steps.js';

export type { Step, StepAction, StepPhase, NodeStep } from './types-step.js';

export type {
  PlanNode,
  NodePlan,
  Batch,
  PlanLoadBalancer,
  LbVia,
  PlanLbInstance,
  Policy,
  PlanSource,
  Plan,
  Estimate,
} from './types-plan.js';
