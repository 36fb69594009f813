/**
 * Fleet runs (DESIGN.md §13, README "Fleet runs"): `chain run FILE --portals a,b,c` (enqueue, and
 * follow with `--wait`), `chain fleet worker` (take jobs until SIGINT/SIGTERM) and
 * `chain status --fleet [FLEET_ID]`. The queue is BullMQ on Redis (B24_REDIS_URL).
 * Exit codes: 0 enqueued / all done / worker stopped; 1 a job failed (with --wait) or Redis failed;
 * 2 bad input (nothing enqueued); 3 `--wait` interrupted (the jobs go on on the workers).
 */
import { existsSync } from 'node:fs';
import { parseInputAssignments } from '../../chain/index.ts';
import {
  enqueueFleetRun,
  FleetRefusedError,
  type FleetPortalSources,
  type FleetStatus,
  type FleetWorkerLifecycleEvent,
  openFleetQueue,
  parsePortalNames,
  prepareFleetRun,
  readPortalsFile,
  resolveFleetSettings,
  startFleetWorker,
  summariseFleet,
} from '../../fleet/index.ts';
import { redactSecrets } from '../../errors/index.ts';
import { isPostgresUrl, openStateDatabase, resolveStatePath, RunStore } from '../../store/index.ts';
import { applyMethodRegistry } from '../apply-method-registry.ts';
import { ExitCode } from '../exit-code.ts';

export interface FleetRunFlags {
  portals: string[];
  portalsFile?: string;
  input: string[];
  confirmWrite?: boolean;
  confirmDestructive?: boolean;
  concurrency: number;
  wait?: boolean;
  json?: boolean;
  fleetId?: string;
  portal?: string;
  emulator?: boolean;
  plan?: string;
  db?: string;
}

function portalSources(portalsFile: string | undefined): FleetPortalSources {
  const credentialsFile = process.env.B24_CREDENTIALS?.trim() || undefined;
  return { ...(portalsFile === undefined ? {} : { portalsFile: readPortalsFile(portalsFile) }), ...(credentialsFile === undefined ? {} : { credentialsFile }) };
}

function refuseConflicts(flags: FleetRunFlags): void {
  const conflicting = [flags.portal !== undefined ? '--portal' : '', flags.emulator ? '--emulator' : '', flags.plan !== undefined ? '--plan' : ''].filter(
    Boolean,
  );
  if (conflicting.length > 0) {
    throw new FleetRefusedError(`--portals: a fleet run does not take ${conflicting.join(', ')}; nothing was enqueued (FLEET_OPTION_CONFLICT).`, {
      code: 'FLEET_OPTION_CONFLICT',
      hint: 'Name every portal in --portals (profiles of B24_CREDENTIALS or --portals-file); fleet runs take no plan: confirm writes with --confirm-write.',
      subject: '--portals',
    });
  }
}

function line(json: boolean, event: Record<string, unknown>, text: string): void {
  process.stderr.write(json ? `${JSON.stringify(event)}\n` : `${text}\n`);
}

function formatStatus(status: FleetStatus): string {
  const lines = [`Fleet ${status.fleetId} of ${status.chain.name} (${status.chain.path}), enqueued ${status.createdAt}`];
  for (const entry of status.portals) {
    const run = entry.runId ? `run ${entry.runId}` : 'no run yet';
    const error = entry.lastError ? `; last error: ${entry.lastError}` : '';
    lines.push(`  ${entry.portal}: ${entry.state}, ${run}, items ${entry.itemsDone} done, ${entry.itemsFailed} failed, ${entry.requests} requests${error}`);
  }
  const { totals } = status;
  lines.push(
    `  totals: ${totals.portals} portal(s): ${totals.done} done, ${totals.failed} failed, ${totals.active} active, ${totals.waiting} waiting${totals.missing ? `, ${totals.missing} missing` : ''}; items ${totals.itemsDone} done, ${totals.itemsFailed} failed; ${totals.requests} requests`,
  );
  return `${lines.join('\n')}\n`;
}

/** The run store of this host, read-only, when there is one: item counts of the fleet's runs. */
function withLocalRuns<T>(dbFlag: string | undefined, work: (runs: RunStore | undefined) => Promise<T>): Promise<T> {
  const statePath = resolveStatePath({ flag: dbFlag, env: process.env.B24_DB, databaseUrl: process.env.B24_DATABASE_URL });
  if (statePath === ':memory:' || (!isPostgresUrl(statePath) && !existsSync(statePath))) return work(undefined);
  const database = openStateDatabase(statePath, { readOnly: true });
  return work(new RunStore(database)).finally(() => database.close());
}

function waitStep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** `chain run FILE --portals a,b,c [--wait]`. */
export async function runFleet(file: string, flags: FleetRunFlags): Promise<number> {
  const json = flags.json === true;
  refuseConflicts(flags);
  const settings = resolveFleetSettings(process.env, 'chain run --portals');
  const prepared = await prepareFleetRun({
    chainFile: file,
    portals: parsePortalNames(flags.portals),
    sources: portalSources(flags.portalsFile),
    env: process.env,
    inputs: parseInputAssignments(flags.input),
    confirmWrite: flags.confirmWrite === true,
    confirmDestructive: flags.confirmDestructive === true,
    concurrency: flags.concurrency,
    requirePlan: process.env.B24_REQUIRE_PLAN === '1',
    ...(flags.fleetId === undefined ? {} : { fleetId: flags.fleetId }),
  });
  const fleet = await openFleetQueue(settings);
  try {
    const enqueued = await enqueueFleetRun(fleet, prepared);
    if (!flags.wait) {
      if (json) process.stdout.write(`${JSON.stringify(enqueued)}\n`);
      else {
        const jobs = enqueued.jobs.map(
          (job) => `  ${job.portal}: job ${job.jobId}${job.retried ? ' (had failed: queued again)' : job.alreadyQueued ? ' (already queued)' : ''}`,
        );
        process.stdout.write(
          `Fleet ${enqueued.fleetId} of ${enqueued.chain.name}: ${enqueued.jobs.length} job(s) enqueued\n${jobs.join('\n')}\nFollow it with: chain status --fleet ${enqueued.fleetId}\n`,
        );
      }
      return ExitCode.ok;
    }
    if (!json)
      process.stderr.write(
        `Fleet ${enqueued.fleetId}: ${enqueued.jobs.length} job(s) enqueued; waiting for the workers (Ctrl-C stops waiting, not the jobs)\n`,
      );
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      let previous = '';
      for (;;) {
        const status = await withLocalRuns(flags.db, (runs) => summariseFleet(fleet, prepared.manifest, runs));
        const states = status.portals.map((entry) => `${entry.portal}=${entry.state}`).join(' ');
        if (states !== previous) {
          previous = states;
          line(json, { type: 'fleet-progress', fleetId: status.fleetId, totals: status.totals }, `  ${states}`);
        }
        if (status.finished || stop.signal.aborted) {
          const exitCode = !status.finished ? ExitCode.interrupted : status.totals.done === status.totals.portals ? ExitCode.ok : ExitCode.failed;
          if (json) process.stdout.write(`${JSON.stringify({ ...enqueued, status, exitCode })}\n`);
          else {
            process.stdout.write(formatStatus(status));
            if (!status.finished) process.stdout.write(`Stopped waiting; the jobs go on. Follow them with: chain status --fleet ${status.fleetId}\n`);
          }
          return exitCode;
        }
        await waitStep(500, stop.signal);
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } finally {
    await fleet.close();
  }
}

/** `chain status --fleet [FLEET_ID]`. */
export async function printFleetStatus(fleetId: string | undefined, flags: { json?: boolean; db?: string }): Promise<number> {
  const settings = resolveFleetSettings(process.env, 'chain status --fleet');
  const fleet = await openFleetQueue(settings);
  try {
    const manifest = await fleet.readManifest(fleetId);
    if (!manifest) {
      throw new FleetRefusedError(`${fleetId ? `Fleet ${fleetId}` : 'chain status --fleet'}: no such fleet in queue ${settings.queueName} (FLEET_NOT_FOUND).`, {
        code: 'FLEET_NOT_FOUND',
        hint: fleetId
          ? 'Check the id that chain run --portals printed, and B24_REDIS_PREFIX / B24_FLEET_QUEUE.'
          : 'Start one with chain run FILE --portals a,b,c.',
        subject: fleetId ?? '--fleet',
      });
    }
    const status = await withLocalRuns(flags.db, (runs) => summariseFleet(fleet, manifest, runs));
    process.stdout.write(flags.json ? `${JSON.stringify(status)}\n` : formatStatus(status));
    return ExitCode.ok;
  } finally {
    await fleet.close();
  }
}

function describeWorkerEvent(event: FleetWorkerLifecycleEvent): string {
  switch (event.type) {
    case 'worker-started':
      return (
        `fleet worker pid ${event.pid} on ${event.host}: taking jobs of queue ${event.queue}, ${event.concurrency} at a time (lock ${event.lockDurationMs} ms)` +
        (event.stateStore === 'sqlite'
          ? "\n  note: runs are checkpointed in this host's SQLite file: a job another host takes over after this one died cannot resume its run there. Set B24_DATABASE_URL (PostgreSQL) on every host to share them."
          : '')
      );
    case 'worker-stopping':
      return 'stopping: runs stop after their batches in flight, their jobs go back to the queue (a second signal stops at once)';
    case 'worker-error':
      return `queue error: ${event.message}`;
    case 'worker-stopped':
      return `stopped: ${event.done} job(s) done, ${event.failed} failed, ${event.returned} returned to the queue`;
    case 'job-taken':
      return `${event.jobId}: taken (attempt ${event.attempt})`;
    case 'job-deferred':
      return `${event.jobId}: put back for ${event.retryInMs} ms: ${event.reason}`;
    case 'run-started':
      return `${event.jobId}: ${event.resumed ? 'resuming' : 'started'} run ${event.runId} on ${event.portal}`;
    case 'progress':
      return `${event.jobId}: ${event.itemsDone} items done, ${event.itemsFailed} failed, ${event.requests} requests`;
    case 'job-done':
      return `${event.jobId}: done, run ${event.runId}: ${event.itemsDone} items done, ${event.itemsFailed} failed, ${event.requests} requests`;
    case 'job-returned':
      return `${event.jobId}: returned to the queue${event.runId ? `; run ${event.runId} resumes on the next worker` : ''}`;
    case 'job-failed':
      return `${event.jobId}: failed (${event.code}): ${event.message}`;
  }
}

export interface WorkerFlags {
  concurrency: number;
  portalsFile?: string;
  json?: boolean;
  db?: string;
}

export async function workerAction(flags: WorkerFlags): Promise<number> {
  const json = flags.json === true;
  const settings = resolveFleetSettings(process.env, 'chain fleet worker');
  const sources = portalSources(flags.portalsFile);
  const statePath = resolveStatePath({ flag: flags.db, env: process.env.B24_DB, databaseUrl: process.env.B24_DATABASE_URL });
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const worker = await startFleetWorker({
    settings,
    concurrency: flags.concurrency,
    env: process.env,
    sources,
    statePath,
    requirePlan: process.env.B24_REQUIRE_PLAN === '1',
    prepareClient: (client, database) => applyMethodRegistry(client, database, process.env, Date.now()),
    onEvent: (event) => {
      const safe = event.type === 'worker-error' ? { ...event, message: redactSecrets(event.message) } : event;
      if (event.type === 'worker-stopped') process.stdout.write(json ? `${JSON.stringify(safe)}\n` : `${describeWorkerEvent(safe)}\n`);
      else line(json, safe, describeWorkerEvent(safe));
    },
  });
  const onSignal = (): void => {
    if (stopping) process.exit(ExitCode.interrupted);
    stopping = true;
    worker.stop().then(finish, finish);
  };
  let stopping = false;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await finished;
    return ExitCode.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
