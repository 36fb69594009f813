/**
 * A limiter store on Redis (`B24_REDIS_URL`), so processes on several hosts share one budget per
 * portal (DESIGN.md §13). Every operation is one Lua script (`redis-limiter-scripts.ts`), atomic on
 * the server and computed on the server's clock: the scripts return delays and offsets, converted here
 * to the caller's clock (`sendAtMs = nowMs + delayMs`), so hosts whose clocks disagree still agree on
 * the budget. Keys carry a prefix (default `b24chain:`), expire when idle, and hold no secret: the
 * limiter keys are a portal host (plus an egress label) and a credential digest (`limiter-keys.ts`).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LimiterStoreError, registerSecret } from '../errors/index.ts';
import type { BucketSettings } from './leaky-bucket.ts';
import { UNKNOWN_RESET_BLOCK_MS, type LimiterStore, type MethodState, type OperatingObservation } from './limiter-store.ts';
import { leaseRedisConnection, type RedisConnectionLease } from './lease-redis-connection.ts';
import { maskRedisUrl } from './mask-redis-url.ts';
import { BLOCK_SCRIPT, OBSERVE_SCRIPT, REFUSAL_SCRIPT, RELEASE_SCRIPT, RESERVE_SCRIPT, STATE_SCRIPT } from './redis-limiter-scripts.ts';

export interface RedisLimiterStoreOptions {
  /** `redis://[:password@]host:port[/db]` or `rediss://…` (TLS); default `redis://127.0.0.1:6379`. */
  url?: string;
  /** Prepended to every key (default `b24chain:`). */
  prefix?: string;
  /**
   * `server` (default): the scripts compute with Redis's `TIME`, so every host agrees. `caller`: with
   * the `nowMs` each call passes (one clock for all callers, e.g. a test's manual clock).
   */
  timeSource?: 'server' | 'caller';
  /** How long one connection attempt may take (default 3000 ms). */
  connectTimeoutMs?: number;
  /** Share the process's connection to this address with the other stores (default true). */
  shareConnection?: boolean;
}

const defaults = {
  url: 'redis://127.0.0.1:6379',
  prefix: 'b24chain:',
  timeSource: 'server',
  connectTimeoutMs: 3_000,
  shareConnection: true,
} as const satisfies Required<RedisLimiterStoreOptions>;

interface Script {
  source: string;
  sha: string;
}

const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') });
const scripts = {
  reserve: script(RESERVE_SCRIPT),
  release: script(RELEASE_SCRIPT),
  refusal: script(REFUSAL_SCRIPT),
  observe: script(OBSERVE_SCRIPT),
  block: script(BLOCK_SCRIPT),
  state: script(STATE_SCRIPT),
};

const bucketArguments = (settings: BucketSettings): string[] =>
  [settings.rate, settings.burst, settings.headroom, settings.refusalSlowdown, settings.refusalCooldownMs].map(String);

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

const isNoScript = (error: unknown): boolean => error instanceof Error && error.message.startsWith('NOSCRIPT');

export class RedisLimiterStore implements LimiterStore {
  /** The address as it may be shown (password masked). */
  readonly address: string;
  readonly prefix: string;
  private readonly url: string;
  private readonly connectTimeoutMs: number;
  private readonly shareConnection: boolean;
  private lease: RedisConnectionLease | undefined;
  private readonly callerTime: boolean;
  private closed = false;

  /** Connects on first use. */
  constructor(options: RedisLimiterStoreOptions = {}) {
    this.url = options.url ?? defaults.url;
    this.address = maskRedisUrl(this.url);
    registerSecret(passwordOf(this.url));
    this.prefix = options.prefix ?? defaults.prefix;
    this.callerTime = (options.timeSource ?? defaults.timeSource) === 'caller';
    this.connectTimeoutMs = options.connectTimeoutMs ?? defaults.connectTimeoutMs;
    this.shareConnection = options.shareConnection ?? defaults.shareConnection;
  }

  private connection(): Promise<Redis> {
    this.lease ??= leaseRedisConnection(this.url, this.connectTimeoutMs, this.shareConnection);
    return this.lease.redis;
  }

  /** Connects (if not yet) and checks the server answers; throws `LimiterStoreError` if it does not. */
  async connect(): Promise<void> {
    if (this.closed) throw new LimiterStoreError({ address: this.address, detail: 'the store was closed' });
    try {
      await (await this.connection()).ping();
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  private unavailable(error: unknown): LimiterStoreError {
    const reason = this.lease?.lastError() ?? error;
    const detail = reason instanceof Error ? reason.message : String(reason);
    return new LimiterStoreError({ address: this.address, detail: `Redis did not answer: ${detail}`, cause: error });
  }

  private async run(which: Script, key: string, args: readonly string[]): Promise<unknown> {
    if (this.closed) throw new LimiterStoreError({ address: this.address, detail: 'the store was closed' });
    try {
      const redis = await this.connection();
      try {
        return await redis.evalsha(which.sha, 1, key, ...args);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        return await redis.eval(which.source, 1, key, ...args);
      }
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  private now(nowMs: number): string {
    return this.callerTime ? String(nowMs) : '';
  }

  private bucketKey(key: string): string {
    return `${this.prefix}bucket:${key}`;
  }

  private methodKey(key: string, method: string): string {
    return `${this.prefix}method:${key}|${method}`;
  }

  async reserve(key: string, settings: BucketSettings, nowMs: number): Promise<number> {
    const delayMs = Number(await this.run(scripts.reserve, this.bucketKey(key), [this.now(nowMs), ...bucketArguments(settings)]));
    return nowMs + delayMs;
  }

  async release(key: string, settings: BucketSettings, nowMs: number): Promise<void> {
    await this.run(scripts.release, this.bucketKey(key), [this.now(nowMs), ...bucketArguments(settings)]);
  }

  async recordRefusal(key: string, settings: BucketSettings, nowMs: number): Promise<void> {
    await this.run(scripts.refusal, this.bucketKey(key), [this.now(nowMs), ...bucketArguments(settings)]);
  }

  async observeOperating(key: string, method: string, observation: OperatingObservation, nowMs: number, limitSeconds: number): Promise<void> {
    const resetOffset = observation.resetAtMs === undefined ? '' : String(observation.resetAtMs - nowMs);
    await this.run(scripts.observe, this.methodKey(key, method), [
      this.now(nowMs),
      String(observation.operating),
      resetOffset,
      String(limitSeconds),
      String(UNKNOWN_RESET_BLOCK_MS),
    ]);
  }

  async blockMethod(key: string, method: string, untilMs: number, nowMs: number): Promise<void> {
    await this.run(scripts.block, this.methodKey(key, method), [this.now(nowMs), String(untilMs - nowMs)]);
  }

  async methodState(key: string, method: string, nowMs: number = Date.now()): Promise<MethodState | undefined> {
    const reply = await this.run(scripts.state, this.methodKey(key, method), [this.now(nowMs)]);
    if (!Array.isArray(reply)) return undefined;
    const [operating, reset, observed, blocked] = reply as Array<string | null>;
    const at = (offset: string | null | undefined): number | undefined => (offset === null || offset === undefined ? undefined : nowMs + Number(offset));
    return {
      operating: Number(operating),
      resetAtMs: at(reset),
      observedAtMs: at(observed) ?? nowMs,
      blockedUntilMs: at(blocked),
    };
  }

  /** Lets go of the connection (the process's last store using it quits it); idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lease?.release();
  }
}
