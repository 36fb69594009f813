/**
 * Wall time spent waiting on the limiter. Concurrent callers wait at once (four batches, each for its
 * own slot), so adding their waits up would count the same second several times: this keeps the union
 * of the wait intervals instead, and knows until when the current wait lasts (the progress display's
 * "waiting" state). Pure apart from the times it is given.
 */
export class LimiterWaitTally {
  private closedMs = 0;
  private openStart = 0;
  private openEnd = 0;

  /** A caller starts waiting `waitMs` at `now`. */
  add(now: number, waitMs: number): void {
    if (waitMs <= 0) return;
    const end = now + waitMs;
    if (now >= this.openEnd) {
      this.closedMs += this.openEnd - this.openStart;
      this.openStart = now;
      this.openEnd = end;
    } else {
      this.openEnd = Math.max(this.openEnd, end);
    }
  }

  /** Wall time spent waiting up to `now` (a wait in progress counts up to now, not to its planned end). */
  totalMs(now: number): number {
    return this.closedMs + Math.max(0, Math.min(now, this.openEnd) - this.openStart);
  }

  /** How long the current wait still lasts at `now` (0 when nobody waits). */
  remainingMs(now: number): number {
    return Math.max(0, this.openEnd - now);
  }
}
