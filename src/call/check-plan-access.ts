/**
 * A plan runs with the packs, allowlist and `--allow-unlisted` it was made with: the ones in effect
 * when it is executed must be the same, so a plan cannot be replayed under wider (or other) packs
 * than the ones it was reviewed under. Pure.
 */
import { RefusalError } from '../errors/index.ts';
import type { CallPlan } from '../store/index.ts';
import type { MethodAccess } from './check-method-access.ts';

function sameSet(left: readonly string[], right: readonly string[]): boolean {
  const normalize = (values: readonly string[]): string => [...new Set(values.map((value) => value.toLowerCase()))].sort().join(',');
  return normalize(left) === normalize(right);
}

/** Refuses `PLAN_PACKS_MISMATCH` / `PLAN_ALLOWLIST_MISMATCH`; `command` is the plan's exact command. */
export function checkPlanAccess(plan: CallPlan, inEffect: MethodAccess, command: string): void {
  const subject = `plan ${plan.id}`;
  const hint = `The plan was not used. Run the command it printed: ${command}`;
  if (!sameSet(plan.body.packs, inEffect.packs)) {
    throw new RefusalError(`${subject}: made with packs ${plan.body.packs.join(',')}, executed with ${inEffect.packs.join(',')} (PLAN_PACKS_MISMATCH).`, {
      code: 'PLAN_PACKS_MISMATCH',
      hint,
      subject,
      details: { planned: plan.body.packs, given: [...inEffect.packs] },
    });
  }
  if (!sameSet(plan.body.allowlist, inEffect.allowlist) || plan.body.allowUnlisted !== inEffect.allowUnlisted) {
    const describe = (allowlist: readonly string[], allowUnlisted: boolean): string =>
      `${allowlist.length === 0 ? 'no allowlist' : `allowlist ${allowlist.join(',')}`}${allowUnlisted ? ' and --allow-unlisted' : ''}`;
    throw new RefusalError(
      `${subject}: made with ${describe(plan.body.allowlist, plan.body.allowUnlisted)}, executed with ${describe(inEffect.allowlist, inEffect.allowUnlisted)} (PLAN_ALLOWLIST_MISMATCH).`,
      { code: 'PLAN_ALLOWLIST_MISMATCH', hint, subject },
    );
  }
}
