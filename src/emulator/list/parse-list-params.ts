/** The `order` and `start` parameters of a v2 list method. */
import type { ResolveField } from './build-filter.ts';

export interface OrderTerm<Row> {
  key: string;
  read: (row: Row) => unknown;
  descending: boolean;
}

/** What to do with an order value other than ASC/DESC: ignore it (legacy) or refuse it. */
export type OnBadDirection = (field: string, direction: string) => void;

export function parseOrder<Row>(order: unknown, resolve: ResolveField<Row>, onBadDirection?: OnBadDirection): OrderTerm<Row>[] {
  if (order === null || typeof order !== 'object' || Array.isArray(order)) return [];
  const terms: OrderTerm<Row>[] = [];
  for (const [name, direction] of Object.entries(order as Record<string, unknown>)) {
    const field = resolve(name, 'order');
    if (!field) continue;
    const text = String(direction).toUpperCase();
    if (text !== 'ASC' && text !== 'DESC') onBadDirection?.(name, String(direction));
    terms.push({ key: field.key, read: field.read, descending: text === 'DESC' });
  }
  return terms;
}

/** Offset of the page: `-1` asks for no count (fast keyset paging); anything else invalid is 0. */
export function readStart(value: unknown): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number.parseInt(value, 10) : 0;
  if (number === -1) return -1;
  return Number.isFinite(number) && number > 0 ? Math.floor(number) : 0;
}
