export { buildQuery, parseQuery, phpUrlEncode, listify, type QueryObject, type QueryValue } from './php-query.ts';
export * from './packs.ts';
export * from './risk.ts';
export * from './scopes.ts';
export * from './method-catalog.ts';
export { classifyErrorCode } from './classify-error.ts';
export {
  assertBatchable,
  assertMethodName,
  assertParamsObject,
  type BatchCommand,
  type BatchCommandInput,
  encodeBatchCommands,
  isValidMethodName,
  toBatchCommand,
} from './encode-batch-commands.ts';
export { extractRows, keysetPageParams, lastRowReference, LIST_PAGE_SIZE, type ListCursor, type ListPlan, planList, rowId } from './list-methods.ts';
export { normalizeBatchResponse, type NormalizedBatchResponse } from './normalize-batch-response.ts';
export { parseResponse, type SuccessResponse } from './parse-response.ts';
export { decideRetry, defaultRetryPolicyOptions, type RetryPolicyOptions, retryTraits } from './retry-policy.ts';
export { splitBatch } from './split-batch.ts';
export type { TimeInfo } from './time-info.ts';
export type { RawResponse } from './parse-response.ts';
