/**
 * REST 3.0 does not deduplicate two requests that carry the same `Idempotency-Key` at the same time
 * (protocol.md §6): only a request sent after the first one finished is answered as a replay. So the
 * client never has two requests with one key in flight: a second waits for the first to settle, and is
 * then answered from the portal's stored result.
 */
export class OneRequestPerKey {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string | undefined, work: () => Promise<T>): Promise<T> {
    if (key === undefined) return work();
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(work, work);
    const settled = current.catch(() => undefined);
    this.tails.set(key, settled);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === settled) this.tails.delete(key);
    }
  }
}
