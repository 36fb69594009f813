/**
 * b24chain as a library: the chain model and validation, the runner, the state store, the protocol
 * facts (packs, risk classes, query encoding) and the emulator. The CLI (`src/cli/`) is built on these.
 */
export * from './chain/index.ts';
export * from './errors/index.ts';
export {
  B24Client,
  resolveConnection,
  openPortalClient,
  type B24ClientOptions,
  type Connection,
  type OpenPortalClientOptions,
  type OpenedPortalClient,
} from './client/index.ts';
export {
  buildQuery,
  parseQuery,
  methodAllowedByPacks,
  resolvePackNames,
  listPacks,
  classifyMethodRisk,
  scopeForMethod,
  methodCatalog,
} from './protocol/index.ts';
export {
  startEmulator,
  resolveEmulatorOptions,
  realisticExecutionMs,
  type RunningEmulator,
  type EmulatorOptions,
  type EmulatorStats,
  type FaultConfig,
  type FaultRule,
} from './emulator/index.ts';
export { openStateDatabase, openStateStores, resolveStatePath, PlanStore, IdempotencyStore, AuditStore } from './store/index.ts';
export { runChain, runExitCode, type RunOptions, type RunOutcome, type RunEvent } from './runner/index.ts';
export { checkRunPreconditions, checkWriteGates, resolveRunOptions, runDefaults, type ResolvedRunOptions, type RunPreconditions } from './runner/index.ts';
export { planChain, type ChainPlanDraft } from './runner/index.ts';
export { RunStore, type RunRecord, type RunStatus } from './store/index.ts';
export type { PortalClient, BatchResult, BatchCommandOutcome, CallResult, ListPage } from './client/index.ts';
export { systemClock, ManualClock, type Clock } from './util/index.ts';
