/**
 * A top-level `call` step. A write is recorded as `sent` (with its parameters) before the request
 * leaves; a resume that finds it `sent` looks it up by its natural key before anything is re-sent,
 * and an answer lost in flight is reconciled the same way at once (DESIGN.md §4).
 */
import { isOutcomeUnknownError } from '../errors/index.ts';
import type { CallStep } from '../chain/index.ts';
import { reconcileWrites } from './reconcile-writes.ts';
import type { RunStore } from '../store/index.ts';
import type { CallResult, PortalClient } from '../client/index.ts';
import { deriveIdempotencyKey } from '../client/index.ts';

export type CallStepOutcome = { status: 'done'; value: Record<string, unknown> } | { status: 'unknown'; method: string };

/** What `steps.<id>` holds after a call: `result`, and `total`/`next` for list envelopes. */
export function callStepValue(answer: CallResult): Record<string, unknown> {
  return {
    result: answer.result,
    ...(answer.total !== undefined ? { total: answer.total } : {}),
    ...(answer.next !== undefined ? { next: answer.next } : {}),
    ...(answer.replayed === true ? { replayed: true } : {}),
  };
}

export async function executeCallStep(
  step: CallStep,
  params: Record<string, unknown>,
  context: { runId: string; client: PortalClient; store: RunStore; resolution?: 'sent' | 'not-sent' | undefined },
): Promise<CallStepOutcome> {
  const { client, store, runId } = context;
  const version = step.version === undefined ? {} : { version: step.version };
  if (step.risk === 'read') return { status: 'done', value: callStepValue(await client.call(step.method, params, { write: false, ...version })) };
  // On REST 3.0 the write carries a key of the run and step: a re-send (lost answer, resume) is replayed, not re-executed.
  const idempotencyKey = deriveIdempotencyKey([runId, step.id]);

  const saved = store.stepResult(runId, step.id);
  if (saved?.status === 'sent') {
    const sentParams = (saved.result as { params?: unknown } | null)?.params ?? params;
    if (context.resolution === 'sent') return { status: 'done', value: { result: null } };
    if (context.resolution !== 'not-sent') {
      const verdict = (await reconcileWrites(client, [{ id: step.id, method: step.method, params: sentParams }])).get(step.id);
      if (verdict?.status === 'done') return { status: 'done', value: { result: verdict.result } };
      if (verdict?.status !== 'not_sent') return { status: 'unknown', method: step.method };
    }
  }
  store.saveStepResult(runId, step.id, 'sent', { params, method: step.method });
  try {
    return { status: 'done', value: callStepValue(await client.call(step.method, params, { write: true, idempotencyKey, ...version })) };
  } catch (error) {
    if (!isOutcomeUnknownError(error)) {
      store.saveStepResult(runId, step.id, 'failed', undefined, { message: error instanceof Error ? error.message : String(error) });
      throw error;
    }
    const verdict = (await reconcileWrites(client, [{ id: step.id, method: step.method, params }])).get(step.id);
    if (verdict?.status === 'done') return { status: 'done', value: { result: verdict.result } };
    return { status: 'unknown', method: step.method };
  }
}
