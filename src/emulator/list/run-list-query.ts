/**
 * One page of a list method over a table kept in ID order (protocol.md §5): 50 rows, `total` and
 * `next` (only while more rows remain) for offset paging, and no count for `start=-1`.
 *
 * Performance: ordered by ID (the default, and keyset paging's `order {ID: ASC}`), the id conditions
 * of the filter (`>ID`, `>=ID`, `<ID`, `<=ID`, `=ID`) become a binary-searched index range; with
 * `start=-1` the scan stops at the 50th match, so a keyset page costs O(log n + 50) over any table size.
 * A filter on ids only is counted without a scan. Other orders sort the matching rows.
 */
import { matchesFilter, type FilterCondition, type FilterGroup } from './build-filter.ts';
import { compareForSort, toNumber } from './compare-values.ts';
import type { OrderTerm } from './parse-list-params.ts';
import type { RecordTable } from '../state/record-table.ts';

export const PAGE_SIZE = 50;

export interface ListQuery<Row> {
  filter: FilterGroup<Row>;
  /** Empty means ID ascending. */
  order: OrderTerm<Row>[];
  /** Offset, or -1 for no count. */
  start: number;
  /** Canonical key of the id field (`ID` for legacy lists, `id` for crm.item). */
  idKey: string;
  /** Reads the numeric id of a row (tie-breaker of other orders). */
  readId: (row: Row) => number;
  pageSize?: number;
}

export interface QueryPage<Row> {
  rows: Row[];
  /** Matching rows, or 0 with `start=-1`. */
  total: number;
  /** Offset of the next page, only when more rows remain. */
  next?: number;
}

interface IndexRange {
  from: number;
  to: number;
  /** Whether every top-level condition was an id bound (so the range is exact). */
  idOnly: boolean;
}

function idRange<Row>(table: RecordTable<Row>, filter: FilterGroup<Row>, idKey: string): IndexRange {
  const range: IndexRange = { from: 0, to: table.size, idOnly: true };
  if (filter.logic === 'or' && filter.children.length > 1) return { ...range, idOnly: false };
  for (const child of filter.children) {
    if (child.kind !== 'condition' || child.key !== idKey) {
      range.idOnly = false;
      continue;
    }
    const condition: FilterCondition<Row> = child;
    const bound = condition.values.length === 1 ? toNumber(condition.values[0]) : undefined;
    if (bound === undefined) {
      range.idOnly = false;
      continue;
    }
    switch (condition.operator) {
      case 'gt':
        range.from = Math.max(range.from, table.upperBound(bound));
        break;
      case 'ge':
        range.from = Math.max(range.from, table.lowerBound(bound));
        break;
      case 'lt':
        range.to = Math.min(range.to, table.lowerBound(bound));
        break;
      case 'le':
        range.to = Math.min(range.to, table.upperBound(bound));
        break;
      case 'eq':
      case 'in':
        range.from = Math.max(range.from, table.lowerBound(bound));
        range.to = Math.min(range.to, table.upperBound(bound));
        break;
      default:
        range.idOnly = false;
    }
  }
  if (range.to < range.from) range.to = range.from;
  return range;
}

function page<Row>(rows: Row[], total: number, start: number): QueryPage<Row> {
  const result: QueryPage<Row> = { rows, total: start === -1 ? 0 : total };
  if (start !== -1 && start + rows.length < total) result.next = start + rows.length;
  return result;
}

function scanInIdOrder<Row>(table: RecordTable<Row>, query: ListQuery<Row>, range: IndexRange, descending: boolean): QueryPage<Row> {
  const size = query.pageSize ?? PAGE_SIZE;
  const start = query.start;
  if (range.idOnly) {
    const total = range.to - range.from;
    const offset = Math.max(start, 0);
    const rows: Row[] = [];
    for (let position = offset; position < Math.min(total, offset + size); position += 1) {
      const row = table.rowAt(descending ? range.to - 1 - position : range.from + position);
      if (row !== undefined) rows.push(row);
    }
    return page(rows, total, start);
  }
  const skip = Math.max(start, 0);
  const rows: Row[] = [];
  let matched = 0;
  for (let step = 0; step < range.to - range.from; step += 1) {
    const row = table.rowAt(descending ? range.to - 1 - step : range.from + step);
    if (row === undefined || !matchesFilter(row, query.filter)) continue;
    if (matched >= skip && rows.length < size) rows.push(row);
    matched += 1;
    if (start === -1 && rows.length === size) break;
  }
  return page(rows, matched, start);
}

export function runListQuery<Row>(table: RecordTable<Row>, query: ListQuery<Row>): QueryPage<Row> {
  const range = idRange(table, query.filter, query.idKey);
  const first = query.order[0];
  if (first === undefined || first.key === query.idKey) {
    return scanInIdOrder(table, query, range, first?.descending ?? false);
  }
  const matches: Row[] = [];
  for (let index = range.from; index < range.to; index += 1) {
    const row = table.rowAt(index);
    if (row !== undefined && matchesFilter(row, query.filter)) matches.push(row);
  }
  const terms = query.order;
  matches.sort((left, right) => {
    for (const term of terms) {
      const order = compareForSort(term.read(left), term.read(right));
      if (order !== 0) return term.descending ? -order : order;
    }
    return query.readId(left) - query.readId(right);
  });
  const offset = Math.max(query.start, 0);
  return page(matches.slice(offset, offset + (query.pageSize ?? PAGE_SIZE)), matches.length, query.start);
}
