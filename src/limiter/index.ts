export {
  RateLimiter,
  resolveRateLimiterOptions,
  type RateLimiterOptions,
  type ResolvedRateLimiterOptions,
  type LimiterPermit,
  type LimiterWait,
  type BatchCharging,
} from './rate-limiter.ts';
export { MemoryLimiterStore } from './memory-limiter-store.ts';
export { SqliteLimiterStore } from './sqlite-limiter-store.ts';
export { RedisLimiterStore, type RedisLimiterStoreOptions } from './redis-limiter-store.ts';
export { maskRedisUrl } from './mask-redis-url.ts';
export { createLimiterStore, type LimiterStoreKind } from './create-limiter-store.ts';
export type { LimiterKeys, LimiterStore, MethodState, OperatingObservation } from './limiter-store.ts';
export { reserveSlot, releaseSlot, recordRefusal, drainedLevel, emptyBucket, type BucketSettings, type BucketState } from './leaky-bucket.ts';
export { LIMITER_PRESETS, type LimiterPreset } from './limiter-presets.ts';
