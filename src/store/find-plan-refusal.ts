import { RefusalError } from '../errors/index.ts';
import type { PlanKind, StoredPlan } from './plan-store.ts';

export interface PlanRefusalQuestion {
  id: string;
  /** The stored plan, undefined when there is none with this id. */
  plan: StoredPlan | undefined;
  /** The portal the caller is about to send to. */
  portal: string;
  /** The kind the caller can run; undefined accepts both. */
  kind?: PlanKind | undefined;
  now: number;
}

/**
 * Why a plan cannot run now, or undefined when it can. Checked in this order: it exists, it is of the
 * kind asked for, it was made for this portal, it has not run yet, it has not expired.
 */
export function findPlanRefusal({ id, plan, portal, kind, now }: PlanRefusalQuestion): RefusalError | undefined {
  const subject = `plan ${id}`;
  const remake = kind === 'chain' ? 'Make a new one with `chain plan`.' : 'Make a new one with --plan-only.';
  if (plan === undefined) {
    return new RefusalError(`${subject}: no such plan in this state database (PLAN_NOT_FOUND).`, {
      code: 'PLAN_NOT_FOUND',
      hint: `Check the id and the --db / B24_DB file. ${remake}`,
      subject,
    });
  }
  if (kind !== undefined && plan.kind !== kind) {
    return new RefusalError(`${subject}: this is a ${plan.kind} plan, not a ${kind} plan (PLAN_KIND_MISMATCH).`, {
      code: 'PLAN_KIND_MISMATCH',
      hint: plan.kind === 'chain' ? 'Run it with `chain run FILE --plan ID`.' : 'Run it with `chain call --execute-plan ID`.',
      subject,
    });
  }
  if (plan.portal !== portal) {
    return new RefusalError(`${subject}: made for another portal (PLAN_PORTAL_MISMATCH).`, {
      code: 'PLAN_PORTAL_MISMATCH',
      hint: `A plan runs only on the portal it was made for. ${remake}`,
      subject,
    });
  }
  if (plan.consumedAt !== null) {
    return new RefusalError(`${subject}: already executed at ${new Date(plan.consumedAt).toISOString()}; a plan runs once (PLAN_CONSUMED).`, {
      code: 'PLAN_CONSUMED',
      hint: remake,
      subject,
    });
  }
  if (plan.expiresAt <= now) {
    return new RefusalError(`${subject}: expired at ${new Date(plan.expiresAt).toISOString()} (PLAN_EXPIRED).`, {
      code: 'PLAN_EXPIRED',
      hint: remake,
      subject,
    });
  }
  return undefined;
}
