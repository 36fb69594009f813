/**
 * The inner `result` of a batch answer → maps by command name. Each of the five maps may be `[]` when
 * empty, a JSON list when its keys were 0..n-1, or an object (protocol.md §4, §12). Pure.
 */
import { parseTimeInfo, type TimeInfo } from './time-info.ts';

export interface BatchCommandFailure {
  code: string;
  description: string;
  argument?: string;
}

export interface NormalizedBatchResponse {
  results: Map<string, unknown>;
  errors: Map<string, BatchCommandFailure>;
  totals: Map<string, number>;
  nexts: Map<string, number>;
  times: Map<string, TimeInfo>;
}

/** `[]`, a list (index → name "0", "1"...) or an object → entries by name. */
export function phpMapEntries(value: unknown): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.map((item, index) => [String(index), item]);
  if (value !== null && typeof value === 'object') return Object.entries(value as Record<string, unknown>);
  return [];
}

function toFailure(raw: unknown): BatchCommandFailure {
  if (raw !== null && typeof raw === 'object') {
    const record = raw as Record<string, unknown>;
    const failure: BatchCommandFailure = {
      code: String(record.error ?? ''),
      description: String(record.error_description ?? ''),
    };
    if (typeof record.argument === 'string') failure.argument = record.argument;
    return failure;
  }
  return { code: '', description: String(raw ?? '') };
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** Returns `undefined` when `inner` is not a batch answer at all. */
export function normalizeBatchResponse(inner: unknown): NormalizedBatchResponse | undefined {
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return undefined;
  const record = inner as Record<string, unknown>;
  if (!('result' in record) && !('result_error' in record)) return undefined;
  const normalized: NormalizedBatchResponse = {
    results: new Map(phpMapEntries(record.result)),
    errors: new Map(phpMapEntries(record.result_error).map(([name, raw]) => [name, toFailure(raw)])),
    totals: new Map(),
    nexts: new Map(),
    times: new Map(),
  };
  for (const [name, raw] of phpMapEntries(record.result_total)) {
    const value = toNumber(raw);
    if (value !== undefined) normalized.totals.set(name, value);
  }
  for (const [name, raw] of phpMapEntries(record.result_next)) {
    const value = toNumber(raw);
    if (value !== undefined) normalized.nexts.set(name, value);
  }
  for (const [name, raw] of phpMapEntries(record.result_time)) {
    const time = parseTimeInfo(raw);
    if (time !== undefined) normalized.times.set(name, time);
  }
  return normalized;
}
