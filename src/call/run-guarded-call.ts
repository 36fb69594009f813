/**
 * `chain call`, the guarded single call (DESIGN.md §6, issue 5). In order, and all before any request:
 * the flags, the plan (exists, this portal, not used, not expired; with the packs it was made with),
 * the packs and allowlist (every batch command), the risk class and its confirmation flags,
 * `--require-plan`, then the idempotency key. Only then is the plan consumed and the call sent, once.
 * One audit row per call and per refusal. Returns the outcome; throws only what it cannot type.
 */
import { randomUUID } from 'node:crypto';
import { isB24ChainError } from '../errors/index.ts';
import { isConnectionConfigError } from '../errors/index.ts';
import { isInvalidRequestError } from '../errors/index.ts';
import { RefusalError, isRefusalError } from '../errors/index.ts';
import { classifyMethodRisk, highestRisk } from '../protocol/index.ts';
import type { CallPlan, StateStores } from '../store/index.ts';
import { systemClock, type Clock } from '../util/index.ts';
import type { PortalClient } from '../client/index.ts';
import type { CallOutcome } from './call-outcome.ts';
import { buildOutcome, recordAudit, type CallState } from './call-state.ts';
import { requiredConfirmations, checkConfirmations } from './check-confirmations.ts';
import { checkMethodAccess, type MethodAccess } from './check-method-access.ts';
import { checkPlanAccess } from './check-plan-access.ts';
import { executePlanArguments, formatShellCommand, type ExecuteCommandOptions } from './format-execute-command.ts';
import { resolveCallRequest, type GuardedCallRequest, type ResolvedCallRequest } from './resolve-call-request.ts';
import { sendPreparedCall, type SendContext } from './send-prepared-call.ts';

export interface GuardedCallContext {
  client: PortalClient;
  stores: Pick<StateStores, 'plans' | 'idempotency' | 'audit'>;
  clock?: Clock;
  /** Time to live of plans made with `--plan-only` (default 30 min, the store's). */
  planTtlMs?: number;
  /** How long to wait for an idempotency key another caller is sending (default 10 s). */
  inFlightWaitMs?: number;
  inFlightPollMs?: number;
  /** How the printed execute command starts and what it repeats (`--db PATH`). */
  executeCommand?: Pick<ExecuteCommandOptions, 'program' | 'extraArguments'>;
  newRequestId?: () => string;
  signal?: AbortSignal;
}

function accessOf(request: ResolvedCallRequest): MethodAccess {
  return { packs: request.packs, allowlist: request.allowlist, allowUnlisted: request.allowUnlisted };
}

function planCommand(plan: CallPlan, request: ResolvedCallRequest, context: GuardedCallContext): string[] {
  return executePlanArguments(plan, { ...context.executeCommand, idempotencyKey: request.idempotencyKey, idempotencyDisabled: !request.idempotency });
}

function makePlan(request: ResolvedCallRequest, state: CallState, context: GuardedCallContext): CallOutcome {
  const risk = state.risk ?? 'write';
  const plan = context.stores.plans.createCallPlan({
    portal: state.portal,
    method: request.method,
    params: request.params,
    packs: request.packs,
    allowlist: request.allowlist,
    allowUnlisted: request.allowUnlisted,
    risk,
    ttlMs: context.planTtlMs,
  });
  state.planId = plan.id;
  const argv = planCommand(plan, request, context);
  const command = formatShellCommand(argv);
  state.notices.push(`Nothing was sent. Review the plan, then execute it once, on this portal, before ${new Date(plan.expiresAt).toISOString()}: ${command}`);
  return buildOutcome(state, 'planned', {
    plan: {
      id: plan.id,
      expiresAt: new Date(plan.expiresAt).toISOString(),
      risk,
      command,
      argv,
      confirmations: requiredConfirmations(request.method, request.params),
    },
  });
}

function refusePlanRequired(method: string): never {
  throw new RefusalError(`${method}: --require-plan (B24_REQUIRE_PLAN) is on and this call writes; nothing was sent (PLAN_REQUIRED).`, {
    code: 'PLAN_REQUIRED',
    hint: 'Run the same command with --plan-only, review the plan, then run the command it prints (chain call --execute-plan ID ...).',
    subject: method,
  });
}

async function runResolved(request: ResolvedCallRequest, state: CallState, context: GuardedCallContext, send: SendContext): Promise<CallOutcome> {
  const { client, stores } = context;
  if (request.mode === 'execute-plan') {
    const planId = request.executePlanId ?? '';
    const plan = stores.plans.check(planId, client.portalKey, 'call') as CallPlan;
    Object.assign(state, { method: plan.body.method, params: plan.body.params, packs: [...plan.body.packs], risk: plan.risk });
    const command = formatShellCommand(planCommand(plan, request, context));
    checkPlanAccess(plan, accessOf(request), command);
    checkMethodAccess(plan.body.method, plan.body.params, { packs: plan.body.packs, allowlist: plan.body.allowlist, allowUnlisted: plan.body.allowUnlisted });
    const risk = highestRisk(plan.risk, classifyMethodRisk(plan.body.method, plan.body.params));
    state.risk = risk;
    const until = new Date(plan.expiresAt).toISOString();
    checkConfirmations(
      plan.body.method,
      plan.body.params,
      request,
      `The plan was not used and stays valid until ${until}: run chain call --execute-plan ${plan.id} again`,
    );
    return sendPreparedCall(
      { method: plan.body.method, params: plan.body.params, risk, plan, explicitKey: request.idempotencyKey, idempotency: request.idempotency },
      state,
      send,
    );
  }
  checkMethodAccess(request.method, request.params, accessOf(request));
  const risk = classifyMethodRisk(request.method, request.params);
  state.risk = risk;
  if (request.mode === 'plan-only') return makePlan(request, state, context);
  if (request.requirePlan && risk !== 'read') refusePlanRequired(request.method);
  checkConfirmations(
    request.method,
    request.params,
    request,
    'Review it first if you like (--plan-only stores a plan and sends nothing), then run the same command',
  );
  return sendPreparedCall(
    { method: request.method, params: request.params, risk, explicitKey: request.idempotencyKey, idempotency: request.idempotency },
    state,
    send,
  );
}

/** Whether an error means "refused before sending / bad input" (exit 2) rather than a portal or network failure. */
function isRefusal(error: unknown): boolean {
  return isRefusalError(error) || isInvalidRequestError(error) || isConnectionConfigError(error);
}

/** Runs one guarded call end to end and returns what happened (see `CallOutcome`). */
export async function runGuardedCall(request: GuardedCallRequest, context: GuardedCallContext): Promise<CallOutcome> {
  const clock = context.clock ?? systemClock;
  const state: CallState = {
    requestId: (context.newRequestId ?? randomUUID)(),
    portal: context.client.portalKey,
    method: request.method?.trim() ?? '',
    params: {},
    packs: [],
    risk: null,
    planId: request.executePlanId?.trim() || null,
    idempotency: { key: null, source: null, replayed: false, enabled: request.idempotency !== false },
    durationMs: null,
    notices: [],
    audit: request.audit !== false,
  };
  const send: SendContext = {
    client: context.client,
    stores: context.stores,
    clock,
    inFlightWaitMs: context.inFlightWaitMs,
    inFlightPollMs: context.inFlightPollMs,
    signal: context.signal,
  };
  let outcome: CallOutcome;
  try {
    const resolved = resolveCallRequest(request);
    Object.assign(state, { params: resolved.params, packs: [...resolved.packs] });
    outcome = await runResolved(resolved, state, context, send);
    if (outcome.status === 'planned') return outcome;
  } catch (error) {
    if (!isB24ChainError(error)) {
      recordAudit(context.stores.audit, state, buildOutcome(state, 'failed', { errors: [{ name: 'Error', code: 'UNEXPECTED', message: 'unexpected error' }] }));
      throw error;
    }
    outcome = buildOutcome(state, isRefusal(error) ? 'refused' : 'failed', { errors: [error.toJSON()] });
  }
  recordAudit(context.stores.audit, state, outcome);
  return outcome;
}
