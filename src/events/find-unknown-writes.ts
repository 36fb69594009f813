/**
 * The writes of one row whose outcome stayed unknown in a handler run (sent, never answered, and not
 * settled by reconciliation), recorded with the row's dead letter so `chain worker dlq retry` can tell
 * a retry that cannot apply an effect twice (the write carries a natural key, or is an update that
 * sets the same values again) from one that may (DESIGN.md §4, §8).
 */
import { renderTemplate } from '../chain/index.ts';
import { naturalKeyLookup } from '../runner/index.ts';
import type { RunStore } from '../store/index.ts';
import { naturalKey } from '../store/index.ts';
import type { UnknownWrite } from '../store/index.ts';
import type { HandlerEvent } from './event-row.ts';
import type { EventHandler } from './load-handler.ts';

/** The item key of `event` in each event step, as the runner computed it (the step's `key`, else the row ID). */
async function itemKeys(handler: EventHandler, inputs: Readonly<Record<string, unknown>>, event: HandlerEvent): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const step of handler.eventSteps) {
    const value = step.key ? await renderTemplate(step.key, { inputs, steps: {}, [step.as]: event }) : event.ID;
    keys.add(`${step.id}\u0000${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  return keys;
}

export function describeUnknownWrite(entry: { stepId: string; subStepId: string; method: string; params: unknown }): UnknownWrite {
  const params = entry.params !== null && typeof entry.params === 'object' ? (entry.params as Record<string, unknown>) : {};
  const lookup = entry.method === '' ? undefined : naturalKeyLookup(entry.method, params);
  // Only a key the portal can be searched by counts (not one still holding an unrendered reference).
  const key = lookup !== undefined && lookup !== 'resend' ? naturalKey(entry.method, params) : undefined;
  return { stepId: entry.stepId, subStepId: entry.subStepId, method: entry.method, naturalKey: key ?? null, resendable: lookup === 'resend' };
}

/** The unknown writes of `event` in run `runId`; null when the run is not in the store (nothing is known). */
export async function findUnknownWrites(handler: EventHandler, runs: RunStore, runId: string | null, event: HandlerEvent): Promise<UnknownWrite[] | null> {
  const run = runId === null ? undefined : runs.getRun(runId);
  if (!run) return null;
  const keys = await itemKeys(handler, run.inputs, event);
  const writes = runs.sentSubSteps(run.id).filter((entry) => keys.has(`${entry.stepId}\u0000${entry.itemKey}`));
  return writes.length === 0 ? null : writes.map(describeUnknownWrite);
}

/** Whether retrying a dead letter may apply an effect twice: its outcome is unknown and some write cannot be checked or safely repeated. */
export function riskyWrites(letter: { error: { code: string }; unknownWrites?: UnknownWrite[] | null }): { risky: boolean; writes: UnknownWrite[] } {
  if (letter.error.code !== 'OUTCOME_UNKNOWN') return { risky: false, writes: [] };
  const writes = letter.unknownWrites ?? [];
  if (writes.length === 0) return { risky: true, writes };
  const unchecked = writes.filter((write) => write.naturalKey === null && !write.resendable);
  return { risky: unchecked.length > 0, writes: unchecked };
}
