/**
 * The pages of a `for_each` whose items are not all settled yet, in list order. It owns one rule of
 * resumability: a page's cursor is saved only when that page and every page before it are settled,
 * so a resume never skips an item that was read but not finished.
 */
import type { PageState } from './item-state.ts';

export interface PageWindowOptions {
  /** Pages already saved by an earlier attempt of the run. */
  startPages: number;
  /** Saves the position after a settled page; `finished` when it was the source's last one. */
  saveCursor(cursorAfter: unknown, pagesDone: number, finished: boolean): void;
}

export class PageWindow {
  readonly #open: PageState[] = [];
  readonly #saveCursor: PageWindowOptions['saveCursor'];
  #pagesDone: number;

  constructor(options: PageWindowOptions) {
    this.#pagesDone = options.startPages;
    this.#saveCursor = options.saveCursor;
  }

  /** A page just read: open until its `rows` items are settled. */
  open(cursorAfter: unknown, rows: number): PageState {
    const page: PageState = { index: this.#pagesDone + this.#open.length, cursorAfter, rows, remaining: rows };
    this.#open.push(page);
    return page;
  }

  /** Pages still open (read, not all settled or not saved yet). */
  get openPages(): number {
    return this.#open.length;
  }

  /**
   * Saves the cursor of each leading page whose items are all settled, oldest first; stops at the
   * first page with an item still open. `sourceDone`: the source has no more pages.
   */
  saveSettled(sourceDone: boolean): void {
    while (this.#open[0] !== undefined && this.#open[0].remaining === 0) {
      const page = this.#open.shift() as PageState;
      this.#pagesDone += 1;
      this.#saveCursor(page.cursorAfter, this.#pagesDone, sourceDone && this.#open.length === 0);
    }
  }
}

/** One item of `page` is settled (or was settled before an interruption). */
export function settleOne(page: PageState): void {
  page.remaining -= 1;
}
