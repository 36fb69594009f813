/**
 * One Redis connection per process and address, shared by every limiter store that asks for it (a
 * worker serving hundreds of portals opens one client, and one store, per portal), closed when the last
 * store lets go. ioredis is loaded on first use only, so commands that never use Redis do not pay for it.
 */
import type { Redis } from 'ioredis';

export interface RedisConnectionLease {
  redis: Promise<Redis>;
  /** The last connection error since the connection was last ready (for messages). */
  lastError(): Error | undefined;
  /** Lets go of the connection; the last one out quits it. Idempotent. */
  release(): Promise<void>;
}

interface SharedConnection {
  redis: Promise<Redis>;
  users: number;
  errors: { last?: Error };
}

const shared = new Map<string, SharedConnection>();

function open(url: string, connectTimeoutMs: number): SharedConnection {
  const errors: SharedConnection['errors'] = {};
  const redis = import('ioredis').then(({ Redis }) => {
    const connection = new Redis(url, {
      lazyConnect: true,
      connectTimeout: connectTimeoutMs,
      connectionName: 'b24chain-limiter',
      // A command waits for at most one reconnection, then fails (nothing is sent to the portal
      // without a reservation); the connection keeps being retried for the next command.
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    // Connection errors reach the command that needs the store; ioredis would print them otherwise.
    connection.on('error', (error: Error) => {
      errors.last = error;
    });
    connection.on('ready', () => {
      delete errors.last;
    });
    return connection;
  });
  return { redis, users: 0, errors };
}

async function quit(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // fall through: drop the connection
    }
  }
  redis.disconnect();
}

/** A connection to `url`: the process's shared one, or (`share: false`) one of the caller's own. */
export function leaseRedisConnection(url: string, connectTimeoutMs: number, share = true): RedisConnectionLease {
  const id = `${connectTimeoutMs}\u0000${url}`;
  let connection = share ? shared.get(id) : undefined;
  if (connection === undefined) {
    connection = open(url, connectTimeoutMs);
    if (share) shared.set(id, connection);
  }
  const leased = connection;
  leased.users += 1;
  let released = false;
  return {
    redis: leased.redis,
    lastError: () => leased.errors.last,
    release: async () => {
      if (released) return;
      released = true;
      leased.users -= 1;
      if (leased.users > 0) return;
      if (shared.get(id) === leased) shared.delete(id);
      await quit(await leased.redis);
    },
  };
}
