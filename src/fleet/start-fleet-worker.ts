/**
 * `chain fleet worker`: takes fleet jobs from the queue, `concurrency` at a time, until stopped. Any
 * number of workers on any number of hosts share the queue. BullMQ locks each job taken for
 * `lockDurationMs` (renewed every half of it); every worker checks every `stalledIntervalMs` for jobs
 * whose lock expired (their worker was killed) and puts them back, so another worker resumes the run
 * within about `lockDurationMs + stalledIntervalMs`.
 *
 * The state store is the SQLite database at `statePath` (B24_DB / --db); workers that are to take over
 * each other's runs share it (one host). The PostgreSQL store (B24_DATABASE_URL) slots in where the
 * database is opened here, without changing the job's code path.
 */
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'bullmq';
import { isPostgresUrl, openStateDatabase } from '../store/index.ts';
import { userStateFolder } from '../client/index.ts';
import { thisHost } from '../store/index.ts';
import { connectRedis, type FleetJobData, type FleetJobReport } from './fleet-queue.ts';
import type { FleetSettings } from './fleet-settings.ts';
import { type FleetJobContext, runFleetJob, type FleetWorkerEvent } from './run-fleet-job.ts';
import type { FleetPortalSources } from './resolve-fleet-portal.ts';

export type FleetWorkerLifecycleEvent =
  | FleetWorkerEvent
  | {
      type: 'worker-started';
      queue: string;
      concurrency: number;
      host: string;
      pid: number;
      lockDurationMs: number;
      stalledIntervalMs: number;
      /** Where runs are checkpointed: `postgres` is shared by every host; `sqlite` is this host's file only. */
      stateStore: 'postgres' | 'sqlite';
    }
  | { type: 'worker-stopping' }
  | { type: 'worker-error'; message: string }
  | { type: 'worker-stopped'; done: number; failed: number; returned: number };

export interface FleetWorkerOptions {
  settings: FleetSettings;
  /** Jobs at once in this process (different portals). */
  concurrency: number;
  env: Readonly<Record<string, string | undefined>>;
  sources: FleetPortalSources;
  statePath: string;
  requirePlan: boolean;
  retryDelayMs?: number;
  prepareClient?: FleetJobContext['prepareClient'];
  /** Per-portal and run leases (default: in the state database). */
  leases?: FleetJobContext['leases'];
  onEvent(event: FleetWorkerLifecycleEvent): void;
}

export interface RunningFleetWorker {
  /** Stops taking jobs; runs stop after their batches in flight and their jobs go back to the queue. Resolves once all is closed. */
  stop(): Promise<void>;
}

/**
 * Where a worker writes the chains of its jobs: beside a state file; with the state in PostgreSQL (or in
 * memory) in the user's state folder (`~/.local/state/b24chain/fleet-chains`), else a temporary folder.
 */
export function fleetChainsFolder(statePath: string, env: Readonly<Record<string, string | undefined>>): string {
  if (statePath !== ':memory:' && !isPostgresUrl(statePath)) return join(dirname(statePath), 'fleet-chains');
  const folder = userStateFolder(env);
  return folder === undefined ? join(tmpdir(), `b24chain-fleet-chains-${process.getuid?.() ?? 'user'}`) : join(folder, 'fleet-chains');
}

export async function startFleetWorker(options: FleetWorkerOptions): Promise<RunningFleetWorker> {
  const { settings } = options;
  const database = openStateDatabase(options.statePath);
  let redis: Awaited<ReturnType<typeof connectRedis>>;
  try {
    redis = await connectRedis(settings, true);
  } catch (error) {
    database.close();
    throw error;
  }
  const stopping = new AbortController();
  const tally = { done: 0, failed: 0, returned: 0 };
  const onEvent = (event: FleetWorkerEvent): void => {
    if (event.type === 'job-done') tally.done += 1;
    if (event.type === 'job-failed') tally.failed += 1;
    if (event.type === 'job-returned') tally.returned += 1;
    options.onEvent(event);
  };
  const context = {
    env: options.env,
    sources: options.sources,
    database,
    statePath: options.statePath,
    chainsDir: fleetChainsFolder(options.statePath, options.env),
    stopSignal: stopping.signal,
    requirePlan: options.requirePlan,
    ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
    ...(options.prepareClient === undefined ? {} : { prepareClient: options.prepareClient }),
    ...(options.leases === undefined ? {} : { leases: options.leases }),
    onEvent,
  } satisfies FleetJobContext;
  const worker = new Worker<FleetJobData, FleetJobReport>(settings.queueName, (job, token) => runFleetJob(job, token, context), {
    connection: redis,
    prefix: settings.prefix,
    concurrency: options.concurrency,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    // A job whose worker keeps dying is still resumed, not failed: its run is checkpointed.
    maxStalledCount: 100,
    autorun: true,
  });
  worker.on('error', (error) => options.onEvent({ type: 'worker-error', message: error.message }));
  await worker.waitUntilReady();
  options.onEvent({
    type: 'worker-started',
    queue: settings.queueName,
    concurrency: options.concurrency,
    host: thisHost(),
    pid: process.pid,
    lockDurationMs: settings.lockDurationMs,
    stalledIntervalMs: settings.stalledIntervalMs,
    stateStore: isPostgresUrl(options.statePath) ? 'postgres' : 'sqlite',
  });
  let stopped: Promise<void> | undefined;
  return {
    stop: () => {
      stopped ??= (async () => {
        options.onEvent({ type: 'worker-stopping' });
        stopping.abort();
        try {
          await worker.close();
        } finally {
          redis.disconnect();
          database.close();
          options.onEvent({ type: 'worker-stopped', ...tally });
        }
      })();
      return stopped;
    },
  };
}
