/**
 * The gate before any write (DESIGN.md §12): a plan executes only with a person's approval. Either it
 * was approved out of band (`chain approve PLAN_ID` on a terminal), or the MCP client supports
 * elicitation and the person accepts the plan's summary now. Decline rejects the plan; cancel, a
 * closed dialog, or a client without elicitation refuse and leave it pending. No tool argument and no
 * setting read at call time can approve: the only inputs are the state database and the person's answer.
 */
import { RefusalError } from '../errors/index.ts';
import { formatShellCommand } from '../call/index.ts';
import { planBodyHash, type PlanDecision, type StoredPlan } from '../store/index.ts';
import { describePlanText } from './describe-plan.ts';
import type { McpContext } from './mcp-context.ts';

/** The person's side of the session: whether the client can ask them, and the asking. */
export interface Elicitor {
  supported: boolean;
  /** Who answers, for the audit trail: `person via <client name>`. */
  actor: string;
  ask(message: string, requestedSchema: ApprovalSchema): Promise<{ action: 'accept' | 'decline' | 'cancel'; content?: Record<string, unknown> | undefined }>;
}

export interface ApprovalSchema {
  type: 'object';
  properties: { approve: { type: 'boolean'; title: string; description: string; default: boolean } };
  required: string[];
}

const approvalSchema: ApprovalSchema = {
  type: 'object',
  properties: { approve: { type: 'boolean', title: 'Approve this plan', description: 'Tick to let b24chain send exactly this, once.', default: false } },
  required: ['approve'],
};

function refuse(plan: StoredPlan, code: string, what: string, hint: string): never {
  throw new RefusalError(`plan ${plan.id}: ${what}; nothing was sent (${code}).`, { code, hint, subject: `plan ${plan.id}` });
}

function approveCommand(context: McpContext, plan: StoredPlan): string {
  return formatShellCommand(['chain', 'approve', plan.id, ...context.approveArguments]);
}

function recordDecision(
  context: McpContext,
  plan: StoredPlan,
  decision: PlanDecision | undefined,
  outcome: 'ok' | 'refused',
  method: string,
  actor: string,
  errorCode?: string,
): void {
  context.audit.record({
    portal: plan.portal,
    method,
    outcome,
    risk: plan.risk,
    planId: plan.id,
    errorCode,
    actor: decision?.actor ?? actor,
    via: decision?.via ?? 'elicitation',
  });
}

export interface ObtainedApproval {
  decision: PlanDecision;
  /** True when the person was asked just now (time passed: check the records again). */
  askedNow: boolean;
}

/** Returns the approval the plan runs under, asking the person if it can; refuses otherwise. */
export async function obtainApproval(context: McpContext, plan: StoredPlan, elicitor: Elicitor): Promise<ObtainedApproval> {
  const state = context.approvals.stateOf(plan);
  if (state === 'executed') refuse(plan, 'PLAN_CONSUMED', 'already executed; a plan runs once', 'Make a new plan.');
  if (state === 'expired') refuse(plan, 'PLAN_EXPIRED', `expired at ${new Date(plan.expiresAt).toISOString()}`, 'Make a new plan.');
  if (state === 'rejected') refuse(plan, 'PLAN_REJECTED', 'a person rejected it', 'Do not retry it; ask the person what to change, then make a new plan.');
  const existing = context.approvals.decisionOf(plan.id);
  if (existing !== undefined) {
    if (existing.bodyHash !== planBodyHash(plan))
      refuse(plan, 'PLAN_CHANGED_SINCE_APPROVAL', 'it differs from the plan the person approved', 'Make a new plan and have it approved.');
    return { decision: existing, askedNow: false };
  }
  if (!elicitor.supported) {
    refuse(
      plan,
      'PLAN_NOT_APPROVED',
      'waiting for a person to approve it (this MCP client cannot ask them)',
      `Tell the person to review and approve it in a terminal: ${approveCommand(context, plan)} ; then call again with the same planId. plan_status shows where it stands.`,
    );
  }
  const message = `${describePlanText(plan, context.approvals.targetsOf(plan.id))}\nApprove to execute it once; decline to reject it.`;
  let answer: Awaited<ReturnType<Elicitor['ask']>>;
  try {
    answer = await elicitor.ask(message, approvalSchema);
  } catch {
    recordDecision(context, plan, undefined, 'refused', 'plan.approve', elicitor.actor, 'APPROVAL_UNAVAILABLE');
    refuse(
      plan,
      'APPROVAL_UNAVAILABLE',
      'the client did not answer the approval request',
      `It stays pending: the person can approve it in a terminal: ${approveCommand(context, plan)}`,
    );
  }
  if (answer.action === 'accept' && answer.content?.approve === true) {
    const decision = context.approvals.decide(plan, 'approved', elicitor.actor, 'elicitation');
    recordDecision(context, plan, decision, 'ok', 'plan.approve', elicitor.actor);
    return { decision, askedNow: true };
  }
  if (answer.action === 'decline' || answer.action === 'accept') {
    const decision = context.approvals.decide(plan, 'rejected', elicitor.actor, 'elicitation');
    recordDecision(context, plan, decision, 'ok', 'plan.reject', elicitor.actor);
    refuse(plan, 'PLAN_REJECTED', 'the person declined it', 'Do not retry it; ask the person what to change, then make a new plan.');
  }
  recordDecision(context, plan, undefined, 'refused', 'plan.approve', elicitor.actor, 'APPROVAL_CANCELLED');
  refuse(
    plan,
    'APPROVAL_CANCELLED',
    'the person closed the approval request without deciding',
    `It stays pending: call again to ask once more, or the person approves it in a terminal: ${approveCommand(context, plan)}`,
  );
}
