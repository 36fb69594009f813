/**
 * `batch` over any number of named commands: refused before sending when a command is invalid (nested
 * batch, bad reference, not an object); split into requests of at most 50 that never separate
 * commands referencing each other; one outcome per command, by name: done, failed, not executed
 * (halted, or never sent) or unknown (its request failed after it may have run).
 */
import { BatchCommandError } from '../errors/index.ts';
import { BitrixApiError } from '../errors/index.ts';
import { InvalidRequestError } from '../errors/index.ts';
import { OutcomeUnknownError, isOutcomeUnknownError } from '../errors/index.ts';
import { classifyErrorCode } from '../protocol/index.ts';
import { assertBatchable, encodeBatchCommands, toBatchCommand, type BatchCommand, type BatchCommandInput } from '../protocol/index.ts';
import { normalizeBatchResponse, type NormalizedBatchResponse } from '../protocol/index.ts';
import { splitBatch } from '../protocol/index.ts';
import type { ClientContext } from './client-context.ts';
import { isWriteMethod } from './is-write-method.ts';
import type { BatchCommandOutcome, BatchInput, BatchOptions, BatchResult } from './portal-client.ts';
import { sendRequest } from './send-request.ts';

type Named = readonly [string, BatchCommand];

/** Validates and names every command; nothing is sent when one is wrong. */
export function prepareBatch(input: BatchInput): Named[] {
  if (input === null || typeof input !== 'object') {
    throw new InvalidRequestError({
      method: 'batch',
      code: 'BATCH_NOT_OBJECT',
      detail: 'commands must be an object of named commands',
      hint: 'Pass {name: {method, params}} or [[name, {method, params}], ...].',
    });
  }
  const entries: Array<readonly [string, BatchCommandInput]> = Array.isArray(input)
    ? [...(input as ReadonlyArray<readonly [string, BatchCommandInput]>)]
    : Object.entries(input);
  return entries.map(([name, raw]) => {
    if (raw === null || (typeof raw !== 'string' && typeof raw !== 'object')) {
      throw new InvalidRequestError({
        method: `batch command "${name}"`,
        code: 'BATCH_COMMAND_INVALID',
        detail: 'is neither {method, params} nor a "method?query" string',
        hint: 'Write each command as {method: "crm.lead.get", params: {id: 5}}.',
      });
    }
    const command = toBatchCommand(raw);
    assertBatchable(name, command);
    return [name, command] as const;
  });
}

/** Feeds the limiter what a batch answer tells: times per command (documented charging), methods paused by 429. */
async function recordBatchTimes(context: ClientContext, commands: readonly Named[], normalized: NormalizedBatchResponse): Promise<void> {
  const key = context.connection.operatingKey;
  if (context.limiter.options.batchCharging === 'documented') {
    for (const [name, command] of commands) await context.limiter.observe(key, command.method, normalized.times.get(name));
  }
  for (const [name, command] of commands) {
    if (normalized.errors.get(name)?.code.toUpperCase() === 'OPERATION_TIME_LIMIT') {
      const resetAt = await context.limiter.operatingResetAt(key, command.method);
      await context.limiter.pauseMethods(key, [command.method], resetAt ?? context.clock.now() + context.retry.operatingFallbackWaitMs);
    }
  }
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
  // The batch ran: a limiter store that fails now (Redis gone) must not turn its answer into an error,
  // which a write's caller takes for "not sent". The next reservation reports the store instead.
  await recordBatchTimes(context, commands, normalized).catch(() => undefined);
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
    retryable:
      classification.retry === 'rate' || classification.retry === 'operating' || (classification.retry === 'transient' && classification.beforeExecution),
    ...(failure.argument === undefined ? {} : { argument: failure.argument }),
  });
}

export async function runBatch(context: ClientContext, input: BatchInput, options: BatchOptions = {}): Promise<BatchResult> {
  const prepared = prepareBatch(input);
  const requests = splitBatch(prepared);
  const halt = options.halt ?? false;
  const result: BatchResult = { outcomes: {}, requests: 0 };
  const settle = (name: string, outcome: BatchCommandOutcome): void => {
    Object.defineProperty(result.outcomes, name, { value: outcome, enumerable: true, writable: true, configurable: true });
  };
  let stopped = false;
  for (const commands of requests) {
    const names = commands.map(([name]) => name);
    if (stopped) {
      for (const name of names) settle(name, { status: 'not-executed' });
      continue;
    }
    const isWrite = options.write ?? commands.some(([, command]) => isWriteMethod(command.method));
    let normalized: NormalizedBatchResponse;
    try {
      normalized = await sendBatchRequest(context, commands, { halt, isWrite, ...(options.signal === undefined ? {} : { signal: options.signal }) });
      result.requests += 1;
    } catch (error) {
      if (result.requests === 0) throw error;
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const name of names) settle(name, isOutcomeUnknownError(error) ? { status: 'unknown', cause: failure } : { status: 'not-executed' });
      result.failure = failure;
      stopped = true;
      continue;
    }
    let failed = false;
    for (const [name, command] of commands) {
      const failure = normalized.errors.get(name);
      if (failure !== undefined) failed = true;
      if (normalized.results.has(name)) {
        const total = normalized.totals.get(name);
        const next = normalized.nexts.get(name);
        const time = normalized.times.get(name);
        settle(name, {
          status: 'done',
          result: normalized.results.get(name),
          ...(total === undefined ? {} : { total }),
          ...(next === undefined ? {} : { next }),
          ...(time === undefined ? {} : { time }),
        });
      } else if (failure !== undefined) {
        settle(name, { status: 'failed', error: toBatchCommandError(name, command.method, failure) });
      } else {
        settle(name, { status: 'not-executed' });
      }
    }
    if (halt && failed) stopped = true;
  }
  return result;
}
