/**
 * A generic record store for a family described by one table entry (its methods, id parameters,
 * required fields and result shapes), used by families that need no behaviour of their own (e.g. the
 * commerce families in `library/commerce-methods.ts`). Records keep the fields they were given; lists
 * filter, order and page like any v2 list.
 */
import { buildFilter, type ResolveField } from '../../list/build-filter.ts';
import { parseOrder, readStart } from '../../list/parse-list-params.ts';
import { runListQuery } from '../../list/run-list-query.ts';
import type { GenericRecord } from '../../state/portal-records.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { asPhpArray, pickParam, positiveInteger } from '../read-params.ts';

export type GenericOperationKind = 'add' | 'get' | 'list' | 'update' | 'delete';

export interface GenericOperation {
  method: string;
  kind: GenericOperationKind;
  /** Wraps the result in an object (`order` → `{order: {...}}`); bare otherwise. */
  wrap?: string;
  /** What a write answers: the new id (default for add), the record, or `true` (default otherwise). */
  returns?: 'id' | 'record' | 'true';
  /** Overrides the family's `fieldsIn` for this method. */
  fieldsIn?: string;
}

export interface GenericFamilyEntry {
  /** Table name on the portal, e.g. `sale.order`. */
  family: string;
  scope: string;
  /** `upper`: `ID` and UPPER_CASE keys, values returned as strings; `camel`: `id`, typed values. */
  keys: 'upper' | 'camel';
  /** Parameter names that may hold the record id. */
  idParams: readonly string[];
  /** Where the fields are: the name of an object parameter (`fields`, `data`), or `params` for the parameters themselves. */
  fieldsIn: string;
  /** Fields an add must carry. */
  required?: readonly string[];
  /** Values a new record starts with. */
  defaults?: Readonly<Record<string, unknown>>;
  operations: readonly GenericOperation[];
}

function idKey(entry: GenericFamilyEntry): string {
  return entry.keys === 'upper' ? 'ID' : 'id';
}

function render(entry: GenericFamilyEntry, record: GenericRecord): Record<string, unknown> {
  const { ID, ...rest } = record;
  if (entry.keys === 'camel') return { id: ID, ...rest };
  const output: Record<string, unknown> = { ID: String(ID) };
  for (const [key, value] of Object.entries(rest)) output[key] = typeof value === 'number' ? String(value) : value;
  return output;
}

function readFields(entry: GenericFamilyEntry, operation: GenericOperation, call: MethodCall): Record<string, unknown> {
  const source = operation.fieldsIn ?? entry.fieldsIn;
  if (source === 'params') {
    const ignored = new Set(entry.idParams.map((name) => name.toLowerCase()));
    ignored.add('auth_connector');
    return Object.fromEntries(Object.entries(call.params).filter(([key]) => !ignored.has(key.toLowerCase())));
  }
  const fields = asPhpArray(pickParam(call.params, source, source.toUpperCase()));
  if (!fields) throw new RestError('ERROR_ARGUMENT', `Parameter '${source}' must be an object.`, 400, { argument: source });
  return fields;
}

function findRecord(entry: GenericFamilyEntry, call: MethodCall): GenericRecord {
  const raw = pickParam(call.params, ...entry.idParams);
  if (raw === undefined) throw new RestError('ERROR_ARGUMENT', `Argument '${entry.idParams[0]}' is null or empty`, 400, { argument: entry.idParams[0] });
  const id = positiveInteger(raw);
  const record = id === undefined ? undefined : call.portal.genericTable(entry.family).get(id);
  if (!record) throw new RestError('NOT_FOUND', 'Not found');
  return record;
}

function wrap(operation: GenericOperation, value: unknown): unknown {
  return operation.wrap === undefined ? value : { [operation.wrap]: value };
}

function store(entry: GenericFamilyEntry, target: GenericRecord, fields: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(fields)) {
    const name = entry.keys === 'upper' ? key.toUpperCase() : key;
    if (name !== idKey(entry)) target[name] = value;
  }
}

function runOperation(entry: GenericFamilyEntry, operation: GenericOperation, call: MethodCall): MethodResult {
  const table = call.portal.genericTable(entry.family);
  switch (operation.kind) {
    case 'add': {
      const fields = readFields(entry, operation, call);
      const record: GenericRecord = { ID: 0, ...entry.defaults };
      store(entry, record, fields);
      for (const name of entry.required ?? []) {
        if (record[name] === undefined || record[name] === '')
          throw new RestError('ERROR_ARGUMENT', `Required field '${name}' is empty`, 400, { argument: name });
      }
      record.ID = table.allocateId();
      table.insert(record.ID, record);
      return { result: wrap(operation, operation.returns === 'record' ? render(entry, record) : record.ID) };
    }
    case 'get':
      return { result: wrap(operation, render(entry, findRecord(entry, call))) };
    case 'update': {
      const current = findRecord(entry, call);
      const next: GenericRecord = { ...current };
      store(entry, next, readFields(entry, operation, call));
      table.insert(next.ID, next);
      const answer = operation.returns === 'record' ? render(entry, next) : operation.returns === 'id' ? next.ID : true;
      return { result: wrap(operation, answer) };
    }
    case 'delete':
      table.delete(findRecord(entry, call).ID);
      return { result: wrap(operation, true) };
    default: {
      const resolve: ResolveField<GenericRecord> = (name) => {
        const key = entry.keys === 'upper' ? name.toUpperCase() : name;
        return key === idKey(entry) || key === 'ID' ? { key: 'ID', read: (row) => row.ID } : { key, read: (row) => row[key] ?? null };
      };
      const page = runListQuery(table, {
        filter: buildFilter(pickParam(call.params, 'filter', 'FILTER'), resolve),
        order: parseOrder(pickParam(call.params, 'order', 'ORDER'), resolve),
        start: readStart(pickParam(call.params, 'start', 'START')),
        idKey: 'ID',
        readId: (row) => row.ID,
      });
      const result: MethodResult = {
        result: wrap(
          operation,
          page.rows.map((row) => render(entry, row)),
        ),
        total: page.total,
      };
      if (page.next !== undefined) result.next = page.next;
      return result;
    }
  }
}

export function makeGenericFamily(entry: GenericFamilyEntry): MethodSpec[] {
  return entry.operations.map((operation) => ({
    name: operation.method.toLowerCase(),
    scope: entry.scope,
    kind: operation.kind === 'get' || operation.kind === 'list' ? 'read' : 'write',
    handler: (call: MethodCall) => runOperation(entry, operation, call),
  }));
}
