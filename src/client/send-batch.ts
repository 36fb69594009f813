/**
 * `batch` over any number of named commands: refused before sending when a command is invalid (nested
 * batch, bad reference, not an object); split into requests of at most 50 that never separate
 * commands referencing each other; results, per-command errors, halted (not executed) and
 * outcome-unknown commands kept by name.
 */
import { BatchCommandError } from '../errors/batch-command-error.ts';
import { BitrixApiError } from '../errors/bitrix-api-error.ts';
import { InvalidRequestError } from '../errors/invalid-request-error.ts';
import { OutcomeUnknownError, isOutcomeUnknownError } from '../errors/outcome-unknown-error.ts';
import { classifyErrorCode } from '../protocol/classify-error.ts';
import { assertBatchable, encodeBatchCommands, toBatchCommand, type BatchCommand, type BatchCommandInput } from '../protocol/encode-batch-commands.ts';
import { normalizeBatchResponse, type NormalizedBatchResponse } from '../protocol/normalize-batch-response.ts';
import { splitBatch } from '../protocol/split-batch.ts';
import type { TimeInfo } from '../protocol/time-info.ts';
import type { ClientContext } from './client-context.ts';
import { isWriteMethod } from './is-write-method.ts';
import { sendRequest } from './send-request.ts';

export type BatchInput = Readonly<Record<string, BatchCommandInput>> | ReadonlyArray<readonly [string, BatchCommandInput]>;

export interface BatchOptions {
  /** Stop at the first failing command (`halt=1`); later commands are reported as not executed. */
  halt?: boolean;
  signal?: AbortSignal;
  /** Whether the batch writes; by default true when any command's method is not a known read. */
  write?: boolean;
}

export interface BatchResult {
  results: Record<string, unknown>;
  errors: Record<string, BatchCommandError>;
  /** Commands the portal did not execute (halted, or never sent): safe to send again. */
  notExecuted: string[];
  /** Commands whose request failed after it may have been executed: reconcile before re-sending. */
  unknown: string[];
  totals: Record<string, number>;
  nexts: Record<string, number>;
  times: Record<string, TimeInfo>;
  /** HTTP requests the batch took (retries not counted). */
  requests: number;
  /** The request-level error that stopped the batch after at least one request was answered. */
  failure?: Error;
}

type Named = readonly [string, BatchCommand];

/** Validates and names every command; nothing is sent when one is wrong. */
export function prepareBatch(input: BatchInput): Named[] {
  if (input === null || typeof input !== 'object') {
    throw new InvalidRequestError({ method: 'batch', code: 'BATCH_NOT_OBJECT', detail: 'commands must be an object of named commands', hint: 'Pass {name: {method, params}} or [[name, {method, params}], ...].' });
  }
  const entries: Array<readonly [string, BatchCommandInput]> = Array.isArray(input) ? [...(input as ReadonlyArray<readonly [string, BatchCommandInput]>)] : Object.entries(input);
  return entries.map(([name, raw]) => {
    if (raw === null || (typeof raw !== 'string' && typeof raw !== 'object')) {
      throw new InvalidRequestError({ method: `batch command "${name}"`, code: 'BATCH_COMMAND_INVALID', detail: 'is neither {method, params} nor a "method?query" string', hint: 'Write each command as {method: "crm.lead.get", params: {id: 5}}.' });
    }
    const command = toBatchCommand(raw);
    assertBatchable(name, command);
    return [name, command] as const;
  });
}

/** Sends one request of at most 50 already validated commands and returns its maps by name. */
export async function sendBatchRequest(
  context: ClientContext,
  commands: readonly Named[],
  options: { halt: boolean; isWrite: boolean; signal?: AbortSignal },
): Promise<NormalizedBatchResponse> {
  const names = commands.map(([name]) => name);
  const response = await sendRequest(context, {
    method: 'batch',
    params: { halt: options.halt ? 1 : 0, cmd: encodeBatchCommands(commands) },
    isWrite: options.isWrite,
    commandCount: commands.length,
    commandNames: names,
    commandMethods: commands.map(([, command]) => command.method),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const normalized = normalizeBatchResponse(response.result);
  if (normalized === undefined) {
    const error = new BitrixApiError({
      method: 'batch',
      httpStatus: 200,
      bitrixCode: 'INVALID_RESPONSE',
      description: 'the answer is not a batch result (no result/result_error maps)',
      category: 'server',
      retryable: false,
      hint: 'Check that the address points at a Bitrix24 portal.',
    });
    if (options.isWrite) throw new OutcomeUnknownError({ method: 'batch', commands: names, reason: error.description, cause: error });
    throw error;
  }
  if (context.limiter.options.batchCharging === 'documented') {
    for (const [name, command] of commands) await context.limiter.observe(context.connection.limiterKey, command.method, normalized.times.get(name));
  }
  for (const [name, command] of commands) {
    if (normalized.errors.get(name)?.code.toUpperCase() === 'OPERATION_TIME_LIMIT') {
      const resetAt = await context.limiter.operatingResetAt(context.connection.limiterKey, command.method);
      await context.limiter.pauseMethods(context.connection.limiterKey, [command.method], resetAt ?? context.clock.now() + context.retry.operatingFallbackWaitMs);
    }
  }
  return normalized;
}

export function toBatchCommandError(name: string, method: string, failure: { code: string; description: string; argument?: string }): BatchCommandError {
  const classification = classifyErrorCode(failure.code, failure.description);
  return new BatchCommandError({
    command: name,
    method,
    bitrixCode: failure.code,
    description: failure.description,
    category: classification.category,
    hint: classification.hint,
    retryable: classification.retry === 'rate' || classification.retry === 'operating' || (classification.retry === 'transient' && classification.beforeExecution),
    ...(failure.argument === undefined ? {} : { argument: failure.argument }),
  });
}

export async function runBatch(context: ClientContext, input: BatchInput, options: BatchOptions = {}): Promise<BatchResult> {
  const prepared = prepareBatch(input);
  const requests = splitBatch(prepared);
  const halt = options.halt ?? false;
  const result: BatchResult = { results: {}, errors: {}, notExecuted: [], unknown: [], totals: {}, nexts: {}, times: {}, requests: 0 };
  const set = <T>(record: Record<string, T>, name: string, value: T): void => {
    Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
  };
  let stopped = false;
  for (const commands of requests) {
    const names = commands.map(([name]) => name);
    if (stopped) {
      result.notExecuted.push(...names);
      continue;
    }
    const isWrite = options.write ?? commands.some(([, command]) => isWriteMethod(command.method));
    let normalized: NormalizedBatchResponse;
    try {
      normalized = await sendBatchRequest(context, commands, { halt, isWrite, ...(options.signal === undefined ? {} : { signal: options.signal }) });
      result.requests += 1;
    } catch (error) {
      if (result.requests === 0) throw error;
      if (isOutcomeUnknownError(error)) result.unknown.push(...names);
      else result.notExecuted.push(...names);
      result.failure = error instanceof Error ? error : new Error(String(error));
      stopped = true;
      continue;
    }
    let failed = false;
    for (const [name, command] of commands) {
      if (normalized.results.has(name)) set(result.results, name, normalized.results.get(name));
      const failure = normalized.errors.get(name);
      if (failure !== undefined) {
        set(result.errors, name, toBatchCommandError(name, command.method, failure));
        failed = true;
      }
      if (!normalized.results.has(name) && failure === undefined) result.notExecuted.push(name);
      const total = normalized.totals.get(name);
      if (total !== undefined) set(result.totals, name, total);
      const next = normalized.nexts.get(name);
      if (next !== undefined) set(result.nexts, name, next);
      const time = normalized.times.get(name);
      if (time !== undefined) set(result.times, name, time);
    }
    if (halt && failed) stopped = true;
  }
  return result;
}
