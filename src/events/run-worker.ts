/**
 * `chain worker`: the offline-event loop of DESIGN.md §8. Each pass: dead letters sent back by a
 * person, then every saved open reservation read again through its `process_id`, then a new
 * reservation (`clear=0`), then failed rows waiting with `error=1`. Rows are saved before they are
 * processed, settled in crash-safe order, and nothing is deleted before it is done or dead-lettered.
 * Delivery is at least once; the handler's keyed writes make the effects happen once.
 * A stop signal finishes the reservation in flight (its rows are cleared or marked), then returns.
 * One worker per application queue: the worker holds the queue's lease (`worker:<portal>`) from
 * before its first request to its end, and checks it before every pass and every reservation.
 * With `once`, a transient failure (5xx, garbage, network, a lost answer) is tried again within a
 * small budget before the worker gives up.
 */
import type { Database } from '../store/index.ts';
import { isLeaseLostError } from '../errors/index.ts';
import { isRefusalError } from '../errors/index.ts';
import { checkWriteGates } from '../runner/index.ts';
import { processOwner } from '../runner/index.ts';
import { RunStore } from '../store/index.ts';
import type { PortalClient } from '../client/index.ts';
import { SqliteLeaseStore, type LeaseOwner, type LeaseStore } from '../store/index.ts';
import { claimWorkerQueue, type WorkerQueueClaim } from './claim-worker-queue.ts';
import { DeadLetterStore } from '../store/index.ts';
import { EventQueueError, EventsRefusedError, explainQueueError, isTransientWorkerFailure, reservationAnswerLost, workerGaveUp } from './event-errors.ts';
import { resolveHandlerInputs, type EventHandler } from './load-handler.ts';
import { processReservation, type ProcessOutcome } from './process-reservation.ts';
import { reserveEvents, rereadReservation } from './queue-client.ts';
import { adoptUnknownReservations } from './recover-reservations.ts';
import { ReservationStore, type ReservationRecord } from '../store/index.ts';
import { retryDeadLetters } from './retry-dead-letters.ts';
import { withAuthConnector } from './with-auth-connector.ts';
import type { WorkerContext, WorkerEvent } from './worker-context.ts';
import { resolveWorkerSettings, type ResolvedWorkerSettings, type WorkerSettings } from './worker-options.ts';

export interface WorkerOptions extends WorkerSettings {
  /** An application (OAuth) connection: queue methods are app-only. */
  client: PortalClient;
  database: Database;
  handler: EventHandler;
  /** Other inputs of the handler (`--input name=value`); `events` is the worker's. */
  inputs?: Readonly<Record<string, unknown>>;
  stopSignal?: AbortSignal;
  onEvent?: (event: WorkerEvent) => void;
  /** Where the queue's lease lives (default: the worker's database) and who takes it (default: this process). */
  leases?: LeaseStore;
  owner?: LeaseOwner;
  /** How often the lease is renewed (5 s). */
  heartbeatMs?: number;
}

export interface WorkerSummary {
  passes: number;
  reserved: number;
  done: number;
  failedAttempts: number;
  deadLettered: number;
  cleared: number;
  stoppedBy: 'signal' | 'once';
}

const MAX_ERROR_BACKOFF_MS = 60_000;

/** Back-off of `--once` before attempt `failures + 1`: 250 ms, then doubling. Pure. */
export function onceRetryDelayMs(failures: number): number {
  return 250 * 2 ** Math.min(Math.max(failures - 1, 0), 10);
}

function isOutcomeUnknown(error: unknown): boolean {
  const candidate = error as { name?: string; code?: string } | null;
  return candidate?.name === 'OutcomeUnknownError' || candidate?.code === 'OUTCOME_UNKNOWN';
}

export async function runWorker(options: WorkerOptions): Promise<WorkerSummary> {
  const settings = resolveWorkerSettings(options);
  checkWriteGates(options.handler.summary, settings);
  const inputs = resolveHandlerInputs(options.handler, options.inputs ?? {});
  const client = withAuthConnector(options.client, settings.authConnector);
  // Before any request: a second worker on this queue is refused here (WORKER_RUNNING).
  const claim = claimWorkerQueue(
    options.leases ?? new SqliteLeaseStore(options.database),
    options.owner ?? processOwner(),
    { portal: client.portalKey, ...(client.applicationKey === undefined ? {} : { application: client.applicationKey }) },
    options.heartbeatMs,
  );
  try {
    return await workQueue(options, settings, inputs, client, claim);
  } finally {
    claim.release();
  }
}

async function workQueue(
  options: WorkerOptions,
  settings: ResolvedWorkerSettings,
  inputs: Record<string, unknown>,
  client: PortalClient,
  claim: WorkerQueueClaim,
): Promise<WorkerSummary> {
  const clock = settings.clock;
  const now = (): number => clock.now();
  const stopSignal = options.stopSignal ?? new AbortController().signal;
  // Sleeps end early on a stop signal or when the lease is lost.
  const wakeSignal = AbortSignal.any([stopSignal, claim.lost]);
  const runs = new RunStore(options.database, clock);
  const context: WorkerContext = {
    client,
    scope: { authConnector: settings.authConnector },
    reservations: new ReservationStore(options.database, client.portalKey, settings.authConnector, clock),
    deadLetters: new DeadLetterStore(options.database, clock),
    runs,
    handlerRun: {
      handler: options.handler,
      client,
      runs,
      inputs,
      confirmWrite: settings.confirmWrite,
      confirmDestructive: settings.confirmDestructive,
      concurrency: settings.concurrency,
    },
    maxRetries: settings.maxRetries,
    limit: settings.limit,
    pollIntervalMs: settings.pollIntervalMs,
    clock,
    emit: (event) => options.onEvent?.(event),
  };
  const summary: WorkerSummary = { passes: 0, reserved: 0, done: 0, failedAttempts: 0, deadLettered: 0, cleared: 0, stoppedBy: 'once' };
  let markedThisPass = 0;
  let errorPoolAt = 0;
  const tally = (outcome: ProcessOutcome): void => {
    markedThisPass += outcome.marked;
    summary.done += outcome.done;
    summary.failedAttempts += outcome.failed;
    summary.deadLettered += outcome.deadLettered;
    summary.cleared += outcome.cleared;
    // Rows stay reserved either way: a refusal stops the worker (exit 2), anything else is retried later.
    const detail = (failure: { code: string; message: string }): string => `${failure.message.replace(/[.\s]+$/, '')} (${failure.code}).`;
    if (outcome.refused) {
      throw new EventsRefusedError(`${options.handler.path}: the handler run was refused: ${detail(outcome.refused)}`, {
        code: outcome.refused.code,
        hint: 'The rows stay reserved; fix the cause and start the worker again.',
      });
    }
    if (outcome.transient) {
      throw new EventQueueError(`${options.handler.path}: the handler run failed: ${detail(outcome.transient)}`, {
        code: outcome.transient.code,
        hint: 'The rows stay reserved and are read again on the next pass.',
        retryable: true,
      });
    }
  };

  const handle = async (reservation: ReservationRecord, rows: readonly unknown[]): Promise<void> => tally(await processReservation(context, reservation, rows));

  const readAgain = async (reservation: ReservationRecord): Promise<number> => {
    claim.assertHeld();
    const saved = context.reservations.rowsOf(reservation.processId).length;
    const rows = await rereadReservation(client, context.scope, {
      processId: reservation.processId,
      errorRead: reservation.errorRead,
      limit: Math.max(settings.limit, saved),
    });
    context.emit({ type: 'reread', processId: reservation.processId, rows: rows.length, errorRead: reservation.errorRead });
    await handle(reservation, rows);
    return rows.length;
  };

  const reserve = async (errorRead: boolean): Promise<number> => {
    claim.assertHeld();
    let reservation;
    try {
      reservation = await reserveEvents(client, context.scope, { limit: settings.limit, errorRead });
    } catch (error) {
      if (!isOutcomeUnknown(error)) throw error;
      // The reservation may exist without us knowing its process_id: find it before going on.
      const adopted = await adoptUnknownReservations(context);
      throw reservationAnswerLost(error, adopted);
    }
    if (reservation.rows.length === 0) return 0;
    summary.reserved += reservation.rows.length;
    const record: ReservationRecord = { processId: reservation.processId, errorRead, status: 'open', runId: null, retryAt: null, createdAt: now() };
    context.reservations.saveReservation(record.processId, errorRead, []);
    context.emit({ type: 'reserved', processId: record.processId, rows: reservation.rows.length, errorRead });
    await handle(record, reservation.rows);
    return reservation.rows.length;
  };

  const pass = async (): Promise<number> => {
    claim.assertHeld();
    markedThisPass = 0;
    let work = await retryDeadLetters({
      deadLetters: context.deadLetters,
      handlerRun: context.handlerRun,
      portal: client.portalKey,
      source: 'offline',
      limit: settings.limit,
      onRetried: (deadLetterId, status) => context.emit({ type: 'retried', deadLetterId, status }),
    });
    for (const reservation of context.reservations.openReservations()) {
      if (stopSignal.aborted) return work;
      if (!settings.once && reservation.retryAt !== null && reservation.retryAt > now()) continue;
      work += await readAgain(reservation);
    }
    if (stopSignal.aborted) return work;
    const fresh = await reserve(false);
    work += fresh;
    // Failed rows wait with error=1; a running worker reads them once the queue is not full and one poll
    // interval after the last failure (later retries back off per reservation). --once retries at once.
    if (markedThisPass > 0) errorPoolAt = now() + settings.pollIntervalMs;
    if (!stopSignal.aborted && fresh < settings.limit && (settings.once || now() >= errorPoolAt)) work += await reserve(true);
    return work;
  };

  let failures = 0;
  /**
   * After a failed step: refusals, a lost lease and (with --once) a lasting or non-transient failure
   * are thrown; otherwise the worker backs off. False when a stop signal ended the back-off.
   */
  const backOff = async (caught: unknown): Promise<boolean> => {
    const error = explainQueueError(caught, 'chain worker');
    if (isRefusalError(error) || isLeaseLostError(error)) throw error;
    failures += 1;
    const transient = isTransientWorkerFailure(error);
    if (settings.once && (!transient || failures >= ONCE_ATTEMPTS)) throw transient ? workerGaveUp(error, failures) : error;
    const retryInMs = settings.once
      ? onceRetryDelayMs(failures)
      : Math.min(Math.max(settings.pollIntervalMs, 1000) * 2 ** Math.min(failures - 1, 10), MAX_ERROR_BACKOFF_MS);
    context.emit({
      type: 'error',
      code: (error as { code?: string }).code ?? 'ERROR',
      message: error instanceof Error ? error.message : String(error),
      retryInMs,
    });
    if (await sleep(clock, retryInMs, wakeSignal)) return true;
    claim.assertHeld();
    return false;
  };

  // Reservations made but never saved (a crash, a lost answer) are found before anything else.
  let recovered = false;
  while (!recovered && !stopSignal.aborted) {
    try {
      await adoptUnknownReservations(context);
      recovered = true;
      failures = 0;
    } catch (caught) {
      if (!(await backOff(caught))) break;
    }
  }
  if (recovered)
    context.emit({
      type: 'started',
      portal: client.portalKey,
      authConnector: settings.authConnector,
      openReservations: context.reservations.openReservations().length,
    });
  for (;;) {
    if (stopSignal.aborted) break;
    let work = 0;
    try {
      summary.passes += 1;
      work = await pass();
      failures = 0;
    } catch (caught) {
      if (await backOff(caught)) continue;
      break;
    }
    if (stopSignal.aborted) break;
    if (work > 0) continue;
    if (settings.once) {
      context.emit({ type: 'stopped', reason: 'once' });
      return summary;
    }
    context.emit({ type: 'idle', sleepMs: settings.pollIntervalMs });
    if (!(await sleep(clock, settings.pollIntervalMs, wakeSignal))) {
      claim.assertHeld();
      break;
    }
  }
  summary.stoppedBy = 'signal';
  context.emit({ type: 'stopped', reason: 'signal' });
  return summary;
}

/** `--once` tries a pass this many times in a row before it gives up on a transient failure (exit 1). */
const ONCE_ATTEMPTS = 3;

/** False when the stop signal cut the sleep short. */
async function sleep(clock: WorkerContext['clock'], ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await clock.sleep(ms, signal);
    return !signal.aborted;
  } catch {
    return false;
  }
}
