/**
 * `chain run FILE --portals a,b,c`: everything is checked first (the chain, its inputs, the write
 * confirmations, every named profile) and only then is anything enqueued: bad input changes nothing.
 * One job per portal, with a deterministic id, so enqueuing the same fleet again adds no duplicate.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolveChainInputs, validateChainSource, maskSecretInputs } from '../chain/index.ts';
import { ChainValidationError } from '../errors/index.ts';
import { checkRunPreconditions, runDefaults } from '../runner/index.ts';
import { FleetRefusedError } from './fleet-errors.ts';
import { FLEET_RETENTION_SECONDS, fleetJobId, type FleetJobData, type FleetManifest, type FleetQueue } from './fleet-queue.ts';
import { checkFleetPortal, type FleetPortalSources } from './resolve-fleet-portal.ts';

export interface FleetRunRequest {
  chainFile: string;
  portals: readonly string[];
  sources: FleetPortalSources;
  env: Readonly<Record<string, string | undefined>>;
  /** `--input k=v` values (coerced to the declared types here). */
  inputs?: Readonly<Record<string, unknown>>;
  confirmWrite?: boolean;
  confirmDestructive?: boolean;
  /** Batches in flight per portal's run (default 4). */
  concurrency?: number;
  /** `B24_REQUIRE_PLAN=1`: fleet runs take no plan, so a chain that writes is refused. */
  requirePlan?: boolean;
  /** Enqueue under this id (a repeat adds nothing); default a new id. */
  fleetId?: string;
  /** For the default id. */
  now?: () => number;
}

export interface PreparedFleetRun {
  manifest: FleetManifest;
  jobs: FleetJobData[];
}

export interface EnqueuedFleetRun {
  fleetId: string;
  chain: FleetManifest['chain'];
  /** `retried`: the job had failed and is queued again (its run resumes where it stopped). */
  jobs: Array<{ portal: string; jobId: string; alreadyQueued: boolean; retried: boolean }>;
}

const FLEET_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function newFleetId(now: number): string {
  return `fleet-${now.toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Every check a fleet run passes before anything is enqueued; sends nothing, writes nothing. */
export async function prepareFleetRun(request: FleetRunRequest): Promise<PreparedFleetRun> {
  const fleetId = request.fleetId ?? newFleetId((request.now ?? Date.now)());
  if (!FLEET_ID.test(fleetId)) {
    throw new FleetRefusedError(`--fleet-id: ${JSON.stringify(fleetId)} is not a fleet id (OPTION_INVALID).`, {
      code: 'OPTION_INVALID',
      hint: 'Use letters, digits, _ and -, e.g. --fleet-id nightly-2026-11-27.',
      subject: '--fleet-id',
    });
  }
  let source: string;
  try {
    source = await readFile(request.chainFile, 'utf8');
  } catch {
    throw new ChainValidationError(request.chainFile, [
      {
        file: request.chainFile,
        line: 0,
        column: 0,
        pointer: '',
        code: 'CHAIN_FILE_UNREADABLE',
        detail: 'cannot be read',
        hint: 'Check the path; chain files are YAML, e.g. chains/core/lead-to-deal.yml.',
      },
    ]);
  }
  const report = validateChainSource(source, request.chainFile);
  if (!report.valid || !report.chain) throw new ChainValidationError(request.chainFile, report.problems);
  const chain = report.chain;
  const inputs = resolveChainInputs(chain, request.inputs ?? {});
  checkRunPreconditions({
    chainPath: request.chainFile,
    chainSha256: report.sha256,
    summary: report.summary,
    requirePlan: request.requirePlan,
    confirmWrite: request.confirmWrite,
    confirmDestructive: request.confirmDestructive,
  });
  for (const portal of request.portals) checkFleetPortal(portal, request.sources, request.env);
  const fleetChain = { name: chain.name, path: request.chainFile, sha256: report.sha256 };
  const jobs = request.portals.map(
    (portal): FleetJobData => ({
      version: 1,
      fleetId,
      portal,
      chain: { ...fleetChain, source },
      inputs: maskSecretInputs(chain, inputs),
      confirmWrite: request.confirmWrite === true,
      confirmDestructive: request.confirmDestructive === true,
      concurrency: request.concurrency ?? runDefaults.concurrency,
    }),
  );
  return {
    manifest: {
      fleetId,
      createdAt: new Date((request.now ?? Date.now)()).toISOString(),
      chain: fleetChain,
      inputs: maskSecretInputs(chain, inputs),
      portals: request.portals.map((portal) => ({ portal, jobId: fleetJobId(fleetId, portal) })),
    },
    jobs,
  };
}

/**
 * Adds the prepared jobs. A job id already in the queue (a repeated enqueue) is left as it is, unless
 * it failed: then it is queued again, and its run resumes where it stopped (a redrive).
 */
export async function enqueueFleetRun(fleet: FleetQueue, prepared: PreparedFleetRun): Promise<EnqueuedFleetRun> {
  const existing = await Promise.all(
    prepared.jobs.map(async (job) => {
      const found = await fleet.queue.getJob(fleetJobId(job.fleetId, job.portal));
      return found === undefined ? undefined : { job: found, state: await found.getState() };
    }),
  );
  await fleet.saveManifest(prepared.manifest);
  await fleet.queue.addBulk(
    prepared.jobs
      .filter((_job, index) => existing[index] === undefined)
      .map((job) => ({
        name: job.chain.name,
        data: job,
        opts: {
          jobId: fleetJobId(job.fleetId, job.portal),
          attempts: 1,
          removeOnComplete: { age: FLEET_RETENTION_SECONDS },
          removeOnFail: { age: FLEET_RETENTION_SECONDS },
        },
      })),
  );
  const retried = await Promise.all(
    existing.map(async (found) => {
      if (found?.state !== 'failed') return false;
      await found.job.retry('failed');
      return true;
    }),
  );
  return {
    fleetId: prepared.manifest.fleetId,
    chain: prepared.manifest.chain,
    jobs: prepared.jobs.map((job, index) => ({
      portal: job.portal,
      jobId: fleetJobId(job.fleetId, job.portal),
      alreadyQueued: existing[index] !== undefined,
      retried: retried[index] === true,
    })),
  };
}
