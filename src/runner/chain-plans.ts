/**
 * Plan-bound runs (DESIGN.md §5): `chain run --plan ID` executes only if the chain file, the inputs
 * and the portal are those the plan was made for, once, and writes only the items the plan listed.
 */
import type { Database } from '../store/index.ts';
import { RefusalError } from '../errors/index.ts';
import { canonicalJson } from '../store/index.ts';
import { PlanStore } from '../store/index.ts';

export interface BoundPlan {
  id: string;
  /** Planned item keys per for_each step id. */
  keys: Map<string, Set<string>>;
}

export function loadChainPlan(
  database: Database,
  id: string,
  expected: { portal: string; sha256: string; inputs: Record<string, unknown>; forEachStepIds: readonly string[] },
): BoundPlan {
  const plans = new PlanStore(database);
  const plan = plans.check(id, expected.portal, 'chain');
  if (plan.kind !== 'chain') throw new RefusalError(`plan ${id}: not a chain plan (PLAN_KIND_MISMATCH).`, { code: 'PLAN_KIND_MISMATCH' });
  if (plan.body.chainHash !== expected.sha256) {
    throw new RefusalError(`plan ${id}: the chain file changed since the plan was made (PLAN_CHAIN_CHANGED).`, {
      code: 'PLAN_CHAIN_CHANGED',
      hint: 'Make a new plan with chain plan FILE.',
    });
  }
  if (canonicalJson(plan.body.inputs) !== canonicalJson(expected.inputs)) {
    throw new RefusalError(`plan ${id}: made with other inputs (${canonicalJson(plan.body.inputs)}) (PLAN_INPUTS_MISMATCH).`, {
      code: 'PLAN_INPUTS_MISMATCH',
      hint: 'Pass the same --input values as chain plan did, or make a new plan.',
    });
  }
  plans.consume(id, expected.portal, 'chain');
  const keys = new Map<string, Set<string>>();
  for (const step of expected.forEachStepIds) keys.set(step, new Set(plans.plannedItemKeys(id, step)));
  return { id, keys };
}
