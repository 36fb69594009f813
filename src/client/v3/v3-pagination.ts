/**
 * Every page of a REST 3.0 list, as an async iterator of the same pages `list()` yields on v2. The
 * most rows per request wins: `*.tail` methods page by their keyset `cursor` (limit 1000); other lists
 * page by `["id", ">", last]` with `order {id: ASC}` and `pagination {limit: 1000}` (keyset, so a
 * resume is exact), or by `pagination {page, limit: 1000}` when the caller sorts by something else.
 * A page shorter than the limit is the last one (v3 sends no `total` or `next`).
 */
import { B24ChainError } from '../../errors/index.ts';
import type { ListCursor } from '../../protocol/index.ts';
import type { ClientContext } from '../client-context.ts';
import type { ListPage } from '../portal-client.ts';
import { sendRequest } from '../send-request.ts';

export const V3_PAGE_LIMIT = 1000;

export interface V3ListOptions {
  signal?: AbortSignal;
  cursor?: ListCursor;
  /** Rows per request (default and maximum 1000). */
  limit?: number;
}

export type V3ListMode = 'tail' | 'keyset' | 'page';

function isIdAscending(order: unknown): boolean {
  if (order === undefined || order === null) return true;
  if (typeof order !== 'object' || Array.isArray(order)) return false;
  const entries = Object.entries(order);
  return entries.length === 1 && entries[0]?.[0] === 'id' && String(entries[0][1]).toUpperCase() === 'ASC';
}

export function chooseV3ListMode(method: string, params: Record<string, unknown>): V3ListMode {
  if (method.toLowerCase().endsWith('.tail')) return 'tail';
  if (isIdAscending(params.order) && (params.filter === undefined || Array.isArray(params.filter))) return 'keyset';
  return 'page';
}

function itemsOf(method: string, result: unknown): unknown[] {
  const items = (result as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) {
    throw new B24ChainError(`${method}: a REST 3.0 list answered without "items" (V3_UNEXPECTED_LIST_ANSWER).`, {
      code: 'V3_UNEXPECTED_LIST_ANSWER',
      hint: 'The method is not a list on REST 3.0: call it with `chain call`, or use version 2.',
    });
  }
  return items;
}

function lastIdOf(rows: unknown[]): number | string | null {
  const last = rows[rows.length - 1] as { id?: unknown } | undefined;
  return typeof last?.id === 'number' || typeof last?.id === 'string' ? last.id : null;
}

export class V3ListIterator implements AsyncIterable<ListPage> {
  /** The cursor after the last page yielded (before the first: where it starts). */
  cursor: ListCursor;
  /** v3 lists send no total. */
  readonly total: number | undefined = undefined;
  rowsRead = 0;
  readonly v3Mode: V3ListMode;
  readonly mode: 'keyset' | 'offset';
  readonly fallbackReason: string | undefined;
  private started = false;

  constructor(
    private readonly context: ClientContext,
    readonly method: string,
    private readonly params: Record<string, unknown>,
    private readonly options: V3ListOptions = {},
  ) {
    this.v3Mode = chooseV3ListMode(method, params);
    this.mode = this.v3Mode === 'page' ? 'offset' : 'keyset';
    this.fallbackReason = this.v3Mode === 'page' ? 'sorted by another field than id: pages of 1000' : undefined;
    this.cursor = options.cursor ?? (this.mode === 'offset' ? { mode: 'offset', start: 0 } : { mode: 'keyset', lastId: null });
  }

  [Symbol.asyncIterator](): AsyncIterator<ListPage> {
    if (this.started)
      throw new B24ChainError(`${this.method}: this list was already iterated (LIST_REUSED).`, {
        code: 'LIST_REUSED',
        hint: 'Start a new list(), passing the cursor to resume.',
      });
    this.started = true;
    return this.pages();
  }

  async *rows(): AsyncGenerator<unknown, void, undefined> {
    for await (const page of this) yield* page.rows;
  }

  private pageParams(position: number | string | null, offset: number, limit: number): Record<string, unknown> {
    if (this.v3Mode === 'tail') {
      const cursor = { ...((this.params.cursor as Record<string, unknown> | undefined) ?? {}), field: 'id', order: 'ASC', value: position ?? 0, limit };
      return { ...this.params, cursor };
    }
    if (this.v3Mode === 'keyset') {
      const filter = [...((this.params.filter as unknown[] | undefined) ?? [])];
      if (position !== null) filter.push(['id', '>', position]);
      const select = Array.isArray(this.params.select) && !this.params.select.includes('id') ? [...this.params.select, 'id'] : this.params.select;
      return { ...this.params, ...(select === undefined ? {} : { select }), filter, order: { id: 'ASC' }, pagination: { limit } };
    }
    return { ...this.params, pagination: { page: Math.floor(offset / limit) + 1, limit } };
  }

  private async *pages(): AsyncGenerator<ListPage, void, undefined> {
    const limit = Math.min(this.options.limit ?? V3_PAGE_LIMIT, V3_PAGE_LIMIT);
    let position: number | string | null = this.cursor.mode === 'keyset' ? this.cursor.lastId : null;
    let offset = this.cursor.mode === 'offset' ? this.cursor.start : 0;
    for (;;) {
      const response = await sendRequest(this.context, {
        method: this.method,
        params: this.pageParams(position, offset, limit),
        isWrite: false,
        commandCount: 1,
        version: 3,
        ...(this.options.signal === undefined ? {} : { signal: this.options.signal }),
      });
      const rows = itemsOf(this.method, response.result);
      offset += rows.length;
      if (this.v3Mode !== 'page') position = lastIdOf(rows) ?? position;
      const cursor: ListCursor = this.v3Mode === 'page' ? { mode: 'offset', start: offset } : { mode: 'keyset', lastId: position };
      this.cursor = cursor;
      this.rowsRead += rows.length;
      this.context.hooks.onRows?.({ method: this.method, rows: rows.length, rowsRead: this.rowsRead });
      if (rows.length > 0) yield { rows, cursor, mode: this.mode };
      if (rows.length < limit) return;
    }
  }
}
