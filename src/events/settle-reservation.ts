/**
 * Settles the rows of one reservation after the handler (DESIGN.md §8), in an order a crash cannot
 * break: verdicts, attempts and dead letters are saved first (one transaction), then done and
 * dead-lettered rows are cleared by ID under their `process_id`, then failed rows are marked with
 * `event.offline.error`. Each portal call is idempotent, so whatever a crash interrupts is repeated
 * on the next read of the reservation.
 */
import type { DeadLetterInput, UnknownWrite } from '../store/index.ts';
import type { CheckedRow, HandlerEvent } from './event-row.ts';
import { findUnknownWrites } from './find-unknown-writes.ts';
import { clearEventRows, markEventErrors } from './queue-client.ts';
import type { ReservationRecord, RowUpdate, SavedRow } from '../store/index.ts';
import { FINAL_ROW_STATUSES } from '../store/index.ts';
import type { RowVerdict } from './run-handler.ts';
import { retryDelayMs, type WorkerContext } from './worker-context.ts';

export interface RowToSettle {
  saved: SavedRow;
  checked: CheckedRow;
}

export interface ReservationOutcome {
  done: number;
  failed: number;
  deadLettered: number;
  unsettled: number;
  cleared: number;
  marked: number;
  closed: boolean;
}

function deadLetterOf(
  context: WorkerContext,
  reservation: ReservationRecord,
  row: SavedRow,
  error: { code: string; message: string },
  attempts: number,
  unknownWrites?: UnknownWrite[] | null,
): DeadLetterInput {
  return {
    ...(unknownWrites === undefined ? {} : { unknownWrites }),
    portal: context.reservations.portal,
    source: 'offline',
    authConnector: context.reservations.authConnector,
    eventName: row.eventName,
    rowId: row.rowId,
    messageId: row.messageId,
    processId: reservation.processId,
    payload: row.payload,
    error,
    attempts,
    firstSeen: row.firstSeen,
    lastSeen: context.clock.now(),
  };
}

/** The row's unknown writes in the run that gave the verdict (or the reservation's earlier run, resumed). */
async function unknownWritesOf(context: WorkerContext, runIds: ReadonlyArray<string | null>, event: HandlerEvent): Promise<UnknownWrite[] | null> {
  for (const runId of new Set(runIds)) {
    const writes = await findUnknownWrites(context.handlerRun.handler, context.runs, runId, event);
    if (writes) return writes;
  }
  return null;
}

export async function settleReservation(
  context: WorkerContext,
  reservation: ReservationRecord,
  rows: readonly RowToSettle[],
  verdicts: ReadonlyMap<string, RowVerdict>,
  runId: string | null,
): Promise<ReservationOutcome> {
  const { reservations, scope, client } = context;
  const processId = reservation.processId;
  const outcome: ReservationOutcome = { done: 0, failed: 0, deadLettered: 0, unsettled: 0, cleared: 0, marked: 0, closed: false };
  const updates: RowUpdate[] = [];
  const letters: DeadLetterInput[] = [];
  const status = new Map(rows.map(({ saved }) => [saved.rowId, saved.status]));

  for (const { saved, checked } of rows) {
    if (!checked.ok) {
      if (saved.status === 'reserved' || saved.status === 'marked' || saved.status === 'gone') {
        const error = {
          code: 'MALFORMED_EVENT',
          message: `event.offline.get: row ${saved.rowId} (${saved.eventName || 'no EVENT_NAME'}) is malformed: ${checked.problem}`,
        };
        letters.push(deadLetterOf(context, reservation, saved, error, saved.attempts));
        updates.push({ rowId: saved.rowId, status: 'dead', error: error.message });
        status.set(saved.rowId, 'dead');
        outcome.deadLettered += 1;
      }
      continue;
    }
    const verdict = verdicts.get(checked.event.ID);
    if (!verdict) continue;
    if (verdict.status === 'unsettled') {
      outcome.unsettled += 1;
      continue;
    }
    if (verdict.status === 'done') {
      updates.push({ rowId: saved.rowId, status: 'done' });
      status.set(saved.rowId, 'done');
      outcome.done += 1;
      continue;
    }
    const attempts = saved.attempts + 1;
    if (verdict.status === 'unknown' || attempts > context.maxRetries) {
      const error =
        verdict.status === 'unknown' ? verdict.error : { code: verdict.error.code, message: `${verdict.error.message} (gave up after ${attempts} attempts)` };
      // An unknown outcome records which writes may or may not have happened (dlq retry checks them).
      const unknownWrites = verdict.status === 'unknown' ? await unknownWritesOf(context, [runId, reservation.runId], checked.event) : undefined;
      letters.push(deadLetterOf(context, reservation, saved, error, attempts, unknownWrites));
      updates.push({ rowId: saved.rowId, status: 'dead', attempts, error: error.message });
      status.set(saved.rowId, 'dead');
      outcome.deadLettered += 1;
    } else {
      updates.push({ rowId: saved.rowId, status: 'failed', attempts, error: verdict.error.message });
      status.set(saved.rowId, 'failed');
      outcome.failed += 1;
    }
  }
  const letterIds = reservations.update(processId, updates, letters, context.deadLetters);
  letters.forEach((letter, index) => {
    context.emit({
      type: 'dead_letter',
      id: letterIds[index] ?? 0,
      processId,
      rowId: letter.rowId,
      eventName: letter.eventName,
      code: letter.error.code,
      attempts: letter.attempts,
    });
  });
  if (rows.length > 0)
    context.emit({
      type: 'processed',
      processId,
      runId,
      done: outcome.done,
      failed: outcome.failed,
      deadLettered: outcome.deadLettered,
      unsettled: outcome.unsettled,
    });

  // Clear what is done or dead-lettered, by ID (by MESSAGE_ID for a malformed row without a usable ID).
  const toClear = rows.filter(({ saved }) => ['done', 'dead', 'cleared'].includes(status.get(saved.rowId) ?? ''));
  const ids = toClear.filter(({ checked }) => checked.identity.rowId !== '').map(({ checked }) => checked.identity.rowId);
  const messageIds = toClear
    .filter(({ checked }) => checked.identity.rowId === '' && checked.identity.messageId !== '')
    .map(({ checked }) => checked.identity.messageId);
  if (ids.length > 0) await clearEventRows(client, scope, { processId, ids });
  if (messageIds.length > 0) await clearEventRows(client, scope, { processId, messageIds });
  const unreachable = toClear.filter(({ checked }) => checked.identity.rowId === '' && checked.identity.messageId === '');
  const othersSettled = rows.every(({ saved, checked }) => !checked.ok || ['done', 'dead', 'cleared'].includes(status.get(saved.rowId) ?? ''));
  if (unreachable.length > 0 && othersSettled) await clearEventRows(client, scope, { processId });
  const cleared = toClear.filter((row) => row.checked.identity.rowId !== '' || row.checked.identity.messageId !== '' || othersSettled);
  reservations.update(
    processId,
    cleared.map(({ saved }) => ({ rowId: saved.rowId, status: 'cleared' as const })),
  );
  outcome.cleared = cleared.length;
  if (cleared.length > 0) context.emit({ type: 'cleared', processId, rows: cleared.length });

  // Mark failures: the rows wait for a later read with error=1.
  const toMark = rows.filter(({ saved }) => status.get(saved.rowId) === 'failed' && saved.messageId !== '');
  if (toMark.length > 0) {
    await markEventErrors(client, scope, { processId, messageIds: toMark.map(({ saved }) => saved.messageId) });
    reservations.update(
      processId,
      toMark.map(({ saved }) => ({ rowId: saved.rowId, status: 'marked' as const })),
    );
    outcome.marked = toMark.length;
    context.emit({ type: 'marked', processId, rows: toMark.length });
  }

  // Rows saved under this process_id that the portal no longer holds there have left it (cleared, marked, purged).
  const present = new Set(rows.map(({ saved }) => saved.rowId));
  const left = reservations.rowsOf(processId).filter((row) => !present.has(row.rowId) && !FINAL_ROW_STATUSES.has(row.status));
  reservations.update(
    processId,
    left.map((row) => ({ rowId: row.rowId, status: 'gone' as const })),
  );

  outcome.closed = reservations.closeIfSettled(processId);
  if (outcome.closed) {
    context.emit({ type: 'closed', processId });
  } else {
    const waiting = reservations.rowsOf(processId).filter((row) => !FINAL_ROW_STATUSES.has(row.status));
    const onlyRetries = waiting.length > 0 && waiting.every((row) => row.status === 'marked');
    const attempts = Math.max(0, ...waiting.map((row) => row.attempts));
    reservations.setRetryAt(processId, onlyRetries ? context.clock.now() + retryDelayMs(attempts, context.pollIntervalMs) : null);
  }
  return outcome;
}
