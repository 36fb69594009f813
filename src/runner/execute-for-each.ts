/**
 * Runs a `for_each`: items stream in page by page, their sub-steps are compiled into batches of at
 * most 50 commands (several items per request, dependent commands chained with `$result` and sent
 * with halt=1), up to `concurrency` batches fly at once, every response is checkpointed in one
 * transaction, and a page's cursor is saved only once every item of that page is settled.
 * The parts: `PageWindow` (cursors of settled pages), `BatchAssembler` (items into batches),
 * `BatchDispatcher` (batches in flight); this file reads the pages and settles the items.
 */
import type { ForEachStep } from '../chain/index.ts';
import { isInterruptedError } from '../errors/index.ts';
import { BatchAssembler, MAX_BATCH_COMMANDS, type AssembledBatch } from './assemble-batch.ts';
import { compileItemCommands, dependencyMap, type BaseScope, type CompiledItem } from './compile-item-commands.ts';
import { BatchDispatcher } from './dispatch-batches.ts';
import { newItemState, type ItemState, type PageState } from './item-state.ts';
import { PageWindow, settleOne } from './page-window.ts';
import type { ItemStatus, ItemUpdate, RunStore } from '../store/index.ts';
import type { BatchSettlement } from './settle-item-batch.ts';

export { MAX_BATCH_COMMANDS } from './assemble-batch.ts';

export interface ItemSource {
  /** Pages of rows, each with the position after it; resumes after `startAfter`. */
  pages(startAfter: unknown): AsyncIterable<{ rows: unknown[]; cursorAfter: unknown; total?: number }>;
}

/** What a `for_each` reads and writes of the checkpoints (a plan passes ones that remember nothing). */
export type ForEachCheckpoints = Pick<RunStore, 'countItems' | 'saveCursor' | 'settledItems' | 'subStepsForKeys' | 'record' | 'pendingItems'>;

export interface ForEachOptions {
  runId: string;
  step: ForEachStep;
  store: ForEachCheckpoints;
  /** Sends (a run) or counts (a plan) one compiled batch, and says what happened to its items. */
  sendBatch(members: CompiledItem[]): Promise<BatchSettlement>;
  base: BaseScope;
  source: ItemSource;
  /** Cursor step id under which the page position is saved (the list step, or the for_each itself). */
  cursorStepId: string;
  startAfter: unknown;
  startPages: number;
  startRows: number;
  concurrency: number;
  /** Ctrl-C: finish the batches in flight, send nothing more. */
  stopSignal: AbortSignal;
  /** Plan-bound runs: only these item keys may be written. */
  allowedKeys?: ReadonlySet<string>;
  renderKey(row: unknown): Promise<string>;
  onProgress(event: { rows: number; itemsDone: number; itemsFailed: number; expectedRows?: number }): void;
}

export interface ForEachOutcome {
  counts: Record<ItemStatus, number>;
  rows: number;
  /** Set when an item failed with on_error: stop (or the client gave up): the run fails. */
  stopError?: { code: string; message: string; itemKey?: string };
  /** Items whose write outcome is unknown and could not be reconciled. */
  unknown: Array<{ itemKey: string; subStepId: string; method: string }>;
  interrupted: boolean;
  /** Every row of the source was read and every page settled (a list's cursor is finished). */
  sourceFinished: boolean;
}

export async function executeForEach(options: ForEachOptions): Promise<ForEachOutcome> {
  return new ForEachExecution(options).execute();
}

type Page = { rows: unknown[]; cursorAfter: unknown; total?: number };

/** The state of one `for_each` execution; each part owns its own, this class reads pages and settles items. */
class ForEachExecution {
  readonly #options: ForEachOptions;
  readonly #outcome: ForEachOutcome;
  readonly #pages: AsyncIterator<Page>;
  readonly #window: PageWindow;
  readonly #assembler: BatchAssembler;
  readonly #dispatcher: BatchDispatcher;
  /** Items buffered ahead of the batches in flight, so pages are read while batches fly. */
  readonly #bufferTarget: number;
  #sourceDone = false;
  #expectedRows: number | undefined;
  #sequence = 0;
  /** Stopped while waiting on the limiter: nothing was sent, the items stay pending. */
  #abandoned = false;

  constructor(options: ForEachOptions) {
    const { step, store, runId } = options;
    this.#options = options;
    // A resumed run starts from the outcomes already recorded, so its counts cover the whole run.
    const recorded = store.countItems(runId)[step.id] ?? {};
    const counts: Record<ItemStatus, number> = { pending: 0, done: 0, skipped: 0, failed: 0, dead_letter: 0, not_planned: 0 };
    for (const status of Object.keys(counts) as ItemStatus[]) if (status !== 'pending') counts[status] = recorded[status] ?? 0;
    this.#outcome = { counts, rows: options.startRows, unknown: [], interrupted: false, sourceFinished: false };
    this.#pages = options.source.pages(options.startAfter)[Symbol.asyncIterator]();
    this.#window = new PageWindow({
      startPages: options.startPages,
      saveCursor: (cursorAfter, pagesDone, finished) => store.saveCursor(runId, options.cursorStepId, cursorAfter, pagesDone, this.#outcome.rows, finished),
    });
    const dependencies = dependencyMap(step);
    this.#assembler = new BatchAssembler((item) => compileItemCommands(step, dependencies, options.base, item));
    this.#dispatcher = new BatchDispatcher(options.concurrency);
    this.#bufferTarget = options.concurrency * MAX_BATCH_COMMANDS * 2;
  }

  async execute(): Promise<ForEachOutcome> {
    const outcome = this.#outcome;
    try {
      await this.#drain();
    } catch (error) {
      // A page read stopped while waiting on the limiter: let the batches in flight land, then stop.
      if (!(isInterruptedError(error) && this.#options.stopSignal.aborted)) throw error;
      this.#abandoned = true;
    }
    if (!this.#stopping() && this.#sourceDone) await this.#finishOrphans();
    await this.#dispatcher.idle();
    if (this.#options.stopSignal.aborted && !outcome.stopError) {
      outcome.interrupted = this.#abandoned || !(this.#sourceDone && this.#assembler.waiting === 0 && this.#window.openPages === 0);
    }
    this.#window.saveSettled(this.#sourceDone);
    outcome.sourceFinished = this.#sourceDone && this.#window.openPages === 0;
    return outcome;
  }

  #stopping(): boolean {
    return this.#options.stopSignal.aborted || this.#outcome.stopError !== undefined || this.#outcome.unknown.length > 0;
  }

  /** Reads pages ahead, hands batches to the dispatcher, and waits for the last ones to land. */
  async #drain(): Promise<void> {
    while (!this.#stopping()) {
      while (!this.#sourceDone && this.#assembler.waiting < this.#bufferTarget) await this.#readPage();
      const batch = await this.#assembler.next();
      this.#settleAssembled(batch);
      if (batch.members.length > 0) {
        await this.#dispatcher.dispatch(() => this.#send(batch.members));
        continue;
      }
      if (this.#dispatcher.inFlight > 0) {
        await this.#dispatcher.oneFinished();
        continue;
      }
      if (this.#sourceDone && this.#assembler.waiting === 0) break;
    }
  }

  /** Items started before an interruption that the list no longer returns (their row changed, e.g. the
   * lead was already marked) are finished from the rows stored with their first write. */
  async #finishOrphans(): Promise<void> {
    const { store, runId, step } = this.#options;
    const orphans = store.pendingItems(runId, step.id);
    if (orphans.length === 0) return;
    const page: PageState = { index: -1, cursorAfter: undefined, rows: orphans.length, remaining: orphans.length };
    const recorded = store.subStepsForKeys(
      runId,
      step.id,
      orphans.map((orphan) => orphan.key),
    );
    for (const orphan of orphans) this.#assembler.add(newItemState(orphan.key, orphan.row, page, this.#sequence++, recorded.get(orphan.key)));
    await this.#drain();
  }

  async #readPage(): Promise<void> {
    const { store, runId, step, allowedKeys } = this.#options;
    const next = await this.#pages.next();
    if (next.done) {
      this.#sourceDone = true;
      return;
    }
    const { rows, cursorAfter, total } = next.value;
    if (total !== undefined && this.#expectedRows === undefined) this.#expectedRows = this.#outcome.rows + total;
    this.#outcome.rows += rows.length;
    const page = this.#window.open(cursorAfter, rows.length);
    const keyed: Array<{ key: string; row: unknown }> = [];
    for (const row of rows) keyed.push({ key: await this.#options.renderKey(row), row });
    const keys = keyed.map((entry) => entry.key);
    const settled = store.settledItems(runId, step.id, keys);
    const recorded = store.subStepsForKeys(runId, step.id, keys);
    const updates: ItemUpdate[] = [];
    for (const { key, row } of keyed) {
      const item = newItemState(key, row, page, this.#sequence++, recorded.get(key));
      if (settled.has(key))
        settleOne(page); // settled before the interruption: already counted
      else if (allowedKeys && !allowedKeys.has(key)) this.#settle(item, 'not_planned', updates);
      else this.#assembler.add(item);
    }
    if (updates.length > 0) store.record(runId, [], updates);
    this.#window.saveSettled(this.#sourceDone);
  }

  #settle(item: ItemState, status: ItemStatus, updates: ItemUpdate[], error?: { code: string; message: string }): void {
    this.#outcome.counts[status] += 1;
    settleOne(item.page);
    if (item.touched || status !== 'done') updates.push({ stepId: this.#options.step.id, itemKey: item.key, status, error: error ?? null });
  }

  /** Items the assembler found finished (or never sendable) are settled without a request. */
  #settleAssembled(batch: AssembledBatch): void {
    const { step, store, runId } = this.#options;
    const updates: ItemUpdate[] = [];
    for (const compiled of batch.finished) this.#settle(compiled.item, 'done', updates);
    for (const compiled of batch.unsendable) {
      this.#settle(compiled.item, 'failed', updates, {
        code: 'UNRESOLVABLE',
        message: `${step.id}: item ${compiled.item.key} has sub-steps that can never be sent`,
      });
    }
    if (updates.length > 0) store.record(runId, [], updates);
    this.#window.saveSettled(this.#sourceDone);
  }

  /** One batch in flight; never throws (a failure stops the for_each). */
  async #send(members: CompiledItem[]): Promise<void> {
    try {
      this.#applySettlement(await this.#options.sendBatch(members));
    } catch (error) {
      if (isInterruptedError(error) && this.#options.stopSignal.aborted) {
        this.#abandoned = true;
      } else {
        const failure = error as { code?: string; message?: string };
        this.#outcome.stopError ??= { code: failure.code ?? 'ERROR', message: failure.message ?? String(error) };
      }
    }
  }

  #applySettlement(settlement: BatchSettlement): void {
    const { store, runId } = this.#options;
    const outcome = this.#outcome;
    const updates: ItemUpdate[] = [];
    for (const entry of settlement.items) {
      if (entry.status === 'retry') this.#assembler.add(entry.item);
      else if (entry.status === 'unknown') outcome.unknown.push(...entry.unknown);
      else {
        this.#settle(entry.item, entry.status, updates, entry.error);
        if (entry.stop && !outcome.stopError) outcome.stopError = { ...(entry.error ?? { code: 'FAILED', message: 'failed' }), itemKey: entry.item.key };
      }
    }
    store.record(runId, settlement.subSteps, updates);
    this.#window.saveSettled(this.#sourceDone);
    const { counts } = outcome;
    this.#options.onProgress({
      rows: outcome.rows,
      itemsDone: counts.done,
      itemsFailed: counts.failed + counts.dead_letter,
      ...(this.#expectedRows === undefined ? {} : { expectedRows: this.#expectedRows }),
    });
  }
}
