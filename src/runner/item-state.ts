/** One item of a for_each while it is being processed: its row, its sub-steps' state and results. */
import type { SubStepRecord, SubStepStatus } from '../store/index.ts';

export interface PageState {
  index: number;
  /** The list position after this page (saved once every item of the page is settled). */
  cursorAfter: unknown;
  rows: number;
  /** Items of this page not yet settled. */
  remaining: number;
}

export interface ItemState {
  key: string;
  row: unknown;
  page: PageState;
  /** Sequence number, for unique command names. */
  sequence: number;
  statuses: Map<string, SubStepStatus>;
  results: Map<string, unknown>;
  attempts: Map<string, number>;
  /** Whether any sub-step was ever sent (items with only skipped sub-steps need no record). */
  touched: boolean;
}

export function newItemState(key: string, row: unknown, page: PageState, sequence: number, recorded: SubStepRecord[] = []): ItemState {
  const state: ItemState = { key, row, page, sequence, statuses: new Map(), results: new Map(), attempts: new Map(), touched: recorded.length > 0 };
  for (const record of recorded) {
    state.statuses.set(record.subStepId, record.status);
    if (record.status === 'done') state.results.set(record.subStepId, record.result);
  }
  return state;
}
