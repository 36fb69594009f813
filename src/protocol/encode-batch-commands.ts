/**
 * Named batch commands → the `cmd` strings the portal reads (`method?query`, the query built with PHP
 * `http_build_query` rules so nested arrays and special characters survive `parse_str`). Pure.
 */
import { InvalidRequestError } from '../errors/index.ts';
import { buildQuery, parseQuery } from './php-query.ts';

export interface BatchCommand {
  method: string;
  params?: Record<string, unknown>;
}

/** A command as given by a caller: structured, or an already encoded `method?query` string. */
export type BatchCommandInput = BatchCommand | string;

const METHOD_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;
const COMMAND_NAME = /^[A-Za-z0-9_.:-]{1,100}$/;

export function isValidMethodName(method: string): boolean {
  return METHOD_NAME.test(method);
}

export function assertMethodName(method: string, where = method): void {
  if (!isValidMethodName(method)) {
    throw new InvalidRequestError({
      method: where,
      code: 'INVALID_METHOD_NAME',
      detail: `"${method}" is not a method name`,
      hint: 'Use a dotted Bitrix24 method name such as crm.lead.list (letters, digits, "_" and ".").',
    });
  }
}

export function assertParamsObject(method: string, params: unknown): asserts params is Record<string, unknown> | undefined {
  if (params === undefined) return;
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    const kind = params === null ? 'null' : Array.isArray(params) ? 'an array' : typeof params;
    throw new InvalidRequestError({
      method,
      code: 'PARAMS_NOT_OBJECT',
      detail: `params must be an object, got ${kind}`,
      hint: 'Pass the parameters as a JSON object, e.g. {"id": 5} (positional legacy methods: {"0": 123, "1": {...}}).',
    });
  }
}

export function assertCommandName(name: string): void {
  if (!COMMAND_NAME.test(name)) {
    throw new InvalidRequestError({
      method: 'batch',
      code: 'INVALID_COMMAND_NAME',
      detail: `command name "${name}" cannot be used in a batch`,
      hint: 'Name commands with letters, digits, "_", "-", "." or ":" (no brackets, spaces or "$"), e.g. lead1.',
    });
  }
}

/** A structured view of any command input. Pre-encoded strings are decoded with `parse_str` rules. */
export function toBatchCommand(input: BatchCommandInput): BatchCommand {
  if (typeof input !== 'string') return input;
  const question = input.indexOf('?');
  const method = (question === -1 ? input : input.slice(0, question)).trim();
  const query = question === -1 ? '' : input.slice(question + 1);
  return query === '' ? { method } : { method, params: parseQuery(query) };
}

/** Refuses what the portal would refuse inside a batch, before anything is sent. */
export function assertBatchable(name: string, command: BatchCommand): void {
  assertCommandName(name);
  assertMethodName(command.method, `batch command "${name}"`);
  assertParamsObject(`batch command "${name}" (${command.method})`, command.params);
  if (command.method.toLowerCase() === 'batch') {
    throw new InvalidRequestError({
      method: `batch command "${name}"`,
      code: 'BATCH_NESTED',
      detail: 'a batch cannot contain another batch',
      hint: 'Put the inner commands into the outer batch directly; B24Client.batch splits above 50 itself.',
    });
  }
}

/** `method?query` for one command. */
export function encodeBatchCommand(command: BatchCommand): string {
  const query = command.params === undefined ? '' : buildQuery(command.params);
  return query === '' ? command.method : `${command.method}?${query}`;
}

/** Named commands → the `cmd` object of a batch request, in order. */
export function encodeBatchCommands(commands: ReadonlyArray<readonly [string, BatchCommand]>): Record<string, string> {
  const cmd: Record<string, string> = {};
  for (const [name, command] of commands) cmd[name] = encodeBatchCommand(command);
  return cmd;
}
