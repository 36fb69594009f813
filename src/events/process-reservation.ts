/**
 * One reservation, fresh or read again (DESIGN.md §8): the rows the portal holds under its
 * `process_id` are matched with their saved state; unsettled rows go through the handler (an
 * interrupted run is resumed), and every row is settled by `settleReservation`. Rows already settled
 * before a crash are not handled again: a done row is only cleared, a failed one only marked.
 */
import type { RunRecord } from '../store/index.ts';
import { checkEventRow, type HandlerEvent } from './event-row.ts';
import type { ReservationRecord, SavedRow } from '../store/index.ts';
import { rowKeyOf } from '../store/index.ts';
import { runHandler, verdictsOfRun, type HandlerRunResult, type RowVerdict } from './run-handler.ts';
import { settleReservation, type ReservationOutcome, type RowToSettle } from './settle-reservation.ts';
import type { WorkerContext } from './worker-context.ts';

/** Statuses whose row still needs the handler when the portal shows it again. */
const NEEDS_HANDLER = new Set(['reserved', 'marked', 'gone']);

function resumable(run: RunRecord | undefined, sha256: string): run is RunRecord {
  return run !== undefined && run.chainSha256 === sha256 && (run.status === 'running' || run.status === 'interrupted');
}

interface HandlerVerdicts {
  verdicts: Map<string, RowVerdict>;
  runId: string | null;
  /** The run was refused (missing scope...). */
  refusal?: { code: string; message: string };
  /** The run failed as a whole on something that may pass by itself. */
  transient?: { code: string; message: string };
}

function failureOf(result: HandlerRunResult): Pick<HandlerVerdicts, 'refusal' | 'transient'> {
  const error = result.error ?? { code: 'HANDLER_REFUSED', message: 'the handler run was refused' };
  if (result.refused) return { refusal: error };
  const nothingSettled = [...result.verdicts.values()].every((verdict) => verdict.status === 'unsettled');
  return result.error && nothingSettled ? { transient: result.error } : {};
}

async function verdictsFor(
  context: WorkerContext,
  reservation: ReservationRecord,
  pending: HandlerEvent[],
  retrying: HandlerEvent[],
): Promise<HandlerVerdicts> {
  const { handlerRun, runs, reservations } = context;
  const verdicts = new Map<string, RowVerdict>();
  let runId: string | null = reservation.runId;
  let ranAlready = false;
  const earlier = reservation.runId ? runs.getRun(reservation.runId) : undefined;
  if (earlier && earlier.chainSha256 === handlerRun.handler.sha256 && pending.length > 0) {
    // Rows saved but never settled: the run of this reservation may have settled them before a crash.
    const pendingIds = new Set(pending.map((event) => event.ID));
    if (resumable(earlier, handlerRun.handler.sha256)) {
      const result = await runHandler(handlerRun, [], { resume: earlier });
      ranAlready = true;
      if (result.refused) return { verdicts, runId, ...failureOf(result) };
      for (const [rowId, verdict] of result.verdicts) if (pendingIds.has(rowId) && verdict.status !== 'unsettled') verdicts.set(rowId, verdict);
    } else {
      const settled = await verdictsOfRun(handlerRun.handler, runs, earlier, pending);
      for (const [rowId, verdict] of settled) if (verdict.status !== 'unsettled') verdicts.set(rowId, verdict);
    }
  }
  const rest = [...(ranAlready ? [] : pending.filter((event) => !verdicts.has(event.ID))), ...retrying];
  if (rest.length === 0) return { verdicts, runId };
  const result = await runHandler(handlerRun, rest, {
    onRunStarted: (id) => {
      runId = id;
      reservations.setRunId(reservation.processId, id);
    },
  });
  for (const [rowId, verdict] of result.verdicts) verdicts.set(rowId, verdict);
  return { verdicts, runId: result.runId, ...failureOf(result) };
}

export interface ProcessOutcome extends ReservationOutcome {
  /** The handler refused to run (missing scope...): the worker must stop. */
  refused?: { code: string; message: string };
  /** The run failed as a whole on something that may pass (network, 5xx): rows stay reserved. */
  transient?: { code: string; message: string };
}

/** Processes the rows the portal returned for `reservation` (fresh from a reserve, or re-read). */
export async function processReservation(context: WorkerContext, reservation: ReservationRecord, portalRows: readonly unknown[]): Promise<ProcessOutcome> {
  const checked = portalRows.map((raw) => checkEventRow(raw));
  const saved = new Map<string, SavedRow>();
  const fresh = context.reservations.saveReservation(
    reservation.processId,
    reservation.errorRead,
    checked.map((row) => ({ identity: row.identity, payload: row.ok ? row.event : row.payload })),
  );
  for (const row of fresh) saved.set(row.rowId, row);

  const rows: RowToSettle[] = [];
  const pending: HandlerEvent[] = [];
  const retrying: HandlerEvent[] = [];
  checked.forEach((row, index) => {
    const savedRow = saved.get(rowKeyOf(row.identity, index)) as SavedRow;
    rows.push({ saved: savedRow, checked: row });
    if (!row.ok || !NEEDS_HANDLER.has(savedRow.status)) return;
    (savedRow.status === 'reserved' ? pending : retrying).push(row.event);
  });

  let verdicts = new Map<string, RowVerdict>();
  let runId: string | null = reservation.runId;
  let transient: { code: string; message: string } | undefined;
  if (pending.length + retrying.length > 0) {
    const outcome = await verdictsFor(context, reservation, pending, retrying);
    if (outcome.refusal)
      return {
        done: 0,
        failed: 0,
        deadLettered: 0,
        unsettled: pending.length + retrying.length,
        cleared: 0,
        marked: 0,
        closed: false,
        refused: outcome.refusal,
      };
    verdicts = outcome.verdicts;
    runId = outcome.runId;
    transient = outcome.transient;
  }
  const settled = await settleReservation(context, reservation, rows, verdicts, runId);
  return { ...settled, ...(transient ? { transient } : {}) };
}
