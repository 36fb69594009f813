/**
 * Helpers shared by the chain-library families (commerce, services, platform, sites, compliance):
 * generic record families with checks a real portal makes before a write (a referenced record must
 * exist, a parameter must have its type), and the portal's built-in rows created on first use.
 */
import type { GenericRecord } from '../../state/portal-records.ts';
import type { RecordTable } from '../../state/record-table.ts';
import { RestError, type MethodCall, type MethodSpec } from '../../types.ts';
import { asPhpArray, isPlainObject, pickParam, positiveInteger } from '../read-params.ts';

export type CallCheck = (call: MethodCall) => void;

/** Runs `check` before the handler of each named method (lower case) of `specs`. */
export function withChecks(specs: MethodSpec[], checks: Readonly<Record<string, CallCheck>>): MethodSpec[] {
  return specs.map((spec) => {
    const check = checks[spec.name];
    if (!check) return spec;
    return {
      ...spec,
      handler: (call) => {
        check(call);
        return spec.handler(call);
      },
    };
  });
}

/** Runs `after` with the result of each named method (to apply a state transition). */
export function withEffects(specs: MethodSpec[], effects: Readonly<Record<string, (call: MethodCall, result: unknown) => void>>): MethodSpec[] {
  return specs.map((spec) => {
    const effect = effects[spec.name];
    if (!effect) return spec;
    return {
      ...spec,
      handler: (call) => {
        const answer = spec.handler(call);
        effect(call, answer.result);
        return answer;
      },
    };
  });
}

/**
 * Typed values for camelCase families, as the portal stores them: ids (`id`, `orderId`...) and the named
 * numeric fields become numbers when a form or batch encoding sent them as strings.
 */
export function withTypedFields(specs: MethodSpec[], numericFields: readonly string[], parameter = 'fields'): MethodSpec[] {
  const numeric = (key: string): boolean => key === 'id' || /Id$/.test(key) || numericFields.includes(key);
  return specs.map((spec) => ({
    ...spec,
    handler: (call) => {
      const fields = asPhpArray(pickParam(call.params, parameter));
      if (!fields || spec.kind === 'read') return spec.handler(call);
      const typed = Object.fromEntries(
        Object.entries(fields).map(([key, value]) => [
          key,
          numeric(key) && typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value,
        ]),
      );
      return spec.handler({ ...call, params: { ...call.params, [parameter]: typed } });
    },
  }));
}

/** The object parameter `name` (`fields`), or ERROR_ARGUMENT as the portal answers a missing or scalar one. */
export function objectParam(call: MethodCall, name: string): Record<string, unknown> {
  const value = asPhpArray(pickParam(call.params, name, name.toUpperCase()));
  if (!value) throw new RestError('ERROR_ARGUMENT', `Parameter '${name}' must be an object.`, 400, { argument: name });
  return value;
}

/** The record `id` of `table`, or `code` with `description` when it is missing or unknown. */
export function requireRecord(table: RecordTable<GenericRecord>, raw: unknown, argument: string, code = 'NOT_FOUND', description?: string): GenericRecord {
  if (raw === undefined || raw === null || raw === '') throw new RestError('ERROR_ARGUMENT', `Required field '${argument}' is empty`, 400, { argument });
  const id = positiveInteger(raw);
  if (id === undefined) throw new RestError('ERROR_ARGUMENT', `Field '${argument}' must be a positive integer, got ${JSON.stringify(raw)}`, 400, { argument });
  const record = table.get(id);
  if (!record) throw new RestError(code, description ?? `${argument} ${id} not found`, 400);
  return record;
}

/** Inserts `rows` into `table` once, when it has never held a row (a portal's built-in records). */
const seededTables = new WeakSet<RecordTable<GenericRecord>>();

export function ensureBuiltIn(table: RecordTable<GenericRecord>, rows: ReadonlyArray<Omit<GenericRecord, 'ID'>>): void {
  if (seededTables.has(table)) return;
  seededTables.add(table);
  if (table.size > 0) return;
  for (const row of rows) {
    const id = table.allocateId();
    table.insert(id, { ...row, ID: id });
  }
}

/** Every row of a table in id order. */
export function allRows(table: RecordTable<GenericRecord>): GenericRecord[] {
  return [...table.values()];
}

export { isPlainObject };

/** One page of already filtered and ordered rows: 50 from offset `start`, `total`, and `next` when more remain. */
export function pageOf<Row>(rows: readonly Row[], start: number): { rows: Row[]; total: number; next?: number } {
  const offset = Math.max(start, 0);
  const slice = rows.slice(offset, offset + 50);
  const next = offset + 50 < rows.length ? offset + 50 : undefined;
  return { rows: slice, total: start === -1 ? 0 : rows.length, ...(next === undefined ? {} : { next }) };
}
