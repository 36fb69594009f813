import { B24ChainError } from './b24chain-error.ts';

/**
 * The shared limiter store (Redis, `B24_REDIS_URL`) cannot be reached or refused the command. Raised
 * before the request it was reserving for, so nothing was sent to the portal. The address is given
 * with its password masked.
 */
export class LimiterStoreError extends B24ChainError {
  override name = 'LimiterStoreError';
  /** The store's address, password masked (`redis://:***@host:6379/0`). */
  readonly address: string;

  constructor(data: { address: string; detail: string; cause?: unknown }) {
    super(`limiter store ${data.address}: ${data.detail} (LIMITER_STORE_UNAVAILABLE).`, {
      code: 'LIMITER_STORE_UNAVAILABLE',
      hint: 'Check B24_REDIS_URL and that Redis is running and reachable; unset B24_REDIS_URL to use the host-local SQLite limiter.',
      ...(data.cause === undefined ? {} : { cause: data.cause }),
    });
    this.address = data.address;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), address: this.address };
  }
}

export function isLimiterStoreError(value: unknown): value is LimiterStoreError {
  return value instanceof LimiterStoreError || (value instanceof Error && value.name === 'LimiterStoreError' && 'address' in value);
}
