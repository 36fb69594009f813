/**
 * The portal's budget, on the client side (DESIGN.md §7): a leaky bucket per portal key mirroring the
 * server's, with reservations so concurrent callers each get their own slot; per-method operating
 * time from `time.operating`, pausing a method until its `operating_reset_at` instead of failing;
 * a slower drain for a while after a 503. State lives in a `LimiterStore` (memory, SQLite or Redis).
 * The bucket and the operating budget may be keyed apart (`LimiterKeys`); a plain string keys both.
 */
import { InterruptedError } from '../errors/index.ts';
import { systemClock, type Clock } from '../util/index.ts';
import type { BucketSettings } from './leaky-bucket.ts';
import { LIMITER_PRESETS } from './limiter-presets.ts';
import type { LimiterKeys, LimiterStore } from './limiter-store.ts';
import { MemoryLimiterStore } from './memory-limiter-store.ts';

export type BatchCharging = 'measured' | 'documented';

export interface LimiterWait {
  key: string;
  /** `rate`: waiting for a slot of the leaky bucket; `operating`: a method is paused until its reset. */
  reason: 'rate' | 'operating';
  waitMs: number;
  method?: string;
}

export interface RateLimiterOptions {
  store?: LimiterStore;
  clock?: Clock;
  /** Drain per second (default 2). */
  rate?: number;
  /** Bucket size (default 50). */
  burst?: number;
  /** Requests of the burst left unused as a margin (default 1). */
  headroom?: number;
  /** The portal's operating budget per method over 10 minutes, seconds (default 480; 0 = not tracked). */
  operatingLimitSeconds?: number;
  /** How the portal charges a batch (protocol.md §3 CONFLICT); default `measured`: all to `batch`. */
  batchCharging?: BatchCharging;
  /** Drain assumed after a 503, as a share of the rate (default 0.8), for `refusalCooldownMs` (default 30 s). */
  refusalSlowdown?: number;
  refusalCooldownMs?: number;
  /** Called whenever a caller waits (progress display). */
  onWait?: (wait: LimiterWait) => void;
  /**
   * Stops every wait of this limiter, present and future, when it aborts (Ctrl-C): the waiting caller
   * gets an `InterruptedError` (its slot given back, nothing sent) instead of waiting out a pause.
   */
  signal?: AbortSignal;
}

export interface ResolvedRateLimiterOptions {
  store: LimiterStore;
  clock: Clock;
  bucket: BucketSettings;
  operatingLimitSeconds: number;
  batchCharging: BatchCharging;
  onWait: (wait: LimiterWait) => void;
  signal: AbortSignal | undefined;
}

const defaults = {
  rate: LIMITER_PRESETS.standard.rate,
  burst: LIMITER_PRESETS.standard.burst,
  headroom: 1,
  operatingLimitSeconds: 480,
  batchCharging: 'measured',
  refusalSlowdown: 0.8,
  refusalCooldownMs: 30_000,
} as const satisfies Partial<Record<keyof RateLimiterOptions, unknown>>;

function positive(name: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`limiter: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${value}.`);
  }
  return value;
}

export function resolveRateLimiterOptions(options: RateLimiterOptions = {}): ResolvedRateLimiterOptions {
  const slowdown = options.refusalSlowdown ?? defaults.refusalSlowdown;
  if (!(slowdown > 0 && slowdown <= 1)) throw new RangeError(`limiter: refusalSlowdown must be in (0, 1], got ${slowdown}.`);
  const batchCharging = options.batchCharging ?? defaults.batchCharging;
  if (batchCharging !== 'measured' && batchCharging !== 'documented') {
    throw new RangeError(`limiter: batchCharging must be "measured" or "documented", got ${String(batchCharging)}.`);
  }
  return {
    store: options.store ?? new MemoryLimiterStore(),
    clock: options.clock ?? systemClock,
    bucket: {
      rate: positive('rate', options.rate ?? defaults.rate),
      burst: positive('burst', options.burst ?? defaults.burst),
      headroom: positive('headroom', options.headroom ?? defaults.headroom, true),
      refusalSlowdown: slowdown,
      refusalCooldownMs: positive('refusalCooldownMs', options.refusalCooldownMs ?? defaults.refusalCooldownMs, true),
    },
    operatingLimitSeconds: positive('operatingLimitSeconds', options.operatingLimitSeconds ?? defaults.operatingLimitSeconds, true),
    batchCharging,
    onWait: options.onWait ?? (() => {}),
    signal: options.signal,
  };
}

/** A slot taken: `release()` gives it back if the request is abandoned before it is sent. */
export interface LimiterPermit {
  waitedMs: number;
  release(): Promise<void>;
}

export class RateLimiter {
  readonly options: ResolvedRateLimiterOptions;

  constructor(options: RateLimiterOptions = {}) {
    this.options = resolveRateLimiterOptions(options);
  }

  /** The methods whose operating budget a request to `method` (with batch `commands`) is charged to. */
  chargedMethods(method: string, commandMethods: readonly string[] = []): string[] {
    const lower = method.toLowerCase();
    if (lower !== 'batch' || this.options.batchCharging === 'measured') return [lower];
    return [...new Set(commandMethods.map((name) => name.toLowerCase()))];
  }

  /**
   * Waits until `methods` are not paused and a bucket slot is free, then returns a permit. Throws the
   * signal's reason when aborted, an `InterruptedError` when the limiter's own `signal` stops it (the slot
   * is given back either way).
   */
  async acquire(keys: string | LimiterKeys, methods: readonly string[], signal?: AbortSignal, onWait?: (wait: LimiterWait) => void): Promise<LimiterPermit> {
    const { store, clock, bucket } = this.options;
    const key = typeof keys === 'string' ? keys : keys.bucket;
    const operatingKey = typeof keys === 'string' ? keys : keys.operating;
    const stop = this.options.signal;
    const waitSignal = stop === undefined ? signal : signal === undefined ? stop : AbortSignal.any([signal, stop]);
    const report = (wait: LimiterWait): void => {
      this.options.onWait(wait);
      onWait?.(wait);
    };
    /** Sleeps, turning a stop of the limiter (not the caller's own signal) into an `InterruptedError`. */
    const wait = async (ms: number, waitingFor: LimiterWait): Promise<void> => {
      try {
        if (stop?.aborted) throw stop.reason;
        await clock.sleep(ms, waitSignal);
      } catch (error) {
        if (signal?.aborted || !stop?.aborted) throw error;
        throw new InterruptedError({
          key,
          waitingFor: waitingFor.reason,
          ...(waitingFor.method === undefined ? {} : { method: waitingFor.method }),
          cause: error,
        });
      }
    };
    const started = clock.now();
    for (let round = 0; round < 100; round += 1) {
      signal?.throwIfAborted();
      let pausedUntil = 0;
      let pausedMethod: string | undefined;
      for (const method of methods) {
        const state = await store.methodState(operatingKey, method, clock.now());
        if (state?.blockedUntilMs !== undefined && state.blockedUntilMs > pausedUntil) {
          pausedUntil = state.blockedUntilMs;
          pausedMethod = method;
        }
      }
      const now = clock.now();
      if (pausedUntil <= now) break;
      const pause: LimiterWait = { key, reason: 'operating', waitMs: pausedUntil - now };
      if (pausedMethod !== undefined) pause.method = pausedMethod;
      report(pause);
      await wait(pausedUntil - now, pause);
    }
    const reservedAt = clock.now();
    const sendAt = await store.reserve(key, bucket, reservedAt);
    if (sendAt > reservedAt) {
      const slot: LimiterWait = { key, reason: 'rate', waitMs: sendAt - reservedAt };
      report(slot);
      try {
        await wait(sendAt - reservedAt, slot);
      } catch (error) {
        await store.release(key, bucket, clock.now());
        throw error;
      }
    }
    let released = false;
    return {
      waitedMs: clock.now() - started,
      release: async () => {
        if (released) return;
        released = true;
        await store.release(key, bucket, clock.now());
      },
    };
  }

  /**
   * A back-off before a retry (nothing of it is in flight), stopped like the limiter's own waits: by the
   * caller's `signal` (its reason is thrown) or the limiter's (an `InterruptedError`).
   */
  async backOff(key: string, ms: number, signal?: AbortSignal): Promise<void> {
    const stop = this.options.signal;
    try {
      if (stop?.aborted) throw stop.reason;
      await this.options.clock.sleep(ms, stop === undefined ? signal : signal === undefined ? stop : AbortSignal.any([signal, stop]));
    } catch (error) {
      if (signal?.aborted || !stop?.aborted) throw error;
      throw new InterruptedError({ key, waitingFor: 'retry', cause: error });
    }
  }

  /** Records the `time` of an answer for `method` (for a batch under measured charging: `batch`). */
  async observe(key: string, method: string, time: { operating?: number; operatingResetAtMs?: number } | undefined): Promise<void> {
    if (time?.operating === undefined || this.options.operatingLimitSeconds <= 0) return;
    const observation =
      time.operatingResetAtMs === undefined ? { operating: time.operating } : { operating: time.operating, resetAtMs: time.operatingResetAtMs };
    await this.options.store.observeOperating(key, method.toLowerCase(), observation, this.options.clock.now(), this.options.operatingLimitSeconds);
  }

  /** The portal refused with 503 QUERY_LIMIT_EXCEEDED. */
  async recordRateRefusal(key: string): Promise<void> {
    await this.options.store.recordRefusal(key, this.options.bucket, this.options.clock.now());
  }

  /** The portal refused with 429 OPERATION_TIME_LIMIT: pause the methods until `untilMs`. */
  async pauseMethods(key: string, methods: readonly string[], untilMs: number): Promise<void> {
    const now = this.options.clock.now();
    for (const method of methods) await this.options.store.blockMethod(key, method.toLowerCase(), untilMs, now);
  }

  /** The last `operating_reset_at` seen for a method (unix ms). */
  async operatingResetAt(key: string, method: string): Promise<number | undefined> {
    return (await this.options.store.methodState(key, method.toLowerCase(), this.options.clock.now()))?.resetAtMs;
  }

  async close(): Promise<void> {
    await this.options.store.close();
  }
}
