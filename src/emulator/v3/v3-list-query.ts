/**
 * REST 3.0 list semantics over rendered items: `filter` as an array of conditions
 * (`["field", "op", value]`, `["field", value]`, `{"logic":"or","conditions":[...]}`), `order`
 * `{field: ASC|DESC}` and `pagination {page, limit ≤ 1000, offset}` (protocol.md §6).
 */
import { V3Error, validationError } from './v3-error.ts';
import { isRecord } from './v3-method.ts';

export const V3_MAX_LIMIT = 1000;
export const V3_DEFAULT_LIMIT = 50;

type Item = Record<string, unknown>;
type Predicate = (item: Item) => boolean;

const OPERATORS = new Set(['=', '!=', '>', '>=', '<', '<=', 'in', 'between']);

function compare(left: unknown, right: unknown): number {
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  return String(left ?? '').localeCompare(String(right ?? ''));
}

function conditionOf(raw: unknown, filterable: ReadonlySet<string>, dtoName: string): Predicate {
  if (isRecord(raw)) {
    if (String(raw.logic ?? '').toLowerCase() !== 'or' || !Array.isArray(raw.conditions))
      throw validationError('filter', 'A condition group needs "logic": "or" and "conditions"');
    const parts = raw.conditions.map((condition) => conditionOf(condition, filterable, dtoName));
    return (item) => parts.some((part) => part(item));
  }
  if (!Array.isArray(raw) || raw.length < 2 || raw.length > 3 || typeof raw[0] !== 'string')
    throw validationError('filter', `Unable to recognize the filter condition ${JSON.stringify(raw)}`);
  const field = raw[0];
  const operator = raw.length === 3 ? String(raw[1]).toLowerCase() : Array.isArray(raw[1]) ? 'in' : '=';
  const value: unknown = raw.length === 3 ? raw[2] : raw[1];
  if (!OPERATORS.has(operator)) throw new V3Error('UNKNOWNFILTEROPERATOREXCEPTION', `Unknown filter operator \`${operator}\``);
  if (!filterable.has(field))
    throw validationError(field, `In DTO \`${dtoName}\`, the \`${field}\` field requires the \`Filterable\` attribute for such a request`);
  const read = (item: Item): unknown => item[field];
  switch (operator) {
    case '=':
      return (item) => compare(read(item), value) === 0;
    case '!=':
      return (item) => compare(read(item), value) !== 0;
    case '>':
      return (item) => compare(read(item), value) > 0;
    case '>=':
      return (item) => compare(read(item), value) >= 0;
    case '<':
      return (item) => compare(read(item), value) < 0;
    case '<=':
      return (item) => compare(read(item), value) <= 0;
    case 'in': {
      const values = Array.isArray(value) ? value : [value];
      return (item) => values.some((candidate) => compare(read(item), candidate) === 0);
    }
    default: {
      if (!Array.isArray(value) || value.length !== 2) throw validationError(field, '`between` needs [from, to]');
      return (item) => compare(read(item), value[0]) >= 0 && compare(read(item), value[1]) <= 0;
    }
  }
}

export function buildV3Filter(raw: unknown, filterable: ReadonlySet<string>, dtoName: string): Predicate {
  if (raw === undefined || raw === null) return () => true;
  if (!Array.isArray(raw)) throw validationError('filter', 'The `filter` field requires a `array` data type for this request');
  const conditions = raw.map((condition) => conditionOf(condition, filterable, dtoName));
  return (item) => conditions.every((condition) => condition(item));
}

export interface V3Order {
  field: string;
  direction: 1 | -1;
}

export function readV3Order(raw: unknown, sortable: ReadonlySet<string>): V3Order[] {
  if (raw === undefined || raw === null) return [{ field: 'id', direction: 1 }];
  if (!isRecord(raw)) throw new V3Error('INVALIDORDEREXCEPTION', `Unable to recognize sorting parameter \`${JSON.stringify(raw)}\``);
  const order: V3Order[] = [];
  for (const [field, direction] of Object.entries(raw)) {
    const upper = String(direction).toUpperCase();
    if (!sortable.has(field) || (upper !== 'ASC' && upper !== 'DESC'))
      throw new V3Error('INVALIDORDEREXCEPTION', `Unable to recognize sorting parameter \`${JSON.stringify(raw)}\``);
    order.push({ field, direction: upper === 'ASC' ? 1 : -1 });
  }
  return order.length > 0 ? order : [{ field: 'id', direction: 1 }];
}

export interface V3Pagination {
  limit: number;
  offset: number;
}

function positive(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(number) && number >= 0 ? number : undefined;
}

export function readV3Pagination(raw: unknown): V3Pagination {
  if (raw === undefined || raw === null) return { limit: V3_DEFAULT_LIMIT, offset: 0 };
  const refuse = (): V3Error => new V3Error('INVALIDPAGINATIONEXCEPTION', `Unable to recognize the pagination parameter \`${JSON.stringify(raw)}\``);
  if (!isRecord(raw)) throw refuse();
  const limit = raw.limit === undefined ? V3_DEFAULT_LIMIT : positive(raw.limit);
  const page = raw.page === undefined ? undefined : positive(raw.page);
  const offset = raw.offset === undefined ? 0 : positive(raw.offset);
  if (limit === undefined || limit === 0 || limit > V3_MAX_LIMIT || offset === undefined || (raw.page !== undefined && (page === undefined || page === 0)))
    throw refuse();
  return { limit, offset: page !== undefined ? (page - 1) * limit : offset };
}

/** The lowest id a filter allows (`["id", ">", n]` / `[">=", n]` at the top level), so a keyset page can start there. */
export function lowestIdOf(filter: unknown): number {
  let lowest = 0;
  if (!Array.isArray(filter)) return lowest;
  for (const condition of filter) {
    if (!Array.isArray(condition) || condition.length !== 3 || condition[0] !== 'id' || typeof condition[2] !== 'number') continue;
    if (condition[1] === '>') lowest = Math.max(lowest, condition[2] + 1);
    if (condition[1] === '>=') lowest = Math.max(lowest, condition[2]);
  }
  return lowest;
}

/** One page of `items` (in id order, already projected for filter and order) after filter, order and pagination. */
export function pageOf<T extends Item>(
  items: Iterable<T>,
  query: Record<string, unknown>,
  rules: { filterable: ReadonlySet<string>; sortable: ReadonlySet<string>; dtoName: string },
): T[] {
  const filter = buildV3Filter(query.filter, rules.filterable, rules.dtoName);
  const order = readV3Order(query.order, rules.sortable);
  const { limit, offset } = readV3Pagination(query.pagination);
  const rows: T[] = [];
  const isIdAscending = order.length === 1 && order[0]?.field === 'id' && order[0].direction === 1;
  for (const item of items) {
    if (!filter(item)) continue;
    rows.push(item);
    // Items come in id order: an id-ascending page is complete once it holds offset + limit rows.
    if (isIdAscending && rows.length >= offset + limit) break;
  }
  if (!isIdAscending) {
    rows.sort((left, right) => {
      for (const { field, direction } of order) {
        const difference = compare(left[field], right[field]);
        if (difference !== 0) return difference * direction;
      }
      return 0;
    });
  }
  return rows.slice(offset, offset + limit);
}

/** Keeps only the selected keys (`id` when `select` is absent, as tasks.task.list does). */
export function selectFields(item: Item, select: unknown, allowed: ReadonlySet<string>): Item {
  const names = Array.isArray(select) && select.length > 0 ? select.map(String) : ['id'];
  const output: Item = {};
  for (const name of names) if (allowed.has(name) && name in item) output[name] = item[name];
  return output;
}
