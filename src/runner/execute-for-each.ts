/**
 * Runs a `for_each`: items stream in page by page, their sub-steps are compiled into batches of at
 * most 50 commands (several items per request, dependent commands chained with `$result` and sent
 * with halt=1), up to `concurrency` batches fly at once, every response is checkpointed in one
 * transaction, and a page's cursor is saved only once every item of that page is settled.
 */
import PQueue from 'p-queue';
import type { ForEachStep } from '../chain/chain-model.ts';
import { isInterruptedError } from '../errors/interrupted-error.ts';
import { compileItemCommands, dependencyMap, type BaseScope, type CompiledItem } from './compile-item-commands.ts';
import { newItemState, type ItemState, type PageState } from './item-state.ts';
import type { ItemStatus, ItemUpdate, RunStore, SubStepUpdate } from '../store/index.ts';
import type { BatchSettlement } from './settle-item-batch.ts';

export const MAX_BATCH_COMMANDS = 50;

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
  const { step, store, runId } = options;
  const dependencies = dependencyMap(step);
  // A resumed run starts from the outcomes already recorded, so its counts cover the whole run.
  const recorded = store.countItems(runId)[step.id] ?? {};
  const counts: Record<ItemStatus, number> = { pending: 0, done: 0, skipped: 0, failed: 0, dead_letter: 0, not_planned: 0 };
  for (const status of Object.keys(counts) as ItemStatus[]) if (status !== 'pending') counts[status] = recorded[status] ?? 0;
  const outcome: ForEachOutcome = { counts, rows: options.startRows, unknown: [], interrupted: false, sourceFinished: false };
  const pagesIterator = options.source.pages(options.startAfter)[Symbol.asyncIterator]();
  const unsavedPages: PageState[] = [];
  let pagesDone = options.startPages;
  let sourceDone = false;
  let expectedRows: number | undefined;
  let sequence = 0;
  const ready: ItemState[] = [];
  let carried: CompiledItem | undefined;
  const queue = new PQueue({ concurrency: options.concurrency });
  const bufferTarget = options.concurrency * MAX_BATCH_COMMANDS * 2;

  const stopping = (): boolean => options.stopSignal.aborted || outcome.stopError !== undefined || outcome.unknown.length > 0;

  const saveSettledPages = (): void => {
    while (unsavedPages.length > 0 && (unsavedPages[0] as PageState).remaining === 0) {
      const page = unsavedPages.shift() as PageState;
      pagesDone += 1;
      store.saveCursor(runId, options.cursorStepId, page.cursorAfter, pagesDone, outcome.rows, sourceDone && unsavedPages.length === 0);
    }
  };

  const settle = (item: ItemState, status: ItemStatus, updates: ItemUpdate[], error?: { code: string; message: string }): void => {
    counts[status] += 1;
    item.page.remaining -= 1;
    if (item.touched || status !== 'done') updates.push({ stepId: step.id, itemKey: item.key, status, error: error ?? null });
  };

  const pullPage = async (): Promise<void> => {
    const next = await pagesIterator.next();
    if (next.done) {
      sourceDone = true;
      return;
    }
    const { rows, cursorAfter, total } = next.value;
    if (total !== undefined && expectedRows === undefined) expectedRows = outcome.rows + total;
    outcome.rows += rows.length;
    const page: PageState = { index: pagesDone + unsavedPages.length, cursorAfter, rows: rows.length, remaining: rows.length };
    unsavedPages.push(page);
    const keyed: Array<{ key: string; row: unknown }> = [];
    for (const row of rows) keyed.push({ key: await options.renderKey(row), row });
    const keys = keyed.map((entry) => entry.key);
    const settled = store.settledItems(runId, step.id, keys);
    const recorded = store.subStepsForKeys(runId, step.id, keys);
    const updates: ItemUpdate[] = [];
    for (const { key, row } of keyed) {
      const item = newItemState(key, row, page, sequence++, recorded.get(key));
      const previous = settled.get(key);
      if (previous !== undefined) {
        page.remaining -= 1; // settled before the interruption: already counted
      } else if (options.allowedKeys && !options.allowedKeys.has(key)) {
        settle(item, 'not_planned', updates);
      } else {
        ready.push(item);
      }
    }
    if (updates.length > 0) store.record(runId, [], updates);
    saveSettledPages();
  };

  /** Compiles the next batch from ready items; finished items are settled on the way. */
  const nextBatch = async (): Promise<CompiledItem[] | undefined> => {
    const members: CompiledItem[] = [];
    let size = 0;
    const updates: ItemUpdate[] = [];
    while (size < MAX_BATCH_COMMANDS) {
      let compiled = carried;
      carried = undefined;
      if (!compiled) {
        const item = ready.shift();
        if (!item) break;
        compiled = await compileItemCommands(step, dependencies, options.base, item);
      }
      if (compiled.finished || compiled.commands.length === 0) {
        if (compiled.finished) settle(compiled.item, 'done', updates);
        else settle(compiled.item, 'failed', updates, { code: 'UNRESOLVABLE', message: `${step.id}: item ${compiled.item.key} has sub-steps that can never be sent` });
        continue;
      }
      if (size + compiled.commands.length > MAX_BATCH_COMMANDS && members.length > 0) {
        carried = compiled;
        break;
      }
      members.push(compiled);
      size += compiled.commands.length;
    }
    if (updates.length > 0) store.record(runId, [], updates);
    saveSettledPages();
    return members.length > 0 ? members : undefined;
  };

  const applySettlement = (settlement: BatchSettlement): void => {
    const updates: ItemUpdate[] = [];
    for (const entry of settlement.items) {
      if (entry.status === 'retry') ready.push(entry.item);
      else if (entry.status === 'unknown') outcome.unknown.push(...entry.unknown);
      else {
        settle(entry.item, entry.status, updates, entry.error);
        if (entry.stop && !outcome.stopError) outcome.stopError = { ...(entry.error ?? { code: 'FAILED', message: 'failed' }), itemKey: entry.item.key };
      }
    }
    const subSteps: SubStepUpdate[] = settlement.subSteps;
    store.record(runId, subSteps, updates);
    saveSettledPages();
    options.onProgress({ rows: outcome.rows, itemsDone: counts.done, itemsFailed: counts.failed + counts.dead_letter, ...(expectedRows === undefined ? {} : { expectedRows }) });
  };

  // In-flight accounting is synchronous, so a batch finishing can never be missed by the loop.
  let inFlight = 0;
  let abandoned = false;
  const waiters: Array<() => void> = [];
  const batchFinished = (): Promise<void> => new Promise((resolve) => waiters.push(resolve));

  const drain = async (): Promise<void> => {
    while (!stopping()) {
      while (!sourceDone && ready.length + (carried ? 1 : 0) < bufferTarget) await pullPage();
      const members = await nextBatch();
      if (members) {
        inFlight += 1;
        void queue.add(async () => {
          try {
            applySettlement(await options.sendBatch(members));
          } catch (error) {
            if (isInterruptedError(error) && options.stopSignal.aborted) {
              abandoned = true; // stopped while waiting on the limiter: nothing was sent, the items stay pending
            } else {
              const failure = error as { code?: string; message?: string };
              outcome.stopError ??= { code: failure.code ?? 'ERROR', message: failure.message ?? String(error) };
            }
          } finally {
            inFlight -= 1;
            for (const resolve of waiters.splice(0)) resolve();
          }
        });
        if (inFlight >= options.concurrency) await batchFinished();
        continue;
      }
      if (inFlight > 0) {
        await batchFinished();
        continue;
      }
      if (sourceDone && ready.length === 0 && !carried) break;
    }
  };

  try {
    await drain();
  } catch (error) {
    // A page read stopped while waiting on the limiter: let the batches in flight land, then stop.
    if (!(isInterruptedError(error) && options.stopSignal.aborted)) throw error;
    abandoned = true;
  }
  // Items started before an interruption that the list no longer returns (their row changed, e.g. the
  // lead was already marked) are finished from the rows stored with their first write.
  if (!stopping() && sourceDone) {
    const orphans = store.pendingItems(runId, step.id);
    if (orphans.length > 0) {
      const page: PageState = { index: -1, cursorAfter: undefined, rows: orphans.length, remaining: orphans.length };
      const recordedSubSteps = store.subStepsForKeys(runId, step.id, orphans.map((orphan) => orphan.key));
      for (const orphan of orphans) ready.push(newItemState(orphan.key, orphan.row, page, sequence++, recordedSubSteps.get(orphan.key)));
      await drain();
    }
  }
  await queue.onIdle();
  if (options.stopSignal.aborted && !outcome.stopError) outcome.interrupted = abandoned || !(sourceDone && ready.length === 0 && !carried && unsavedPages.length === 0);
  saveSettledPages();
  outcome.sourceFinished = sourceDone && unsavedPages.length === 0;
  return outcome;
}
