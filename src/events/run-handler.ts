/**
 * Runs the handler chain over a set of events and tells, row by row, what happened (DESIGN.md §8):
 * done, failed (with the error), outcome unknown (a write that may or may not have happened), or
 * unsettled (the run stopped before reaching it). A run interrupted by a crash is resumed, so writes
 * sent but never answered are reconciled by natural key before anything is re-sent.
 */
import { classifyErrorCode } from '../protocol/index.ts';
import { renderItemKey } from '../runner/index.ts';
import { runChain, type RunOutcome } from '../runner/index.ts';
import type { ItemStatus, RunRecord, RunStatus, RunStore } from '../store/index.ts';
import type { PortalClient } from '../client/index.ts';
import type { HandlerEvent } from './event-row.ts';
import type { EventHandler } from './load-handler.ts';

export type RowVerdict = { status: 'done' } | { status: 'failed' | 'unknown'; error: { code: string; message: string } } | { status: 'unsettled' };

export interface HandlerRunOptions {
  handler: EventHandler;
  client: PortalClient;
  runs: RunStore;
  /** The other inputs of the handler (defaults applied); `events` is added. */
  inputs: Readonly<Record<string, unknown>>;
  confirmWrite: boolean;
  confirmDestructive: boolean;
  concurrency: number;
}

export interface HandlerRunResult {
  runId: string;
  status: RunStatus;
  /** By row ID (the event's `ID`). */
  verdicts: Map<string, RowVerdict>;
  error?: { code: string; message: string };
  /** The run stopped on a refusal (missing scope...): the worker must stop too. */
  refused: boolean;
}

/** Whether a run's error may pass by itself (network, 5xx, limits): then rows stay reserved, nothing is counted. */
export function isTransientRunError(code: string): boolean {
  if (code === 'NETWORK_ERROR' || code === 'TIMEOUT') return true;
  const classification = classifyErrorCode(code, '');
  return classification.known && classification.retry !== 'never';
}

/** The item key the run gave this row: the runner's own function, so verdicts find the run's items. */
async function keyOf(handler: EventHandler, stepIndex: number, inputs: Readonly<Record<string, unknown>>, event: HandlerEvent): Promise<string> {
  const step = handler.eventSteps[stepIndex];
  if (!step) return event.ID;
  return renderItemKey(step, { inputs, steps: {} }, event);
}

function itemError(runs: RunStore, runId: string, stepId: string, key: string, status: ItemStatus): { code: string; message: string } {
  const failed = runs.subSteps(runId, stepId, key).find((record) => record.status === 'failed' && record.error);
  if (failed?.error)
    return { code: failed.error.code || 'HANDLER_ITEM_FAILED', message: `${stepId}.${failed.subStepId} (${failed.method}): ${failed.error.message}` };
  return { code: 'HANDLER_ITEM_FAILED', message: `${stepId}: the item of this row ended ${status}` };
}

/** Reads the verdicts of a run from the run store (works for a run that ended before a crash, too). */
export async function verdictsOfRun(
  handler: EventHandler,
  runs: RunStore,
  run: Pick<RunRecord, 'id' | 'status' | 'inputs'>,
  events: readonly HandlerEvent[],
  runError?: { code: string; message: string },
): Promise<Map<string, RowVerdict>> {
  const verdicts = new Map<string, RowVerdict>();
  const unknownKeys = new Set(run.status === 'awaiting_decision' ? runs.sentSubSteps(run.id).map((entry) => `${entry.stepId}\u0000${entry.itemKey}`) : []);
  const perStep = await Promise.all(
    handler.eventSteps.map(async (step, index) => {
      const keys = await Promise.all(events.map((event) => keyOf(handler, index, run.inputs, event)));
      return { step, keys, settled: runs.settledItems(run.id, step.id, keys) };
    }),
  );
  events.forEach((event, eventIndex) => {
    let verdict: RowVerdict = { status: 'done' };
    for (const { step, keys, settled } of perStep) {
      const key = keys[eventIndex] as string;
      const status = settled.get(key);
      if (status === 'failed' || status === 'dead_letter') {
        verdict = { status: 'failed', error: itemError(runs, run.id, step.id, key, status) };
        break;
      }
      if (unknownKeys.has(`${step.id}\u0000${key}`)) {
        verdict = {
          status: 'unknown',
          error: {
            code: 'OUTCOME_UNKNOWN',
            message: `${step.id}: a write for this row was sent and never answered, and the portal could not tell whether it ran`,
          },
        };
        break;
      }
      if (status === undefined && run.status !== 'done') verdict = { status: 'unsettled' };
    }
    if (perStep.length === 0 && run.status !== 'done') verdict = { status: 'unsettled' };
    if (verdict.status === 'unsettled' && run.status === 'failed' && runError && !isTransientRunError(runError.code)) {
      verdict = { status: 'failed', error: runError };
    }
    verdicts.set(event.ID, verdict);
  });
  return verdicts;
}

/**
 * Runs the handler: resumes `resume` when given (its own inputs), else starts a run with `events`.
 * `onRunStarted` receives the run id as soon as the run is recorded (after the credentials check,
 * before the first step), so it can be saved. Credentials that fail that check throw, and no run exists.
 */
export async function runHandler(
  options: HandlerRunOptions,
  events: readonly HandlerEvent[],
  extra: { resume?: RunRecord; stopSignal?: AbortSignal; onRunStarted?: (runId: string) => void } = {},
): Promise<HandlerRunResult> {
  const inputs = extra.resume ? extra.resume.inputs : { ...options.inputs, events };
  const outcome: RunOutcome = await runChain({
    chain: options.handler.chain,
    chainPath: options.handler.path,
    chainSha256: options.handler.sha256,
    summary: options.handler.summary,
    inputs,
    client: options.client,
    store: options.runs,
    confirmWrite: options.confirmWrite,
    confirmDestructive: options.confirmDestructive,
    concurrency: options.concurrency,
    // Each reservation is its own run of the handler: runs of other reservations are not duplicates.
    unfinishedGuard: false,
    ...(extra.resume ? { resume: extra.resume } : {}),
    ...(extra.stopSignal ? { stopSignal: extra.stopSignal } : {}),
    onEvent: (event) => {
      if (event.type === 'started') extra.onRunStarted?.(event.runId);
    },
  });
  const runEvents = extra.resume ? ((inputs.events as HandlerEvent[] | undefined) ?? []) : events;
  const error = outcome.error ? { code: outcome.error.code, message: outcome.error.message } : undefined;
  const verdicts = await verdictsOfRun(options.handler, options.runs, { id: outcome.run.id, status: outcome.status, inputs }, runEvents, error);
  return { runId: outcome.run.id, status: outcome.status, verdicts, ...(error ? { error } : {}), refused: outcome.refused === true };
}
