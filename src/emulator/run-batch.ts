/**
 * `batch` exactly as protocol.md §4: `cmd` as an object or array of `method?query` strings, `halt`,
 * `$result/$next/$total/$time/$error` references (the raw value when the whole parameter is a reference,
 * text otherwise, and the silent deepest-key substitution for paths that do not resolve), commands past
 * 50 answered with ERROR_BATCH_LENGTH_EXCEEDED inside a 200, nested `batch` refused, and the five result
 * maps (empty ones as `[]`, 0..n-1 keys as lists).
 */
import { parseQuery } from '../protocol/php-query.ts';
import { buildTimeInfo, type TimeInfo } from './envelope.ts';
import { budgetKey, executeCommand, refuse, type CommandEnvironment } from './execute-command.ts';
import { RestError, type AuthContext, type Params } from './types.ts';

export const BATCH_MAX_LENGTH = 50;

type ResultMaps = {
  result: Record<string, unknown>;
  result_error: Record<string, unknown>;
  result_total: Record<string, unknown>;
  result_next: Record<string, unknown>;
  result_time: Record<string, unknown>;
};

export interface BatchOutcome {
  body: Record<string, unknown>;
  /** Simulated seconds of all executed commands. */
  seconds: number;
  /** The batch-level operating state (measured charging). */
  operating?: { operating: number; resetAt: number | undefined };
}

const REFERENCE = /\$(result|next|total|time|error)(\S*)/gi;
const MAP_BY_KIND: Record<string, keyof ResultMaps> = {
  result: 'result',
  next: 'result_next',
  total: 'result_total',
  time: 'result_time',
  error: 'result_error',
};

/** PHP's json_encode of an array: `[]` when empty, a list when keyed 0..n-1, an object otherwise. */
export function phpArray(map: Record<string, unknown>): unknown {
  const keys = Object.keys(map);
  if (keys.length === 0) return [];
  if (keys.every((key, index) => key === String(index))) return keys.map((key) => map[key]);
  return map;
}

function walk(start: unknown, pathText: string): unknown {
  let current = start;
  for (const match of pathText.matchAll(/\[([^\]]+)\]/g)) {
    const segment = match[1] as string;
    if (current !== null && typeof current === 'object' && segment in (current as Record<string, unknown>)) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      break; // the portal stops quietly at the deepest key it found
    }
  }
  return current;
}

function asText(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value === true) return '1';
  if (Array.isArray(value)) return value.map(asText).join(',');
  if (typeof value === 'object') return 'Array';
  return String(value);
}

function substitute(value: unknown, maps: ResultMaps): unknown {
  if (Array.isArray(value)) return value.map((item) => substitute(item, maps));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, maps)]));
  }
  if (typeof value !== 'string' || !value.includes('$')) return value;
  const whole = /^\$(result|next|total|time|error)(\S*)$/i.exec(value);
  if (whole) return walk(maps[MAP_BY_KIND[(whole[1] as string).toLowerCase()] as keyof ResultMaps], whole[2] as string);
  return value.replace(REFERENCE, (_match, kind: string, path: string) =>
    asText(walk(maps[MAP_BY_KIND[kind.toLowerCase()] as keyof ResultMaps], path)),
  );
}

function splitCommand(command: string): { method: string; query: string } {
  const question = command.indexOf('?');
  const path = (question === -1 ? command : command.slice(0, question)).trim().replace(/^\/+/, '');
  const query = question === -1 ? '' : command.slice(question + 1);
  return { method: path.toLowerCase().replace(/\.json$/, ''), query };
}

function isHalt(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 'true' || value === 'Y';
}

export function runBatch(environment: CommandEnvironment, params: Params, auth: AuthContext, requestStartMs: number): BatchOutcome {
  const rawCommands = params.cmd ?? params.CMD;
  const commands: Array<[string, unknown]> =
    rawCommands !== null && typeof rawCommands === 'object'
      ? Array.isArray(rawCommands)
        ? rawCommands.map((command, index) => [String(index), command])
        : Object.entries(rawCommands)
      : [];
  const halt = isHalt(params.halt ?? params.HALT);
  const measured = environment.options.batchCharging === 'measured';
  const maps: ResultMaps = { result: {}, result_error: {}, result_total: {}, result_next: {}, result_time: {} };
  const times: Array<[string, TimeInfo]> = [];
  let elapsedSeconds = 0;

  for (const [index, [name, command]] of commands.entries()) {
    if (index >= BATCH_MAX_LENGTH) {
      const error = refuse(environment.stats, new RestError('ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded')).error;
      maps.result_error[name] = { error: error.code, error_description: error.description };
      continue;
    }
    const { method, query } = splitCommand(typeof command === 'string' ? command : String(command));
    let outcome;
    if (method === 'batch') {
      outcome = refuse(environment.stats, new RestError('ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage'));
    } else {
      const commandParams = substitute(parseQuery(query), maps) as Params;
      outcome = executeCommand(environment, method, commandParams, auth, !measured);
    }
    if (!outcome.ok) {
      maps.result_error[name] = { error: outcome.error.code, error_description: outcome.error.description, ...outcome.error.extra };
      if (halt) break;
      continue;
    }
    const startMs = requestStartMs + elapsedSeconds * 1000;
    elapsedSeconds += outcome.seconds;
    maps.result[name] = outcome.result;
    if (outcome.total !== undefined) maps.result_total[name] = outcome.total;
    if (outcome.next !== undefined) maps.result_next[name] = outcome.next;
    const time = buildTimeInfo(startMs, requestStartMs + elapsedSeconds * 1000, outcome.seconds, outcome.operating);
    times.push([name, time]);
    maps.result_time[name] = time;
  }

  const outcome: BatchOutcome = { body: {}, seconds: elapsedSeconds };
  if (measured && environment.options.operatingLimitSeconds > 0) {
    const state = environment.budget.charge(budgetKey(auth, 'batch'), requestStartMs, elapsedSeconds);
    outcome.operating = state;
    for (const [, time] of times) {
      time.operating = state.operating;
      if (state.resetAt !== undefined) time.operating_reset_at = state.resetAt;
    }
  }
  outcome.body = {
    result: phpArray(maps.result),
    result_error: phpArray(maps.result_error),
    result_total: phpArray(maps.result_total),
    result_next: phpArray(maps.result_next),
    result_time: phpArray(maps.result_time),
  };
  return outcome;
}
