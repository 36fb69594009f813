/**
 * Builds the store a connection asks for: `memory`, `sqlite` (the seed's `file` means sqlite; one file
 * per user and host) or `redis` (`B24_REDIS_URL`: one budget per portal across hosts).
 */
import type { LimiterStore } from './limiter-store.ts';
import { MemoryLimiterStore } from './memory-limiter-store.ts';
import { RedisLimiterStore, type RedisLimiterStoreOptions } from './redis-limiter-store.ts';
import { SqliteLimiterStore } from './sqlite-limiter-store.ts';

export type LimiterStoreKind = 'memory' | 'sqlite' | 'redis';

export function createLimiterStore(kind: LimiterStoreKind, sqlitePath?: string, redis?: RedisLimiterStoreOptions): LimiterStore {
  if (kind === 'memory') return new MemoryLimiterStore();
  if (kind === 'redis') {
    if (redis?.url === undefined || redis.url === '') throw new RangeError('limiter: the redis store needs a URL (B24_REDIS_URL=redis://host:6379).');
    return new RedisLimiterStore(redis);
  }
  if (sqlitePath === undefined || sqlitePath === '') {
    throw new RangeError('limiter: the sqlite store needs a file path (e.g. ~/.local/state/b24chain/limiter.db).');
  }
  return new SqliteLimiterStore(sqlitePath);
}
