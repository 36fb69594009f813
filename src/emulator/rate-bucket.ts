/**
 * The portal's request-intensity leaky bucket (protocol.md §3): every HTTP request adds 1, the
 * counter drains `rate` per second, and a request that would take it above `burst` is refused with
 * 503 QUERY_LIMIT_EXCEEDED (a refused request adds nothing). Kept per portal.
 */
export class RateBucket {
  private level = 0;
  private updatedAt: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.updatedAt = now;
  }

  /** Returns true when the request is admitted. */
  admit(now: number): boolean {
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.level = Math.max(0, this.level - elapsedSeconds * this.rate);
    this.updatedAt = now;
    if (this.level + 1 > this.burst + 1e-9) return false;
    this.level += 1;
    return true;
  }

  current(now: number): number {
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    return Math.max(0, this.level - elapsedSeconds * this.rate);
  }
}
