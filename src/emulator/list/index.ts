export {
  buildFilter,
  emptyFilter,
  matchesFilter,
  parseFilterKey,
  type FilterCondition,
  type FilterGroup,
  type FilterOperator,
  type ResolveField,
  type ResolvedField,
} from './build-filter.ts';
export { compareForSort, compareValues, likePattern, toDateMs, toNumber, valuesEqual } from './compare-values.ts';
export { parseOrder, readStart, type OrderTerm } from './parse-list-params.ts';
export { PAGE_SIZE, runListQuery, type QueryPage, type ListQuery } from './run-list-query.ts';
