export { B24ChainError, isB24ChainError, type B24ChainErrorOptions } from './b24chain-error.ts';
export { redactSecrets, registerSecret } from './redact-secrets.ts';
export { RefusalError, isRefusalError, type RefusalErrorOptions } from './refusal-error.ts';
export {
  ChainFileError,
  ChainValidationError,
  isChainFileError,
  isChainValidationError,
  formatChainFileProblem,
  type ChainFileProblem,
} from './chain-file-error.ts';
export { BitrixApiError, isBitrixApiError } from './bitrix-api-error.ts';
export { BatchCommandError, isBatchCommandError } from './batch-command-error.ts';
export { NetworkError, isNetworkError } from './network-error.ts';
export { TimeoutError, isTimeoutError } from './timeout-error.ts';
export { OutcomeUnknownError, isOutcomeUnknownError } from './outcome-unknown-error.ts';
export { AuthError, isAuthError } from './auth-error.ts';
export { InvalidRequestError, isInvalidRequestError } from './invalid-request-error.ts';
export { ConnectionConfigError, isConnectionConfigError } from './connection-config-error.ts';
export { StateDatabaseError, isStateDatabaseError } from './state-database-error.ts';
export { LeaseLostError, isLeaseLostError } from './lease-lost-error.ts';
export { LimiterStoreError, isLimiterStoreError } from './limiter-store-error.ts';
export { InterruptedError, isInterruptedError } from './interrupted-error.ts';
export { ERROR_CATALOGUE, isCataloguedCode, type ErrorCode, type ErrorArea, type ErrorCatalogueEntry } from './error-codes.ts';
export { exitCodeOf } from './exit-code-of.ts';
export type { BatchCommandErrorData } from './batch-command-error.ts';
export type { ErrorCategory } from './bitrix-api-error.ts';
export { V3ApiError, isV3ApiError, type V3FieldProblem } from './v3-api-error.ts';
export { IdempotencyKeyReusedError, isIdempotencyKeyReusedError } from './idempotency-key-reused-error.ts';
