/** Builds the store a connection asks for: `memory`, or `sqlite` (the seed's `file` means sqlite). */
import type { LimiterStore } from './limiter-store.ts';
import { MemoryLimiterStore } from './memory-limiter-store.ts';
import { SqliteLimiterStore } from './sqlite-limiter-store.ts';

export type LimiterStoreKind = 'memory' | 'sqlite';

export function createLimiterStore(kind: LimiterStoreKind, sqlitePath?: string): LimiterStore {
  if (kind === 'memory') return new MemoryLimiterStore();
  if (sqlitePath === undefined || sqlitePath === '') {
    throw new RangeError('limiter: the sqlite store needs a file path (e.g. ~/.local/state/b24chain/limiter.db).');
  }
  return new SqliteLimiterStore(sqlitePath);
}
