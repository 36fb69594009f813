/**
 * Executes one call plan made through `bitrix_call`, after every gate: the plan can run here (exists,
 * this portal, not used, not expired), a person approved it, the records it changes did not move since
 * planning, and then `runGuardedCall` (packs, allowlist, idempotency, consume-once, audit).
 */
import { runGuardedCall, type CallOutcome } from '../call/index.ts';
import type { CallPlan } from '../store/index.ts';
import { obtainApproval, type Elicitor } from './obtain-approval.ts';
import type { McpContext } from './mcp-context.ts';
import { checkPlanTargets } from './read-plan-targets.ts';
import { refuseReadOnly } from './refuse-read-only.ts';

export async function executeCallPlan(context: McpContext, planId: string, elicitor: Elicitor, signal?: AbortSignal): Promise<CallOutcome> {
  if (context.readOnly) refuseReadOnly(`plan ${planId}`);
  const plan = context.plans.check(planId, context.client.portalKey, 'call') as CallPlan;
  const targets = context.approvals.targetsOf(plan.id);
  // Stale plans are refused before anyone is asked, and again after a person took time to answer.
  await checkPlanTargets(plan.id, context.client, targets, signal);
  const approval = await obtainApproval(context, plan, elicitor);
  if (approval.askedNow) await checkPlanTargets(plan.id, context.client, targets, signal);
  return runGuardedCall(
    { executePlanId: plan.id, packsText: context.packsText, allowlistText: context.allowlistText, confirmWrite: true, confirmDestructive: true },
    { client: context.client, stores: context, clock: context.clock, ...(signal === undefined ? {} : { signal }) },
  );
}
