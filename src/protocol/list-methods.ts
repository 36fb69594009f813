/**
 * What the client knows about list methods (protocol.md §5): where rows sit in `result`, which field
 * carries the id, and whether keyset pagination (`order {ID: ASC}`, `filter {">ID": last}`,
 * `start: -1`) is possible for a given call or it must fall back to `start` offsets. Pure.
 */

export const LIST_PAGE_SIZE = 50;

export interface ListShape {
  /** Rows sit under this key of `result` (`items`, `tasks`); absent when `result` is the array. */
  rowsKey?: string;
  /** The id field of a row (`ID`, or `id` for crm.item.list and tasks.task.list). */
  rowIdField: string;
  /** The id field as `filter` and `order` spell it (`ID`; `id` for crm.item.list). */
  queryIdField: string;
}

/** Methods whose rows carry a numeric id that can be filtered with `>ID` and ordered by it. */
const KEYSET_METHODS: Readonly<Record<string, ListShape>> = {
  'crm.lead.list': { rowIdField: 'ID', queryIdField: 'ID' },
  'crm.deal.list': { rowIdField: 'ID', queryIdField: 'ID' },
  'crm.contact.list': { rowIdField: 'ID', queryIdField: 'ID' },
  'crm.company.list': { rowIdField: 'ID', queryIdField: 'ID' },
  'crm.quote.list': { rowIdField: 'ID', queryIdField: 'ID' },
  'crm.activity.list': { rowIdField: 'ID', queryIdField: 'ID' },
  'crm.requisite.list': { rowIdField: 'ID', queryIdField: 'ID' },
  'crm.product.list': { rowIdField: 'ID', queryIdField: 'ID' },
  'crm.item.list': { rowsKey: 'items', rowIdField: 'id', queryIdField: 'id' },
  'tasks.task.list': { rowsKey: 'tasks', rowIdField: 'id', queryIdField: 'ID' },
};

export type ListCursor =
  | { mode: 'keyset' /** The id of the last row read; `null` before the first page. */; lastId: string | number | null }
  | { mode: 'offset' /** The offset of the next page. */; start: number };

export type ListPlan =
  | { mode: 'keyset'; shape: ListShape; baseParams: Record<string, unknown>; startAfter: string | number | null }
  | { mode: 'offset'; shape: Partial<ListShape>; baseParams: Record<string, unknown>; start: number; reason: string };

/** `[actualKey, value]` of a parameter whatever its case (legacy methods accept `filter` and `FILTER`). */
export function findParam(params: Record<string, unknown>, name: string): [string, unknown] | undefined {
  if (name in params) return [name, params[name]];
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(params)) if (key.toLowerCase() === lower) return [key, value];
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function withoutParam(params: Record<string, unknown>, name: string): Record<string, unknown> {
  const found = findParam(params, name);
  if (!found) return { ...params };
  const { [found[0]]: _removed, ...rest } = params;
  return rest;
}

function idOf(value: unknown): string | number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return value.trim();
  return null;
}

/** Decides keyset or offset for one `list(method, params)` call, resuming from `cursor` if given. */
export function planList(method: string, params: Record<string, unknown>, cursor?: ListCursor): ListPlan {
  const shape = KEYSET_METHODS[method.toLowerCase()];
  const startParam = findParam(params, 'start');
  const explicitStart = startParam === undefined ? 0 : Number(startParam[1]);
  const offsetPlan = (reason: string, knownShape: Partial<ListShape> = {}): ListPlan => ({
    mode: 'offset',
    shape: knownShape,
    baseParams: withoutParam(params, 'start'),
    start: cursor?.mode === 'offset' ? cursor.start : Math.max(0, Number.isFinite(explicitStart) ? explicitStart : 0),
    reason,
  });
  if (cursor?.mode === 'offset') return offsetPlan('resuming an offset cursor', shape ?? {});
  if (!shape) return offsetPlan(`${method} is not known to support an id filter`);
  if (Number.isFinite(explicitStart) && explicitStart > 0) return offsetPlan(`an explicit start=${explicitStart} was given`, shape);

  const orderParam = findParam(params, 'order');
  if (orderParam !== undefined && orderParam[1] !== undefined && orderParam[1] !== null && orderParam[1] !== '') {
    const order = orderParam[1];
    const entries = isPlainObject(order) ? Object.entries(order) : [];
    const byIdAscending =
      entries.length === 1 && entries[0]?.[0].toLowerCase() === shape.queryIdField.toLowerCase() && String(entries[0]?.[1]).toUpperCase() === 'ASC';
    if (!byIdAscending) return offsetPlan(`the order ${JSON.stringify(order)} is not by ${shape.queryIdField} ascending`, shape);
  }

  let startAfter: string | number | null = cursor?.mode === 'keyset' ? cursor.lastId : null;
  const filterParam = findParam(params, 'filter');
  const filter: Record<string, unknown> = filterParam && isPlainObject(filterParam[1]) ? { ...filterParam[1] } : {};
  if (
    filterParam &&
    filterParam[1] !== undefined &&
    filterParam[1] !== null &&
    !isPlainObject(filterParam[1]) &&
    !(Array.isArray(filterParam[1]) && filterParam[1].length === 0)
  ) {
    return offsetPlan('the filter is not an object', shape);
  }
  // A lower bound on the id in the caller's filter becomes the keyset's starting point.
  for (const key of Object.keys(filter)) {
    const match = /^(>=?)(.*)$/.exec(key);
    if (!match || (match[2] as string).toLowerCase() !== shape.queryIdField.toLowerCase()) continue;
    const bound = idOf(filter[key]);
    if (bound === null) return offsetPlan(`the filter ${key} is not a number`, shape);
    const after = match[1] === '>=' ? Number(bound) - 1 : bound;
    if (startAfter === null || Number(after) > Number(startAfter)) startAfter = after;
    delete filter[key];
  }

  let baseParams = withoutParam(withoutParam(withoutParam(params, 'start'), 'order'), 'filter');
  baseParams.filter = filter;
  baseParams.order = { [shape.queryIdField]: 'ASC' };
  const selectParam = findParam(baseParams, 'select');
  if (selectParam && Array.isArray(selectParam[1])) {
    const select = selectParam[1].map(String);
    const hasId = select.some((field) => field === '*' || field.toLowerCase() === shape.queryIdField.toLowerCase());
    if (!hasId) {
      baseParams = withoutParam(baseParams, 'select');
      baseParams[selectParam[0]] = [...select, shape.queryIdField];
    }
  }
  return { mode: 'keyset', shape, baseParams, startAfter };
}

/** Params of one keyset page: rows with id above `after` (a value or a `$result[...]` reference). */
export function keysetPageParams(plan: Extract<ListPlan, { mode: 'keyset' }>, after: string | number | null, counted: boolean): Record<string, unknown> {
  const filter = { ...(plan.baseParams.filter as Record<string, unknown>) };
  if (after !== null) filter[`>${plan.shape.queryIdField}`] = after;
  return { ...plan.baseParams, filter, start: counted ? 0 : -1 };
}

/** `$result[prev][items][49][id]`: the id of the last row of a full page, resolved by the portal. */
export function lastRowReference(shape: ListShape, commandName: string): string {
  const rows = shape.rowsKey === undefined ? '' : `[${shape.rowsKey}]`;
  return `$result[${commandName}]${rows}[${LIST_PAGE_SIZE - 1}][${shape.rowIdField}]`;
}

/** The rows of one page's `result`, learning the rows key when it is not known. */
export function extractRows(result: unknown, rowsKey?: string): { rows: unknown[]; rowsKey?: string } | undefined {
  if (Array.isArray(result)) return { rows: result };
  if (result === null || typeof result !== 'object') return undefined;
  const record = result as Record<string, unknown>;
  if (rowsKey !== undefined) {
    const rows = record[rowsKey];
    if (Array.isArray(rows)) return { rows, rowsKey };
    // `[]` when empty is PHP's encoding of an empty array: accept an empty object too.
    if (rows !== null && typeof rows === 'object' && Object.keys(rows).length === 0) return { rows: [], rowsKey };
    return undefined;
  }
  const arrays = Object.entries(record).filter(([, value]) => Array.isArray(value));
  if (arrays.length === 1) return { rows: arrays[0]?.[1] as unknown[], rowsKey: arrays[0]?.[0] as string };
  if (Object.keys(record).length === 0) return { rows: [] };
  return undefined;
}

/** The id of a row, as the keyset filter will use it. */
export function rowId(row: unknown, shape: ListShape): string | number | null {
  if (row === null || typeof row !== 'object') return null;
  return idOf((row as Record<string, unknown>)[shape.rowIdField]);
}
