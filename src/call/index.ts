/** The guarded single call (`chain call`, DESIGN.md §6): gates, plans, idempotency and the audit trail. */
export { runGuardedCall, type GuardedCallContext } from './run-guarded-call.ts';
export { resolveCallRequest, type GuardedCallRequest, type ResolvedCallRequest, type CallMode } from './resolve-call-request.ts';
export { callExitCodes, type CallOutcome, type CallStatus, type CallExitCode, type CallIdempotency, type PlannedCall } from './call-outcome.ts';
export { outcomeWithoutPortal } from './call-state.ts';
export { openCallClient, type OpenCallClientOptions, type OpenedCallClient } from './open-call-client.ts';
export { checkMethodAccess, isMethodListed, maximumBatchCommands, type MethodAccess } from './check-method-access.ts';
export { checkConfirmations, requiredConfirmations, riskyParts, type ConfirmationFlag, type Confirmations, type RiskyPart } from './check-confirmations.ts';
export { chooseIdempotencyKey, idempotencyAdvice, type IdempotencyKeyChoice, type IdempotencyKeySource } from './choose-idempotency-key.ts';
export { claimIdempotencyKey, defaultInFlightWaitMs, defaultInFlightPollMs, type ClaimOutcome } from './claim-idempotency-key.ts';
export { executePlanArguments, formatShellCommand, quoteShellArgument } from './format-execute-command.ts';
export { formatCallOutcome, formatCallOutcomeJson, type FormattedOutput } from './format-call-outcome.ts';
export { parseCallParams } from './parse-call-params.ts';
export { parseMethodAllowlist } from './parse-method-allowlist.ts';
export { parseSince } from './parse-since.ts';
export { locateJsonError, type JsonErrorLocation } from './locate-json-error.ts';
export { findBatchErrors } from './find-batch-errors.ts';
