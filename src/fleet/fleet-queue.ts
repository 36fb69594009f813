/**
 * The fleet queue (DESIGN.md §13): one BullMQ queue on Redis, one job per (chain, portal) of a fleet,
 * with the deterministic job id `<fleet id>.<portal>` so that enqueuing the same fleet again adds
 * nothing. A job carries the chain's text, the inputs, the portal's profile NAME and the flags: never a
 * secret (webhook codes, tokens and client secrets stay in each host's credentials or portals file).
 * Beside the queue, each fleet has a manifest (`<prefix>:<queue>:fleets:<id>`, and the sorted set
 * `<prefix>:<queue>:fleets` by creation time) that `chain status --fleet` reads. Ended jobs and
 * manifests are kept 30 days.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FleetQueueError } from './fleet-errors.ts';
import { describeRedisUrl, type FleetSettings } from './fleet-settings.ts';

export interface FleetChain {
  name: string;
  /** The path the chain was enqueued from, for display only (the worker runs `source`). */
  path: string;
  sha256: string;
  source: string;
}

export interface FleetJobData {
  version: 1;
  fleetId: string;
  /** A profile name in the worker's credentials file or `--portals-file`. */
  portal: string;
  chain: FleetChain;
  inputs: Record<string, unknown>;
  confirmWrite: boolean;
  confirmDestructive: boolean;
  /** Batches in flight for this portal's run. */
  concurrency: number;
}

/** What a worker writes back while it runs a job (BullMQ progress) and when it ends (return value). No secrets, no record data. */
export interface FleetJobReport {
  runId?: string;
  status?: string;
  itemsDone: number;
  itemsFailed: number;
  /** Requests sent for this job, summed over every worker that worked on it. */
  requests: number;
  /** Who works (or worked) on it last. */
  host?: string;
  pid?: number;
  resumed?: boolean;
}

export interface FleetManifest {
  fleetId: string;
  createdAt: string;
  chain: Omit<FleetChain, 'source'>;
  inputs: Record<string, unknown>;
  portals: Array<{ portal: string; jobId: string }>;
}

/** Ended jobs and fleet manifests are kept this long (seconds) for `chain status --fleet`, then dropped. */
export const FLEET_RETENTION_SECONDS = 30 * 24 * 3600;

export function fleetJobId(fleetId: string, portal: string): string {
  return `${fleetId}.${portal}`;
}

export interface FleetQueue {
  queue: Queue<FleetJobData, FleetJobReport>;
  redis: Redis;
  settings: FleetSettings;
  saveManifest(manifest: FleetManifest): Promise<void>;
  /** The fleet's manifest; the latest fleet's when `fleetId` is omitted. */
  readManifest(fleetId?: string): Promise<FleetManifest | undefined>;
  close(): Promise<void>;
}

/** A Redis connection that has answered once, or FLEET_REDIS_UNAVAILABLE. `persistent` reconnects for ever (workers); otherwise it gives up after a few tries. */
export async function connectRedis(settings: FleetSettings, persistent: boolean): Promise<Redis> {
  const redis = new Redis(settings.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    connectTimeout: 5_000,
    ...(persistent ? {} : { retryStrategy: (times: number) => (times > 3 ? null : times * 200) }),
  });
  redis.on('error', () => {
    // Reported by the command that needs the connection; ioredis would print it otherwise.
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new FleetQueueError(`${describeRedisUrl(settings.redisUrl)}: Redis did not answer (FLEET_REDIS_UNAVAILABLE).`, {
      code: 'FLEET_REDIS_UNAVAILABLE',
      hint: 'Check B24_REDIS_URL and that the server runs; nothing was enqueued or taken.',
      cause: error instanceof Error ? new Error(error.message) : undefined,
    });
  }
  return redis;
}

export async function openFleetQueue(settings: FleetSettings, options: { persistent?: boolean } = {}): Promise<FleetQueue> {
  const redis = await connectRedis(settings, options.persistent === true);
  const queue = new Queue<FleetJobData, FleetJobReport>(settings.queueName, { connection: redis, prefix: settings.prefix });
  queue.on('error', () => {
    // Each call reports its own failure.
  });
  const base = `${settings.prefix}:${settings.queueName}:fleets`;
  return {
    queue,
    redis,
    settings,
    saveManifest: async (manifest) => {
      const createdAt = Date.parse(manifest.createdAt);
      await redis
        .multi()
        .set(`${base}:${manifest.fleetId}`, JSON.stringify(manifest), 'EX', FLEET_RETENTION_SECONDS, 'NX')
        .zadd(base, 'NX', createdAt, manifest.fleetId)
        .zremrangebyscore(base, '-inf', createdAt - FLEET_RETENTION_SECONDS * 1000)
        .exec();
    },
    readManifest: async (fleetId) => {
      const id = fleetId ?? (await redis.zrevrange(base, 0, 0))[0];
      if (id === undefined) return undefined;
      const text = await redis.get(`${base}:${id}`);
      return text === null ? undefined : (JSON.parse(text) as FleetManifest);
    },
    close: async () => {
      await queue.close();
      redis.disconnect();
    },
  };
}
