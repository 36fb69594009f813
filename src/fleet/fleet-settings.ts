/**
 * Where the fleet queue lives and how its locks behave, from the environment map the CLI passes in
 * (the library reads no globals):
 *
 * - `B24_REDIS_URL` (required): the Redis server of the queue (BullMQ).
 * - `B24_REDIS_PREFIX` (default `b24chain`): the first part of every key, so several installations (or
 *   tests) share one server; a trailing `:` is dropped.
 * - `B24_FLEET_QUEUE` (default `fleet`): the queue name under that prefix.
 * - `B24_FLEET_LOCK_MS` (default 10 000): how long a worker's lock on a job lasts without renewal. A
 *   worker renews it every half of that; every worker looks for jobs whose lock expired (stalled: their
 *   worker died) every half of that too, so a killed worker's job is taken over within about 1.5 × this.
 */
import { registerSecret } from '../errors/index.ts';
import { FleetRefusedError } from './fleet-errors.ts';

export interface FleetSettings {
  redisUrl: string;
  prefix: string;
  queueName: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
}

export const fleetDefaults = {
  prefix: 'b24chain',
  queueName: 'fleet',
  lockDurationMs: 10_000,
} as const;

/** The Redis URL without its password, for messages. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'B24_REDIS_URL';
  }
}

export function resolveFleetSettings(env: Readonly<Record<string, string | undefined>>, command = 'chain fleet'): FleetSettings {
  const redisUrl = env.B24_REDIS_URL?.trim();
  if (!redisUrl) {
    throw new FleetRefusedError(`${command}: fleet runs need Redis and B24_REDIS_URL is not set; nothing was enqueued (FLEET_REDIS_MISSING).`, {
      code: 'FLEET_REDIS_MISSING',
      hint: 'Set B24_REDIS_URL=redis://HOST:6379 (the same server for every host of the fleet).',
      subject: 'B24_REDIS_URL',
    });
  }
  if (!/^rediss?:\/\//.test(redisUrl)) {
    throw new FleetRefusedError(`B24_REDIS_URL: ${JSON.stringify(describeRedisUrl(redisUrl))} is not a redis:// URL (OPTION_INVALID).`, {
      code: 'OPTION_INVALID',
      hint: 'Give e.g. B24_REDIS_URL=redis://127.0.0.1:6379.',
      subject: 'B24_REDIS_URL',
    });
  }
  try {
    registerSecret(decodeURIComponent(new URL(redisUrl).password));
  } catch {
    // Not parseable: nothing to register; the client refuses it.
  }
  const prefix = (env.B24_REDIS_PREFIX?.trim() || fleetDefaults.prefix).replace(/:+$/, '');
  const queueName = env.B24_FLEET_QUEUE?.trim() || fleetDefaults.queueName;
  const lockText = env.B24_FLEET_LOCK_MS?.trim();
  const lockDurationMs = lockText ? Number(lockText) : fleetDefaults.lockDurationMs;
  if (!Number.isInteger(lockDurationMs) || lockDurationMs < 1_000) {
    throw new FleetRefusedError(`B24_FLEET_LOCK_MS: ${JSON.stringify(lockText)} is not a whole number of at least 1000 (OPTION_INVALID).`, {
      code: 'OPTION_INVALID',
      hint: `Give e.g. B24_FLEET_LOCK_MS=${fleetDefaults.lockDurationMs}, or leave it unset.`,
      subject: 'B24_FLEET_LOCK_MS',
    });
  }
  return { redisUrl, prefix, queueName, lockDurationMs, stalledIntervalMs: Math.floor(lockDurationMs / 2) };
}
