/**
 * `batch` exactly as protocol.md §4: `cmd` as an object or array of `method?query` strings run in the
 * order sent (`read-batch-commands.ts`), `halt` as PHP `(bool)`, `$result/$next/$total/$time/$error`
 * references (the raw value when the whole parameter is a reference, a number or string when embedded
 * in text, and the silent deepest-key substitution for paths that do not resolve), commands past 50
 * answered with ERROR_BATCH_LENGTH_EXCEEDED inside a 200, nested `batch` refused, and the five result
 * maps in the order the commands ran (empty ones as `[]`, exactly 0..n-1 keys as lists).
 */
import { parseQuery } from '../protocol/index.ts';
import { buildTimeInfo, setOperating, type EnvelopeTime } from './envelope.ts';
import { budgetKey, executeCommand, refuse, type CommandEnvironment } from './execute-command.ts';
import type { BatchCommandEntries } from './read-batch-commands.ts';
import { RestError, type AuthContext, type Params } from './types.ts';

export const BATCH_MAX_LENGTH = 50;

/** The five result maps, keyed by command name in the order the commands ran. */
type ResultMaps = {
  result: Map<string, unknown>;
  result_error: Map<string, unknown>;
  result_total: Map<string, unknown>;
  result_next: Map<string, unknown>;
  result_time: Map<string, unknown>;
};

export interface BatchOutcome {
  /** The batch's `result` as JSON text: the five maps in the order sent (see `encodePhpArray`). */
  json: string;
  /** Simulated seconds of all executed commands. */
  seconds: number;
  /** The batch-level operating state (measured charging). */
  operating?: { operating: number; resetAt: number | undefined };
}

const MAP_BY_KIND: Record<string, keyof ResultMaps> = {
  result: 'result',
  next: 'result_next',
  total: 'result_total',
  time: 'result_time',
  error: 'result_error',
};

/**
 * PHP's json_encode of an array, as JSON text: `[]` when empty, a list when keyed exactly 0..n-1 in
 * that order, otherwise an object whose keys keep the order they were set in (`{"1":...,"0":...}`
 * stays an object, and in that order).
 */
export function encodePhpArray(map: ReadonlyMap<string, unknown>): string {
  const entries = [...map];
  if (entries.length === 0) return '[]';
  if (entries.every(([key], index) => key === String(index))) return JSON.stringify(entries.map(([, value]) => value));
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`).join(',')}}`;
}

const UNRESOLVED = Symbol('unresolved');

/**
 * The server's walk (CRestUtil::processBatchElement): `[segment]` after segment while `isset()` holds,
 * stopping quietly at the deepest value found. A reference without any `[segment]` is not resolved.
 */
function walk(map: ReadonlyMap<string, unknown>, pathText: string): unknown {
  const segments = [...pathText.matchAll(/\[([^\]]+)\]/g)].map((match) => match[1] as string);
  if (segments.length === 0) return UNRESOLVED;
  const [first, ...rest] = segments as [string, ...string[]];
  const head = map.get(first);
  if (head === undefined || head === null) return Object.fromEntries(map);
  let current = head;
  for (const segment of rest) {
    const next = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[segment] : undefined;
    if (next === undefined || next === null) break;
    current = next;
  }
  return current;
}

function substitute(value: unknown, maps: ResultMaps): unknown {
  if (Array.isArray(value)) return value.map((item) => substitute(item, maps));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, maps)]));
  }
  if (typeof value !== 'string' || !value.includes('$')) return value;
  const whole = /^\$(result|next|total|time|error)(\S*)$/i.exec(value);
  if (whole) {
    const resolved = walk(maps[MAP_BY_KIND[(whole[1] as string).toLowerCase()] as keyof ResultMaps], whole[2] as string);
    return resolved === UNRESOLVED ? value : resolved;
  }
  // Embedded in text: only a number or a string replaces the reference; anything else (a list, an
  // object, a boolean, null) leaves the reference as it was written.
  return value.replace(/\$(result|next|total|time|error)(\S*)/gi, (match, kind: string, path: string) => {
    const resolved = walk(maps[MAP_BY_KIND[kind.toLowerCase()] as keyof ResultMaps], path);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number') return String(resolved);
    return match;
  });
}

function splitCommand(command: string): { method: string; query: string } {
  const question = command.indexOf('?');
  const path = (question === -1 ? command : command.slice(0, question)).trim().replace(/^\/+/, '');
  const query = question === -1 ? '' : command.slice(question + 1);
  return { method: path.toLowerCase().replace(/\.json$/, ''), query };
}

/**
 * PHP `(bool)` of the `halt` parameter: form and query values are text, so "false" (any non-empty
 * string but "0") halts; JSON `false`, `0`, `""` and `"0"` do not.
 */
export function isHalt(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value !== '' && value !== '0';
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function haltOf(params: Params): unknown {
  let halt: unknown;
  for (const [key, value] of Object.entries(params)) if (key.toLowerCase() === 'halt') halt = value;
  return halt;
}

export function runBatch(
  environment: CommandEnvironment,
  params: Params,
  commands: BatchCommandEntries,
  auth: AuthContext,
  requestStartMs: number,
): BatchOutcome {
  const halt = isHalt(haltOf(params));
  const measured = environment.options.batchCharging === 'measured';
  const maps: ResultMaps = { result: new Map(), result_error: new Map(), result_total: new Map(), result_next: new Map(), result_time: new Map() };
  const times: EnvelopeTime[] = [];
  let elapsedSeconds = 0;

  for (const [index, [name, command]] of commands.entries()) {
    if (index >= BATCH_MAX_LENGTH) {
      const error = refuse(environment.stats, new RestError('ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded')).error;
      maps.result_error.set(name, { error: error.code, error_description: error.description });
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
      maps.result_error.set(name, { error: outcome.error.code, error_description: outcome.error.description, ...outcome.error.extra });
      if (halt) break;
      continue;
    }
    const startMs = requestStartMs + elapsedSeconds * 1000;
    elapsedSeconds += outcome.seconds;
    maps.result.set(name, outcome.result);
    if (outcome.total !== undefined) maps.result_total.set(name, outcome.total);
    if (outcome.next !== undefined) maps.result_next.set(name, outcome.next);
    const time = buildTimeInfo(startMs, requestStartMs + elapsedSeconds * 1000, outcome.seconds, outcome.operating);
    times.push(time);
    maps.result_time.set(name, time);
  }

  const outcome: BatchOutcome = { json: '', seconds: elapsedSeconds };
  if (measured && environment.options.operatingLimitSeconds > 0) {
    const state = environment.budget.charge(budgetKey(auth, 'batch'), requestStartMs, elapsedSeconds);
    outcome.operating = state;
    for (const time of times) setOperating(time, { operating: state.operating, resetAt: state.resetAt });
  } else if (environment.options.operatingLimitSeconds > 0) {
    outcome.operating = { operating: 0, resetAt: undefined }; // documented: the outer batch is not counted
  }
  const parts = (['result', 'result_error', 'result_total', 'result_next', 'result_time'] as const).map(
    (name) => `${JSON.stringify(name)}:${encodePhpArray(maps[name])}`,
  );
  outcome.json = `{${parts.join(',')}}`;
  return outcome;
}
