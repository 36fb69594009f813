/** The public face of src/runner/: what other folders may import from it. */
export { loadChainPlan } from './chain-plans.ts';
export { describeRun, type RunDescription } from './describe-run.ts';
export { type ChainPlanDraft, planChain } from './plan-chain.ts';
export { checkRunPreconditions, checkWriteGates, type ResolvedRunOptions, resolveRunOptions, runDefaults, type RunPreconditions } from './prepare-run.ts';
export { naturalKeyLookup } from './reconcile-writes.ts';
export { renderItemKey } from './render-item-key.ts';
export { formatResumeCommand } from './resume-command.ts';
export { runChain, type RunEvent, runExitCode, type RunOptions, type RunOutcome } from './run-chain.ts';
export { RunRefusedError } from './run-errors.ts';
export { canonicalChainPath, processOwner } from './run-ownership.ts';
