/**
 * The failed commands of an answered `batch` (its `result_error`), as typed errors: the portal answers
 * HTTP 200 even when commands fail, so `chain call batch` reports them and exits 1. Pure.
 */
import { BatchCommandError, type BatchCommandErrorData } from '../errors/index.ts';
import { classifyErrorCode } from '../protocol/index.ts';
import { normalizeBatchResponse } from '../protocol/index.ts';
import { isBatchMethod, parseBatchCommands } from '../protocol/index.ts';

/** Every failed command of a batch answer, in answer order; empty for another method or no failure. */
export function findBatchErrors(method: string, params: Record<string, unknown>, result: unknown): BatchCommandError[] {
  if (!isBatchMethod(method)) return [];
  const answer = normalizeBatchResponse(result);
  if (answer === undefined) return [];
  const methods = new Map(parseBatchCommands(params).map((command) => [command.name, command.method]));
  return [...answer.errors].map(([name, failure]) => {
    const classification = classifyErrorCode(failure.code, failure.description);
    const data: BatchCommandErrorData = {
      command: name,
      method: methods.get(name) ?? 'unknown',
      bitrixCode: failure.code,
      description: failure.description,
      category: classification.category,
      hint: classification.hint,
      retryable: classification.beforeExecution && classification.retry !== 'never',
    };
    if (failure.argument !== undefined) data.argument = failure.argument;
    return new BatchCommandError(data);
  });
}
