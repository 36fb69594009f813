/**
 * `chain plan FILE` (DESIGN.md §5): the run's own step walker with counting effects. Reads run;
 * every write the run would send is counted (per step and method, with samples and the item keys)
 * and nothing is written. Iteration, `if` conditions, item keys and parameters are the run's, so a
 * plan counts what `chain run` sends on the same portal state.
 */
import type { ChainDefinition } from '../chain/chain-model.ts';
import type { RiskClass } from '../protocol/risk.ts';
import { createCountingEffects, noCheckpoints, type PlannedStep, type PlannedWriteListener } from './count-effects.ts';
import { PlanStoppedError } from './run-errors.ts';
import type { PortalClient } from '../client/index.ts';
import { emptyWalkRecord, walkChain } from './walk-chain.ts';

export type { PlannedStep, PlannedWriteListener } from './count-effects.ts';

export interface ChainPlanDraft {
  counts: PlannedStep[];
  itemKeys: Record<string, string[]>;
  rows: number;
  risk: RiskClass;
}

export interface PlanOptions {
  chain: ChainDefinition;
  inputs: Record<string, unknown>;
  client: PortalClient;
  signal?: AbortSignal;
  /** Batches in flight for the reads of a for_each (as `chain run --concurrency`). */
  concurrency?: number;
  /** Hears every write the plan counts, with its rendered params. */
  onWrite?: PlannedWriteListener;
}

/**
 * Throws what the run would stop on (a failed assert, a refused batch reference, a portal error on a
 * read) and `PlanStoppedError` when an item's read fails under `on_error: stop`.
 */
export async function planChain(options: PlanOptions): Promise<ChainPlanDraft> {
  const { chain, client } = options;
  const { effects, tally } = createCountingEffects(client, options.onWrite);
  const record = emptyWalkRecord();
  const walked = await walkChain(
    {
      chain,
      inputs: options.inputs,
      client,
      runId: 'plan',
      checkpoints: noCheckpoints,
      effects,
      concurrency: options.concurrency ?? 4,
      stopSignal: options.signal ?? new AbortController().signal,
    },
    record,
  );
  if (walked.status === 'failed' || walked.status === 'awaiting_decision') {
    const error = walked.error ?? { code: 'PLAN_STOPPED', message: 'the walk stopped' };
    throw new PlanStoppedError(`${chain.file}: a run would stop here: ${error.message.replace(/[.\s]+$/, '')} (${error.code}).`, {
      code: error.code,
      hint: 'Nothing was written. Fix the cause (or set on_error: skip on the step), then plan again.',
    });
  }
  const itemKeys: Record<string, string[]> = Object.fromEntries(chain.steps.flatMap((step) => (step.kind === 'for_each' ? [[step.id, [] as string[]]] : [])));
  Object.assign(itemKeys, tally.itemKeys());
  return { counts: tally.counts(), itemKeys, rows: record.rows, risk: tally.risk() };
}
