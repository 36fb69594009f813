/**
 * Batch assembly for a `for_each`: items wait in order; each one's next commands are compiled when
 * it is taken; items are packed into one batch of at most 50 commands (protocol.md §4), and an item
 * that does not fit is carried over, whole, to the next batch. Items with nothing left to send come
 * out as finished (every sub-step done or skipped) or unsendable (sub-steps that can never be sent).
 */
import type { CompiledItem } from './compile-item-commands.ts';
import type { ItemState } from './item-state.ts';

export const MAX_BATCH_COMMANDS = 50;

export interface AssembledBatch {
  /** The items of the batch to send, empty when nothing is ready. */
  members: CompiledItem[];
  /** Items taken on the way that need no more requests. */
  finished: CompiledItem[];
  /** Items taken on the way whose remaining sub-steps can never be sent. */
  unsendable: CompiledItem[];
}

export class BatchAssembler {
  readonly #ready: ItemState[] = [];
  #carried: CompiledItem | undefined;
  readonly #compile: (item: ItemState) => Promise<CompiledItem>;
  readonly #maxCommands: number;

  constructor(compile: (item: ItemState) => Promise<CompiledItem>, maxCommands = MAX_BATCH_COMMANDS) {
    this.#compile = compile;
    this.#maxCommands = maxCommands;
  }

  /** An item to send (a new one, or one whose batch asked for a retry). */
  add(item: ItemState): void {
    this.#ready.push(item);
  }

  /** Items waiting to be assembled, the carried one included. */
  get waiting(): number {
    return this.#ready.length + (this.#carried ? 1 : 0);
  }

  /** The next batch of ready items, compiled now (so it sees results that came in meanwhile). */
  async next(): Promise<AssembledBatch> {
    const batch: AssembledBatch = { members: [], finished: [], unsendable: [] };
    let size = 0;
    while (size < this.#maxCommands) {
      const compiled = await this.#take();
      if (!compiled) break;
      if (compiled.finished) {
        batch.finished.push(compiled);
        continue;
      }
      if (compiled.commands.length === 0) {
        batch.unsendable.push(compiled);
        continue;
      }
      if (size + compiled.commands.length > this.#maxCommands && batch.members.length > 0) {
        this.#carried = compiled;
        break;
      }
      batch.members.push(compiled);
      size += compiled.commands.length;
    }
    return batch;
  }

  async #take(): Promise<CompiledItem | undefined> {
    const carried = this.#carried;
    if (carried) {
      this.#carried = undefined;
      return carried;
    }
    const item = this.#ready.shift();
    return item ? this.#compile(item) : undefined;
  }
}
