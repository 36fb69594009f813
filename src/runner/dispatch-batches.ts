/**
 * Batches in flight for a `for_each`, through one concurrency mechanism: a p-queue of `concurrency`.
 * The producer hands a batch over and waits for a free slot; p-queue's own counts say what is in
 * flight, and its `next` event (emitted after a task has finished) wakes the producer, so a batch
 * finishing between two checks is never missed (the check and the wait are in the same tick).
 */
import PQueue from 'p-queue';

export class BatchDispatcher {
  readonly #queue: PQueue;
  readonly #concurrency: number;

  constructor(concurrency: number) {
    this.#concurrency = concurrency;
    this.#queue = new PQueue({ concurrency });
  }

  /** Batches sent or waiting for a slot. */
  get inFlight(): number {
    return this.#queue.pending + this.#queue.size;
  }

  /**
   * Starts `task` (which handles its own errors) and resolves once another batch may be handed over.
   */
  async dispatch(task: () => Promise<void>): Promise<void> {
    void this.#queue.add(task);
    if (this.inFlight >= this.#concurrency) await this.oneFinished();
  }

  /** Resolves when the next batch in flight has finished (its task's work included). */
  oneFinished(): Promise<void> {
    return new Promise((resolve) => this.#queue.once('next', () => resolve()));
  }

  /** Resolves when nothing is in flight. */
  idle(): Promise<void> {
    return this.#queue.onIdle();
  }
}
