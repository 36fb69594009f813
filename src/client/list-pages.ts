/**
 * `list(method, params)`: every page of a list method as an async iterator, never stopping after the
 * first. Keyset pagination where the method allows it: one counted request learns the row count, then
 * up to 50 page commands are chained in ONE batch through `$result[p<n-1>][49][ID]` (2,500 rows per
 * request). Only as many pages are chained as the count says are full, plus one to confirm the end,
 * and everything after the first short page is discarded, because the portal silently substitutes the
 * deepest value it found for a reference it cannot resolve (protocol.md §4). Elsewhere: `start`
 * offsets, batched 50 pages a request once the count is known, reported through `onListFallback`.
 */
import { B24ChainError } from '../errors/index.ts';
import { BitrixApiError } from '../errors/index.ts';
import { assertMethodName, assertParamsObject, type BatchCommand } from '../protocol/index.ts';
import { extractRows, keysetPageParams, lastRowReference, LIST_PAGE_SIZE, planList, rowId, type ListCursor, type ListPlan } from '../protocol/index.ts';
import type { ClientContext } from './client-context.ts';
import type { ListOptions, ListPage } from './portal-client.ts';
import { sendBatchRequest, toBatchCommandError } from './send-batch.ts';
import { sendRequest } from './send-request.ts';

const MAX_REQUESTS = 1_000_000;

type KeysetPlan = Extract<ListPlan, { mode: 'keyset' }>;
type OffsetPlan = Extract<ListPlan, { mode: 'offset' }>;

function shapeError(method: string): BitrixApiError {
  return new BitrixApiError({
    method,
    httpStatus: 200,
    bitrixCode: 'INVALID_RESPONSE',
    description: 'the result holds no list of rows',
    category: 'argument',
    retryable: false,
    hint: 'list() works with list methods (crm.lead.list, crm.item.list, tasks.task.list...); use call() for others.',
  });
}

export class ListIterator implements AsyncIterable<ListPage> {
  /** The cursor after the last page yielded. */
  cursor: ListCursor;
  total: number | undefined;
  rowsRead = 0;
  readonly mode: 'keyset' | 'offset';
  /** Why keyset pagination was not possible (offset mode only). */
  readonly fallbackReason: string | undefined;
  private readonly plan: ListPlan;
  private started = false;

  constructor(
    private readonly context: ClientContext,
    private readonly method: string,
    params: Record<string, unknown> = {},
    private readonly options: ListOptions = {},
  ) {
    assertMethodName(method);
    assertParamsObject(method, params);
    this.plan = planList(method, params ?? {}, options.cursor);
    this.mode = this.plan.mode;
    this.fallbackReason = this.plan.mode === 'offset' ? this.plan.reason : undefined;
    this.cursor = this.plan.mode === 'keyset' ? { mode: 'keyset', lastId: this.plan.startAfter } : { mode: 'offset', start: this.plan.start };
  }

  [Symbol.asyncIterator](): AsyncIterator<ListPage> {
    if (this.started)
      throw new B24ChainError(`${this.method}: this list was already iterated (LIST_REUSED).`, {
        code: 'LIST_REUSED',
        hint: 'Start a new list(), passing the cursor to resume.',
      });
    this.started = true;
    return this.plan.mode === 'keyset' ? this.keysetPages(this.plan) : this.offsetPages(this.plan);
  }

  /** Every row, page after page. */
  async *rows(): AsyncGenerator<unknown, void, undefined> {
    for await (const page of this) yield* page.rows;
  }

  private signalPart(): { signal?: AbortSignal } {
    return this.options.signal === undefined ? {} : { signal: this.options.signal };
  }

  private page(rows: unknown[], cursor: ListCursor): ListPage {
    this.cursor = cursor;
    this.rowsRead += rows.length;
    const page: ListPage = { rows, cursor, mode: this.mode };
    if (this.total !== undefined) page.total = this.total;
    this.context.hooks.onRows?.({
      method: this.method,
      rows: rows.length,
      rowsRead: this.rowsRead,
      ...(this.total === undefined ? {} : { total: this.total }),
    });
    return page;
  }

  private async *keysetPages(plan: KeysetPlan): AsyncGenerator<ListPage, void, undefined> {
    const { shape } = plan;
    let lastId = plan.startAfter;
    let remaining: number | undefined;
    if (this.options.count !== false) {
      const response = await sendRequest(this.context, {
        method: this.method,
        params: keysetPageParams(plan, lastId, true),
        isWrite: false,
        commandCount: 1,
        ...this.signalPart(),
      });
      const extracted = extractRows(response.result, shape.rowsKey);
      if (extracted === undefined) throw shapeError(this.method);
      if (response.total !== undefined) this.total = response.total;
      const rows = extracted.rows;
      if (rows.length > 0) lastId = rowId(rows[rows.length - 1], shape) ?? lastId;
      yield this.page(rows, { mode: 'keyset', lastId });
      if (rows.length < LIST_PAGE_SIZE) return;
      if (response.total !== undefined) remaining = response.total - rows.length;
    }
    for (let request = 0; request < MAX_REQUESTS; request += 1) {
      const pages = remaining === undefined ? LIST_PAGE_SIZE : Math.min(LIST_PAGE_SIZE, Math.max(1, Math.ceil(remaining / LIST_PAGE_SIZE) + 1));
      const commands: Array<readonly [string, BatchCommand]> = [];
      for (let index = 0; index < pages; index += 1) {
        const after = index === 0 ? lastId : lastRowReference(shape, `p${index - 1}`);
        commands.push([`p${index}`, { method: this.method, params: keysetPageParams(plan, after, false) }]);
      }
      const answer = await sendBatchRequest(this.context, commands, { halt: true, isWrite: false, ...this.signalPart() });
      const rowsBefore = this.rowsRead;
      let allFull = true;
      for (const [name] of commands) {
        const failure = answer.errors.get(name);
        if (failure !== undefined) throw toBatchCommandError(name, this.method, failure);
        if (!answer.results.has(name)) {
          allFull = false;
          break;
        }
        const extracted = extractRows(answer.results.get(name), shape.rowsKey);
        if (extracted === undefined) throw shapeError(this.method);
        const rows = extracted.rows;
        const firstId = rows.length > 0 ? rowId(rows[0], shape) : null;
        if (rows.length > 0 && (firstId === null || (lastId !== null && Number(firstId) <= Number(lastId)))) {
          // Not the rows after lastId: a page the portal computed from a substituted reference.
          if (name === 'p0') {
            throw new B24ChainError(`${this.method}: the portal ignored the id filter (LIST_FILTER_IGNORED).`, {
              code: 'LIST_FILTER_IGNORED',
              hint: 'Pass an order other than by ID so the list pages with start offsets.',
            });
          }
          allFull = false;
          break;
        }
        if (rows.length > 0) lastId = rowId(rows[rows.length - 1], shape) ?? lastId;
        if (remaining !== undefined) remaining -= rows.length;
        yield this.page(rows, { mode: 'keyset', lastId });
        if (rows.length < LIST_PAGE_SIZE) return; // the end; anything chained after it is garbage
      }
      if (!allFull && this.rowsRead === rowsBefore) {
        throw new B24ChainError(`${this.method}: a page request returned no usable page (LIST_STALLED).`, {
          code: 'LIST_STALLED',
          hint: 'Resume from the cursor; if it repeats, list with an order other than by ID (start offsets).',
        });
      }
    }
  }

  private async *offsetPages(plan: OffsetPlan): AsyncGenerator<ListPage, void, undefined> {
    this.context.hooks.onListFallback?.({ method: this.method, reason: plan.reason });
    let rowsKey = plan.shape.rowsKey;
    const response = await sendRequest(this.context, {
      method: this.method,
      params: { ...plan.baseParams, start: plan.start },
      isWrite: false,
      commandCount: 1,
      ...this.signalPart(),
    });
    const first = extractRows(response.result, rowsKey);
    if (first === undefined) throw shapeError(this.method);
    rowsKey = first.rowsKey;
    if (response.total !== undefined) this.total = response.total;
    let start = response.next ?? plan.start + first.rows.length;
    yield this.page(first.rows, { mode: 'offset', start });
    if (response.next === undefined) return;
    for (let request = 0; request < MAX_REQUESTS; request += 1) {
      const left = this.total === undefined ? LIST_PAGE_SIZE * LIST_PAGE_SIZE : this.total - start;
      const pages = Math.min(LIST_PAGE_SIZE, Math.max(1, Math.ceil(left / LIST_PAGE_SIZE)));
      const commands: Array<readonly [string, BatchCommand]> = [];
      for (let index = 0; index < pages; index += 1) {
        commands.push([`p${index}`, { method: this.method, params: { ...plan.baseParams, start: start + index * LIST_PAGE_SIZE } }]);
      }
      const answer = await sendBatchRequest(this.context, commands, { halt: true, isWrite: false, ...this.signalPart() });
      for (const [index, [name]] of commands.entries()) {
        const failure = answer.errors.get(name);
        if (failure !== undefined) throw toBatchCommandError(name, this.method, failure);
        const extracted = extractRows(answer.results.get(name), rowsKey);
        if (extracted === undefined) throw shapeError(this.method);
        rowsKey = extracted.rowsKey;
        const pageStart = start + index * LIST_PAGE_SIZE;
        const next = answer.nexts.get(name);
        const total = answer.totals.get(name);
        if (total !== undefined) this.total = total;
        yield this.page(extracted.rows, { mode: 'offset', start: next ?? pageStart + extracted.rows.length });
        if (next === undefined) return;
      }
      start += pages * LIST_PAGE_SIZE;
    }
  }
}
