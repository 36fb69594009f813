/** A limiter store for one process. */
import { emptyBucket, recordRefusal, releaseSlot, reserveSlot, type BucketSettings, type BucketState } from './leaky-bucket.ts';
import { blockFromObservation, UNKNOWN_RESET_BLOCK_MS, type LimiterStore, type MethodState, type OperatingObservation } from './limiter-store.ts';

export class MemoryLimiterStore implements LimiterStore {
  private readonly buckets = new Map<string, BucketState>();
  private readonly methods = new Map<string, MethodState>();

  private bucket(key: string, nowMs: number): BucketState {
    return this.buckets.get(key) ?? emptyBucket(nowMs);
  }

  async reserve(key: string, settings: BucketSettings, nowMs: number): Promise<number> {
    const { state, sendAtMs } = reserveSlot(this.bucket(key, nowMs), settings, nowMs);
    this.buckets.set(key, state);
    return sendAtMs;
  }

  async release(key: string, settings: BucketSettings, nowMs: number): Promise<void> {
    this.buckets.set(key, releaseSlot(this.bucket(key, nowMs), settings, nowMs));
  }

  async recordRefusal(key: string, settings: BucketSettings, nowMs: number): Promise<void> {
    this.buckets.set(key, recordRefusal(this.bucket(key, nowMs), settings, nowMs));
  }

  async observeOperating(key: string, method: string, observation: OperatingObservation, nowMs: number, limitSeconds: number): Promise<void> {
    const id = `${key}\u0000${method}`;
    const previous = this.methods.get(id);
    const block = blockFromObservation(observation, nowMs, limitSeconds, UNKNOWN_RESET_BLOCK_MS);
    const keptBlock = previous?.blockedUntilMs !== undefined && previous.blockedUntilMs > nowMs ? previous.blockedUntilMs : undefined;
    this.methods.set(id, {
      operating: observation.operating,
      resetAtMs: observation.resetAtMs ?? previous?.resetAtMs,
      observedAtMs: nowMs,
      blockedUntilMs: block === undefined ? keptBlock : Math.max(block, keptBlock ?? 0),
    });
  }

  async blockMethod(key: string, method: string, untilMs: number, nowMs: number): Promise<void> {
    const id = `${key}\u0000${method}`;
    const previous = this.methods.get(id);
    this.methods.set(id, {
      operating: previous?.operating ?? 0,
      resetAtMs: previous?.resetAtMs,
      observedAtMs: previous?.observedAtMs ?? nowMs,
      blockedUntilMs: Math.max(untilMs, previous?.blockedUntilMs ?? 0),
    });
  }

  async methodState(key: string, method: string): Promise<MethodState | undefined> {
    const state = this.methods.get(`${key}\u0000${method}`);
    return state === undefined ? undefined : { ...state };
  }

  async close(): Promise<void> {}
}
