/**
 * The legacy filter syntax (protocol.md §5): a prefix on each key sets the operator, the rest names the
 * field. Nested groups (`{"0": {"logic": "OR", ...}}`, as crm.item.list takes) are supported too.
 * Field names are resolved by the caller, which decides what an unknown field means (ignored by legacy
 * CRM lists, an error for crm.item.list).
 */
import { compareValues, likeMatches, likePattern, valuesEqual } from './compare-values.ts';

export type FilterOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'in' | 'notIn' | 'like' | 'notLike';

export interface ResolvedField<Row> {
  /** Canonical field name (`ID`, `id`, `TITLE`...), used to recognise the id field. */
  key: string;
  read: (row: Row) => unknown;
}

/** Resolves a field name; returns undefined to skip the condition, or throws to refuse it. */
export type ResolveField<Row> = (name: string, where: 'filter' | 'order') => ResolvedField<Row> | undefined;

export interface FilterCondition<Row> {
  kind: 'condition';
  key: string;
  read: (row: Row) => unknown;
  operator: FilterOperator;
  values: unknown[];
  pattern?: RegExp;
}

export interface FilterGroup<Row> {
  kind: 'group';
  logic: 'and' | 'or';
  children: Array<FilterCondition<Row> | FilterGroup<Row>>;
}

const PREFIXES: Array<[string, FilterOperator, boolean]> = [
  ['!=%', 'notLike', true],
  ['!%=', 'notLike', true],
  ['>=', 'ge', false],
  ['<=', 'le', false],
  ['=%', 'like', true],
  ['%=', 'like', true],
  ['!@', 'notIn', false],
  ['!%', 'notLike', false],
  ['!=', 'ne', false],
  ['>', 'gt', false],
  ['<', 'lt', false],
  ['@', 'in', false],
  ['%', 'like', false],
  ['=', 'eq', false],
  ['!', 'ne', false],
];

export interface ParsedKey {
  prefix: string;
  operator: FilterOperator;
  explicitLike: boolean;
  field: string;
}

export function parseFilterKey(key: string): ParsedKey {
  for (const [prefix, operator, explicitLike] of PREFIXES) {
    if (key.startsWith(prefix)) return { prefix, operator, explicitLike, field: key.slice(prefix.length) };
  }
  return { prefix: '', operator: 'eq', explicitLike: false, field: key };
}

function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return Object.values(value);
  return [value];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function emptyFilter<Row>(): FilterGroup<Row> {
  return { kind: 'group', logic: 'and', children: [] };
}

/** Builds the filter tree; a non-object filter means no filter (callers that refuse it check first). */
export function buildFilter<Row>(filter: unknown, resolve: ResolveField<Row>): FilterGroup<Row> {
  const group = emptyFilter<Row>();
  const entries: Array<[string, unknown]> = isPlainObject(filter)
    ? Object.entries(filter)
    : Array.isArray(filter)
      ? filter.map((value, index) => [String(index), value])
      : [];
  for (const [key, value] of entries) {
    if (key.toLowerCase() === 'logic') {
      group.logic = String(value).toUpperCase() === 'OR' ? 'or' : 'and';
      continue;
    }
    if (/^\d+$/.test(key) && (isPlainObject(value) || Array.isArray(value))) {
      group.children.push(buildFilter(value, resolve));
      continue;
    }
    const parsed = parseFilterKey(key);
    const field = resolve(parsed.field, 'filter');
    if (!field) continue;
    let operator = parsed.operator;
    // An array under `=` or `!` means IN / NOT IN, as the portal's ORM reads it.
    if (Array.isArray(value) || (isPlainObject(value) && operator !== 'like' && operator !== 'notLike')) {
      if (operator === 'eq') operator = 'in';
      else if (operator === 'ne') operator = 'notIn';
    }
    const condition: FilterCondition<Row> = { kind: 'condition', key: field.key, read: field.read, operator, values: listOf(value) };
    if (operator === 'like' || operator === 'notLike') condition.pattern = likePattern(listOf(value)[0], parsed.explicitLike);
    group.children.push(condition);
  }
  return group;
}

function testOne(stored: unknown, operator: FilterOperator, condition: FilterCondition<unknown>): boolean {
  const wanted = condition.values[0];
  switch (operator) {
    case 'eq':
      return valuesEqual(stored, wanted);
    case 'in':
      return condition.values.some((value) => valuesEqual(stored, value));
    case 'gt': {
      const order = compareValues(stored, wanted);
      return order !== undefined && order > 0;
    }
    case 'ge': {
      const order = compareValues(stored, wanted);
      return order !== undefined && order >= 0;
    }
    case 'lt': {
      const order = compareValues(stored, wanted);
      return order !== undefined && order < 0;
    }
    case 'le': {
      const order = compareValues(stored, wanted);
      return order !== undefined && order <= 0;
    }
    case 'like':
      return likeMatches(stored, condition.pattern as RegExp);
    default:
      return false;
  }
}

const NEGATION: Partial<Record<FilterOperator, FilterOperator>> = { ne: 'eq', notIn: 'in', notLike: 'like' };

function storedValues(stored: unknown): unknown[] {
  if (!Array.isArray(stored)) return [stored];
  if (stored.length === 0) return [null];
  return stored.map((item) => (isPlainObject(item) && 'VALUE' in item ? item.VALUE : item));
}

/** Multiple values (arrays, multifields) match when any value matches; negations when none does. */
export function matchesCondition<Row>(row: Row, condition: FilterCondition<Row>): boolean {
  const stored = condition.read(row);
  const positive = NEGATION[condition.operator];
  const generic = condition as unknown as FilterCondition<unknown>;
  if (!Array.isArray(stored)) {
    return positive ? !testOne(stored, positive, generic) : testOne(stored, condition.operator, generic);
  }
  const values = storedValues(stored);
  if (positive) return !values.some((value) => testOne(value, positive, generic));
  return values.some((value) => testOne(value, condition.operator, generic));
}

export function matchesFilter<Row>(row: Row, group: FilterGroup<Row>): boolean {
  if (group.children.length === 0) return true;
  if (group.logic === 'or') {
    return group.children.some((child) => (child.kind === 'group' ? matchesFilter(row, child) : matchesCondition(row, child)));
  }
  for (const child of group.children) {
    if (!(child.kind === 'group' ? matchesFilter(row, child) : matchesCondition(row, child))) return false;
  }
  return true;
}
