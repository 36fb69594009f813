/**
 * `chain plan FILE` (DESIGN.md §5): the run's own step walker with counting effects. Reads run;
 * every write the run would send is counted (per step and method, with samples and the item keys)
 * and nothing is written. Iteration, `if` conditions, item keys and parameters are the run's, so a
 * plan counts what `chain run` sends on the same portal state.
 *
 * What the plan cannot know (its writes are not sent) is decided as the run would decide it when every
 * write succeeds (walk-chain.ts `PlanUnknowns`, count-effects.ts), and never fails the plan where the run works:
 * - a write's result is a placeholder (`<result of create>`); `$exists` of it is true;
 * - a value computed from one (a parameter, an output) that is not the placeholder itself, or cannot be
 *   evaluated over it (`$number(...)`), is `<unknown: ${{ ... }}>`: the write is counted with that
 *   parameter shown unknown, and a read with such a parameter is not sent (its result is a placeholder);
 * - an `if` that looks inside such a result (`steps.create.result.status`) or cannot be evaluated over
 *   it holds, as a successful write would make it;
 * - an `assert` that reads such a result, or a read made after a counted write (what the write changes),
 *   is not checked: the run checks it;
 * - a read after a counted write that fails as not found (the record a counted write makes) reads as
 *   empty: a list has no rows, a call's result is a placeholder.
 */
import type { ChainDefinition } from '../chain/index.ts';
import type { RiskClass } from '../protocol/index.ts';
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
