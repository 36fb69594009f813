/**
 * A plan as a person reviews it (elicitation message, `chain approve`) and as `plan_status` returns
 * it. The person sees what would be sent; the audit trail never does.
 */
import type { ApprovalStore, PlanTarget, StoredPlan } from '../store/index.ts';

const maximumParamsText = 1500;

function paramsText(params: unknown): string {
  const text = JSON.stringify(params);
  return text.length > maximumParamsText ? `${text.slice(0, maximumParamsText)}… (${text.length} characters)` : text;
}

/** What the plan would do, in a few lines of plain text. */
export function describePlanText(plan: StoredPlan, targets: readonly PlanTarget[]): string {
  const lines = [`Plan ${plan.id} on ${plan.portal}, risk ${plan.risk}, valid until ${new Date(plan.expiresAt).toISOString()}.`];
  if (plan.kind === 'call') {
    lines.push(`Sends ${plan.body.method} once with ${paramsText(plan.body.params)}`);
  } else {
    lines.push(`Runs chain ${plan.body.chainName} with inputs ${paramsText(plan.body.inputs)}:`);
    if (plan.body.counts.length === 0) lines.push('  no writes');
    for (const count of plan.body.counts) lines.push(`  ${count.step}: ${count.count} × ${count.method} (${count.risk})`);
  }
  if (targets.length > 0)
    lines.push(
      `Changes ${targets.map((target) => `${target.target}${target.modifiedAt ? ` (${target.modifiedField} ${target.modifiedAt})` : ''}`).join(', ')}.`,
    );
  return lines.join('\n');
}

/** `plan_status` and the plans resource: the plan's state and decision, without parameter values. */
export function describePlanStatus(plan: StoredPlan, approvals: ApprovalStore): Record<string, unknown> {
  const decision = approvals.decisionOf(plan.id);
  return {
    planId: plan.id,
    state: approvals.stateOf(plan),
    kind: plan.kind,
    portal: plan.portal,
    risk: plan.risk,
    createdAt: new Date(plan.createdAt).toISOString(),
    expiresAt: new Date(plan.expiresAt).toISOString(),
    executedAt: plan.consumedAt === null ? null : new Date(plan.consumedAt).toISOString(),
    ...(plan.kind === 'call' ? { method: plan.body.method } : { chain: plan.body.chainName, writes: plan.body.counts }),
    decision:
      decision === undefined ? null : { decision: decision.decision, by: decision.actor, via: decision.via, at: new Date(decision.decidedAt).toISOString() },
    targets: approvals.targetsOf(plan.id).map((target) => ({ target: target.target, modifiedField: target.modifiedField, modifiedAt: target.modifiedAt })),
  };
}
