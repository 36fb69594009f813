/**
 * One fleet job on a worker: the chain for one portal, in this process, through the same code path as
 * `chain run` / `chain resume` (`runChain`: preconditions, run ownership, checkpoints, reconciliation).
 *
 * - One job per portal at a time across the fleet: the lease `fleet-portal:<portal key>` in the state
 *   store's LeaseStore. A job whose portal is busy goes back to the queue (delayed) at once, never waits.
 * - Never started twice: the job remembers its run id (BullMQ progress); a job taken over from a dead
 *   worker resumes that run (or, if it never got that far, the unfinished run of this chain, inputs and
 *   portal), and a job whose run is done already completes without a request.
 * - Stopping (SIGINT/SIGTERM): the run stops after its batches in flight, as `chain run` does on
 *   Ctrl-C, and the job goes back to the queue for any worker to resume.
 */
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { openPortalClient, readApiVersionSetting } from '../client/index.ts';
import { isB24ChainError, redactSecrets } from '../errors/index.ts';
import { processOwner, runChain, type RunOutcome } from '../runner/index.ts';
import { isPostgresUrl, keepLeaseAlive, type LeaseStore, RunStore, SqliteLeaseStore, type Database, type RunRecord } from '../store/index.ts';
import { countRunItems } from './count-run-items.ts';
import type { FleetJobData, FleetJobReport } from './fleet-queue.ts';
import { type JobChain, loadJobChain } from './load-job-chain.ts';
import { fleetClientOptions, type FleetPortalSources } from './resolve-fleet-portal.ts';
import { restoreSecretInputs } from '../chain/index.ts';

export type FleetWorkerEvent =
  | { type: 'job-taken'; jobId: string; portal: string; attempt: number }
  | { type: 'job-deferred'; jobId: string; portal: string; reason: string; retryInMs: number }
  | { type: 'run-started'; jobId: string; portal: string; runId: string; resumed: boolean }
  | { type: 'progress'; jobId: string; portal: string; runId: string; itemsDone: number; itemsFailed: number; requests: number }
  | { type: 'job-done'; jobId: string; portal: string; runId: string; itemsDone: number; itemsFailed: number; requests: number }
  | { type: 'job-returned'; jobId: string; portal: string; runId?: string }
  | { type: 'job-failed'; jobId: string; portal: string; runId?: string; code: string; message: string };

export interface FleetJobContext {
  env: Readonly<Record<string, string | undefined>>;
  sources: FleetPortalSources;
  database: Database;
  /** Where the state database is (`chain resume --db`), and where the chains of jobs are written. */
  statePath: string;
  chainsDir: string;
  /** Aborted on SIGINT/SIGTERM: runs stop after their batches in flight, their jobs go back to the queue. */
  stopSignal: AbortSignal;
  requirePlan: boolean;
  /** Where the per-portal and run leases live (default: the SQLite state database's); a multi-host store slots in here. */
  leases?: LeaseStore;
  /** What the CLI does to every client it opens (the cached REST 3.0 method registry), so a job runs as `chain run` would. */
  prepareClient?: (client: FleetClient, database: Database) => Promise<void>;
  /** How long a job whose portal is busy waits in the delayed set (default 1 s). */
  retryDelayMs?: number;
  onEvent(event: FleetWorkerEvent): void;
}

export type FleetClient = Awaited<ReturnType<typeof openPortalClient>>['client'];

export function portalLeaseResource(portalKey: string): string {
  return `fleet-portal:${portalKey}`;
}

function failJob(message: string): UnrecoverableError {
  return new UnrecoverableError(redactSecrets(message));
}

function errorOf(error: unknown): { code: string; message: string } {
  if (isB24ChainError(error)) return { code: error.code, message: error.message };
  return { code: 'ERROR', message: redactSecrets(error instanceof Error ? error.message : String(error)) };
}

function previousReport(job: Job<FleetJobData, FleetJobReport>): Partial<FleetJobReport> {
  const progress = job.progress;
  return progress !== null && typeof progress === 'object' ? (progress as Partial<FleetJobReport>) : {};
}

/** The run this job works on: the one it started before (resumed, or done already), else an unfinished run of the same chain on the portal. */
function findJobRun(store: RunStore, job: Job<FleetJobData, FleetJobReport>, portalKey: string, chainPath: string): RunRecord | undefined {
  const known = previousReport(job).runId;
  const run = known === undefined ? undefined : store.getRun(known);
  if (run && run.portal === portalKey) return run;
  return store.findUnfinished(portalKey, chainPath, job.data.chain.sha256, job.data.inputs);
}

/** BullMQ's processor for one job; returns the report BullMQ keeps as the job's return value. */
export async function runFleetJob(job: Job<FleetJobData, FleetJobReport>, token: string | undefined, context: FleetJobContext): Promise<FleetJobReport> {
  const data = job.data;
  const jobId = job.id ?? '';
  const portal = data.portal;
  const before = previousReport(job);
  const requestsBefore = before.requests ?? 0;
  context.onEvent({ type: 'job-taken', jobId, portal, attempt: job.attemptsStarted });
  const putBack = async (delayMs: number): Promise<never> => {
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  };
  if (context.stopSignal.aborted) return putBack(0);

  let client: FleetClient | undefined;
  let portalKey: string;
  try {
    const opened = await openPortalClient({
      ...fleetClientOptions(portal, context.sources, context.env),
      clientOptions: { waitSignal: context.stopSignal, apiVersion: readApiVersionSetting(context.env) },
    });
    client = opened.client;
    portalKey = opened.connection.portalKey;
    await context.prepareClient?.(client, context.database);
  } catch (error) {
    await client?.close();
    const failure = errorOf(error);
    context.onEvent({ type: 'job-failed', jobId, portal, ...failure });
    throw failJob(failure.message);
  }

  const leases = context.leases ?? new SqliteLeaseStore(context.database);
  const portalLease = leases.acquire(portalLeaseResource(portalKey), processOwner());
  if (!portalLease.acquired) {
    await client.close();
    const retryInMs = context.retryDelayMs ?? 1_000;
    context.onEvent({
      type: 'job-deferred',
      jobId,
      portal,
      reason: `portal ${portalKey} is busy with another job (pid ${portalLease.holder.pid} on ${portalLease.holder.host})`,
      retryInMs,
    });
    return putBack(retryInMs);
  }
  const portalKeeper = keepLeaseAlive(leases, portalLease.lease);
  const store = new RunStore(context.database);
  let runId: string | undefined = before.runId;
  let lastReport = 0;
  const report = (status?: string): FleetJobReport => ({
    ...(runId === undefined ? {} : { runId }),
    ...(runId === undefined ? { itemsDone: 0, itemsFailed: 0 } : countRunItems(store, runId)),
    requests: requestsBefore + client.counters().requests,
    host: portalLease.lease.host,
    pid: process.pid,
    ...(status === undefined ? {} : { status }),
  });
  const saveProgress = (status?: string): void => {
    job.updateProgress({ ...report(status) }).catch(() => {
      // A lost progress update is repaired by the next one; the run's checkpoints are in the state store.
    });
  };

  try {
    let loaded: JobChain;
    try {
      loaded = await loadJobChain(context.chainsDir, data);
    } catch (error) {
      const failure = errorOf(error);
      context.onEvent({ type: 'job-failed', jobId, portal, ...failure });
      throw failJob(failure.message);
    }
    const { chainPath, validation } = loaded;
    const existing = findJobRun(store, job, portalKey, chainPath);
    if (existing?.status === 'done') {
      runId = existing.id;
      const done = report('done');
      context.onEvent({
        type: 'job-done',
        jobId,
        portal,
        runId: existing.id,
        itemsDone: done.itemsDone,
        itemsFailed: done.itemsFailed,
        requests: done.requests,
      });
      return done;
    }
    const stop = AbortSignal.any([context.stopSignal, portalKeeper.lost]);
    let outcome: RunOutcome;
    try {
      outcome = await runChain({
        chain: validation.chain,
        chainPath,
        chainSha256: validation.sha256,
        summary: validation.summary,
        // Secret inputs travel as markers (never through Redis): each host reads them from B24_INPUT_<NAME>.
        inputs: restoreSecretInputs(validation.chain, existing ? existing.inputs : data.inputs, context.env),
        client,
        store,
        leases,
        confirmWrite: data.confirmWrite,
        confirmDestructive: data.confirmDestructive,
        concurrency: data.concurrency,
        requirePlan: context.requirePlan,
        stopSignal: stop,
        // A database URL (it may hold a password) is never written into the run: resume with B24_DATABASE_URL.
        resumeFlags: [
          ...(context.sources.portalsFile?.portals[portal] ? [] : ['--portal', portal]),
          ...(isPostgresUrl(context.statePath) ? [] : ['--db', context.statePath]),
        ],
        ...(existing ? { resume: existing } : {}),
        onEvent: (event) => {
          if (event.type === 'started') {
            runId = event.runId;
            saveProgress('running');
            context.onEvent({ type: 'run-started', jobId, portal, runId: event.runId, resumed: event.resumed });
            lastReport = Date.now();
          }
          if (event.type === 'progress' && runId !== undefined) {
            const now = report('running');
            context.onEvent({ type: 'progress', jobId, portal, runId, itemsDone: now.itemsDone, itemsFailed: now.itemsFailed, requests: now.requests });
            if (Date.now() - lastReport >= 500) {
              lastReport = Date.now();
              saveProgress('running');
            }
          }
        },
      });
    } catch (error) {
      const failure = errorOf(error);
      if (failure.code === 'RUN_IN_PROGRESS') {
        const retryInMs = context.retryDelayMs ?? 1_000;
        context.onEvent({ type: 'job-deferred', jobId, portal, reason: failure.message, retryInMs });
        return await putBack(retryInMs);
      }
      context.onEvent({ type: 'job-failed', jobId, portal, ...(runId === undefined ? {} : { runId }), ...failure });
      throw failJob(failure.message);
    }
    runId = outcome.run.id;
    const final = report(outcome.status);
    await job.updateProgress({ ...final });
    if (outcome.status === 'done') {
      context.onEvent({ type: 'job-done', jobId, portal, runId, itemsDone: final.itemsDone, itemsFailed: final.itemsFailed, requests: final.requests });
      return final;
    }
    if (outcome.status === 'interrupted' && context.stopSignal.aborted) {
      context.onEvent({ type: 'job-returned', jobId, portal, runId });
      return await putBack(0);
    }
    const code = outcome.error?.code ?? 'ERROR';
    const message = `run ${runId} ${outcome.status.replace('_', ' ')}: ${outcome.error?.message ?? 'stopped'}${outcome.error?.hint ? ` ${outcome.error.hint}` : ''}`;
    context.onEvent({ type: 'job-failed', jobId, portal, runId, code, message: redactSecrets(message) });
    throw failJob(message);
  } finally {
    portalKeeper.stop();
    leases.release(portalLease.lease);
    await client.close();
  }
}
