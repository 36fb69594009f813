/**
 * The per-method "operating" time budget (protocol.md §3, LoadLimiter): time is summed per
 * (auth type, credential, method) over 10 one-minute buckets; only calls longer than 0.1 s count.
 * The call that pushes the sum over the limit still finishes; the next one is refused (429).
 */
const BUCKET_MS = 60_000;
const WINDOW_MS = 10 * BUCKET_MS;
const MIN_COUNTED_SECONDS = 0.1;

interface Bucket {
  /** Start of the minute (ms). */
  minute: number;
  /** Start of the first counted call in this minute (ms). */
  firstCallAt: number;
  seconds: number;
}

export interface OperatingState {
  /** Seconds used over the window, including the call just made. */
  operating: number;
  /** Unix seconds when the oldest bucket expires, when known. */
  resetAt: number | undefined;
}

export class OperatingBudget {
  private readonly buckets = new Map<string, Bucket[]>();

  constructor(private readonly limitSeconds: number) {}

  private live(key: string, now: number): Bucket[] {
    const list = (this.buckets.get(key) ?? []).filter((bucket) => bucket.minute + WINDOW_MS > now);
    this.buckets.set(key, list);
    return list;
  }

  /** True when the method is blocked for this credential right now. */
  isBlocked(key: string, now: number): boolean {
    if (this.limitSeconds <= 0) return false;
    return this.state(key, now).operating >= this.limitSeconds;
  }

  /** Records a call of `seconds` that started at `startedAt`, and returns the state after it. */
  charge(key: string, startedAt: number, seconds: number): OperatingState {
    if (seconds > MIN_COUNTED_SECONDS) {
      const list = this.live(key, startedAt);
      const minute = Math.floor(startedAt / BUCKET_MS) * BUCKET_MS;
      let bucket = list.find((candidate) => candidate.minute === minute);
      if (!bucket) {
        bucket = { minute, firstCallAt: startedAt, seconds: 0 };
        list.push(bucket);
      }
      bucket.seconds += seconds;
    }
    return this.state(key, startedAt);
  }

  state(key: string, now: number): OperatingState {
    const list = this.live(key, now);
    const operating = list.reduce((sum, bucket) => sum + bucket.seconds, 0);
    const oldest = list[0];
    return {
      operating: Math.round(operating * 10_000) / 10_000,
      resetAt: oldest ? Math.floor((oldest.firstCallAt + WINDOW_MS) / 1000) : undefined,
    };
  }

  clear(): void {
    this.buckets.clear();
  }
}
