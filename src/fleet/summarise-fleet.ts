/**
 * `chain status --fleet [FLEET_ID]`: per portal, the job's state in the queue (waiting, active, done,
 * failed), its run, items done and failed, requests sent and the last error, and the totals. Read from
 * BullMQ (state, the report the worker keeps in the job) and, when this host's state store holds the
 * run, its item counts from there. No secrets: jobs hold none, and errors were redacted by the worker.
 */
import type { RunStore } from '../store/index.ts';
import { countRunItems } from './count-run-items.ts';
import type { FleetJobReport, FleetManifest, FleetQueue } from './fleet-queue.ts';

export type FleetJobState = 'waiting' | 'active' | 'done' | 'failed' | 'missing';

export interface FleetPortalStatus {
  portal: string;
  jobId: string;
  state: FleetJobState;
  runId: string | null;
  runStatus: string | null;
  itemsDone: number;
  itemsFailed: number;
  requests: number;
  lastError: string | null;
  /** The host of the worker that works (or worked) on it last. */
  host: string | null;
}

export interface FleetStatus {
  fleetId: string;
  createdAt: string;
  chain: FleetManifest['chain'];
  portals: FleetPortalStatus[];
  totals: Record<FleetJobState, number> & { portals: number; itemsDone: number; itemsFailed: number; requests: number };
  /** Every job ended (done or failed). */
  finished: boolean;
}

function toState(state: string): FleetJobState {
  if (state === 'completed') return 'done';
  if (state === 'failed') return 'failed';
  if (state === 'active') return 'active';
  if (state === 'unknown') return 'missing';
  return 'waiting'; // waiting, delayed, prioritized, waiting-children
}

function asReport(value: unknown): Partial<FleetJobReport> {
  return value !== null && typeof value === 'object' ? (value as Partial<FleetJobReport>) : {};
}

export async function summariseFleet(fleet: FleetQueue, manifest: FleetManifest, runs?: RunStore): Promise<FleetStatus> {
  const portals = await Promise.all(
    manifest.portals.map(async ({ portal, jobId }): Promise<FleetPortalStatus> => {
      // The state first, then the job: a job read as failed (or done) has its reason (or report) in what is read next.
      const state = toState(await fleet.queue.getJobState(jobId));
      const job = state === 'missing' ? undefined : await fleet.queue.getJob(jobId);
      const report = { ...asReport(job?.progress), ...(state === 'done' ? asReport(job?.returnvalue) : {}) };
      const run = report.runId === undefined ? undefined : runs?.getRun(report.runId);
      const items = run && runs ? countRunItems(runs, run.id) : { itemsDone: report.itemsDone ?? 0, itemsFailed: report.itemsFailed ?? 0 };
      return {
        portal,
        jobId,
        state,
        runId: report.runId ?? null,
        runStatus: run?.status ?? report.status ?? null,
        ...items,
        requests: report.requests ?? 0,
        lastError: job?.failedReason || run?.lastError || null,
        host: report.host ?? null,
      };
    }),
  );
  const totals: FleetStatus['totals'] = {
    portals: portals.length,
    waiting: 0,
    active: 0,
    done: 0,
    failed: 0,
    missing: 0,
    itemsDone: 0,
    itemsFailed: 0,
    requests: 0,
  };
  for (const entry of portals) {
    totals[entry.state] += 1;
    totals.itemsDone += entry.itemsDone;
    totals.itemsFailed += entry.itemsFailed;
    totals.requests += entry.requests;
  }
  return {
    fleetId: manifest.fleetId,
    createdAt: manifest.createdAt,
    chain: manifest.chain,
    portals,
    totals,
    finished: totals.waiting + totals.active === 0,
  };
}
