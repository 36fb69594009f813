/**
 * `bitrix_call`: one method within the server's packs and allowlist. A read runs and returns one page
 * (`next` is the cursor to pass back). A write never runs from its own arguments: it becomes a plan (what
 * would be sent, its risk, the plan id); with a `planId`, an approved plan executes once.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { checkMethodAccess, runGuardedCall, type CallOutcome } from '../call/index.ts';
import { RefusalError } from '../errors/index.ts';
import { classifyMethodRisk } from '../protocol/index.ts';
import { executeCallPlan } from './execute-call-plan.ts';
import { findPlanTargets } from './find-plan-targets.ts';
import type { McpContext } from './mcp-context.ts';
import { capturePlanTargets } from './read-plan-targets.ts';
import { refuseReadOnly } from './refuse-read-only.ts';
import { runTool, type ToolSuccess } from './run-tool.ts';
import { clientNameOf, sessionElicitor } from './session-elicitor.ts';
import { formatShellCommand } from '../call/index.ts';
import type { Elicitor } from './obtain-approval.ts';

const maximumRows = 50;

const inputSchema = {
  method: z.string().optional().describe('Bitrix24 method, e.g. crm.lead.list (omit with planId)'),
  params: z.record(z.string(), z.unknown()).optional().describe('The method parameters (default {})'),
  cursor: z.number().int().nonnegative().optional().describe('For list methods: the `next` of the previous page'),
  planId: z.string().optional().describe('Execute this approved plan (made by an earlier write); method and params come from the plan'),
};

const outputSchema = {
  status: z.enum(['ok', 'replayed', 'partial', 'failed', 'pending_approval']),
  method: z.string(),
  risk: z.enum(['read', 'write', 'destructive']).nullable(),
  result: z.unknown().optional(),
  total: z.number().optional(),
  next: z.number().optional().describe('Pass as cursor to read the next page'),
  truncated: z.boolean().optional(),
  planId: z.string().nullable(),
  plan: z
    .object({
      id: z.string(),
      risk: z.enum(['read', 'write', 'destructive']),
      expiresAt: z.string(),
      summary: z.string(),
      approveCommand: z.string(),
      targets: z.array(z.string()),
    })
    .optional(),
  errors: z.array(z.record(z.string(), z.unknown())).optional(),
};

function bounded(result: unknown): { result: unknown; truncated: boolean } {
  if (Array.isArray(result) && result.length > maximumRows) return { result: result.slice(0, maximumRows), truncated: true };
  return { result, truncated: false };
}

function fromOutcome(outcome: CallOutcome): ToolSuccess {
  if (outcome.status === 'refused') {
    const first = outcome.errors[0] ?? {};
    throw new RefusalError(String(first.message ?? 'refused'), {
      code: String(first.code ?? 'REFUSED'),
      hint: String(first.hint ?? ''),
      subject: String(first.subject ?? outcome.method ?? ''),
    });
  }
  const { result, truncated } = bounded(outcome.result);
  const status = outcome.status === 'planned' ? 'ok' : outcome.status;
  const structured: Record<string, unknown> = {
    status,
    method: outcome.method ?? '',
    risk: outcome.risk,
    ...(outcome.result === undefined ? {} : { result }),
    ...(outcome.total === undefined ? {} : { total: outcome.total }),
    ...(outcome.next === undefined ? {} : { next: outcome.next }),
    ...(truncated ? { truncated } : {}),
    planId: outcome.planId,
    ...(outcome.errors.length === 0 ? {} : { errors: outcome.errors }),
  };
  const failed = outcome.status === 'failed' || outcome.status === 'partial';
  const firstCode = outcome.errors[0]?.code;
  return {
    structured,
    summary: `${outcome.method ?? ''}: ${outcome.status}${outcome.next === undefined ? '' : `, more rows: pass cursor ${outcome.next}`}`,
    planId: outcome.planId ?? undefined,
    risk: outcome.risk ?? undefined,
    ...(failed ? { outcome: 'error' as const, errorCode: typeof firstCode === 'string' ? firstCode : undefined, isError: true } : {}),
  };
}

async function planWrite(context: McpContext, method: string, params: Record<string, unknown>, elicitor: Elicitor, signal: AbortSignal): Promise<ToolSuccess> {
  if (context.readOnly) refuseReadOnly(method);
  // The records it changes are read first: a plan whose targets could not be read is never stored.
  checkMethodAccess(method, params, { packs: context.packs, allowlist: context.allowlist, allowUnlisted: false });
  const targets = await capturePlanTargets(context.client, findPlanTargets(method, params), signal);
  const planned = await runGuardedCall(
    { method, paramsText: JSON.stringify(params), packsText: context.packsText, allowlistText: context.allowlistText, planOnly: true },
    { client: context.client, stores: context, clock: context.clock, ...(context.planTtlMs === undefined ? {} : { planTtlMs: context.planTtlMs }), signal },
  );
  if (planned.status !== 'planned' || planned.plan === undefined) return fromOutcome(planned);
  const plan = planned.plan;
  context.approvals.saveTargets(plan.id, targets);
  context.audit.record({
    portal: context.client.portalKey,
    method: 'plan.create',
    outcome: 'ok',
    risk: plan.risk,
    planId: plan.id,
    params,
    packs: context.packs,
    actor: elicitor.actor.replace(/^person via /, ''),
    via: 'mcp',
  });
  if (elicitor.supported) return fromOutcome(await executeCallPlan(context, plan.id, elicitor, signal));
  const approveCommand = formatShellCommand(['chain', 'approve', plan.id, ...context.approveArguments]);
  return {
    structured: {
      status: 'pending_approval',
      method,
      risk: plan.risk,
      planId: plan.id,
      plan: {
        id: plan.id,
        risk: plan.risk,
        expiresAt: plan.expiresAt,
        summary: `${method} (${plan.risk}), sent once after approval`,
        approveCommand,
        targets: targets.map((target) => target.target),
      },
    },
    summary: `Nothing was sent. ${method} is a ${plan.risk}: plan ${plan.id} waits for a person to approve it (${approveCommand}). Then call bitrix_call with planId "${plan.id}".`,
    planId: plan.id,
    risk: plan.risk,
  };
}

export function registerBitrixCallTool(server: McpServer, context: McpContext): void {
  server.registerTool(
    'bitrix_call',
    {
      title: 'Call one Bitrix24 method',
      description: context.readOnly
        ? 'Call one Bitrix24 read method within the server packs and allowlist; lists return one page and a `next` cursor. This server is read-only: writes are refused.'
        : 'Call one Bitrix24 method within the server packs and allowlist. Reads run and return one page (pass `next` back as cursor). A write is never sent from these arguments: it returns a plan that a person must approve (the client asks them, or they run `chain approve PLAN_ID`); then call again with planId to execute it once.',
      inputSchema,
      outputSchema,
      annotations: context.readOnly
        ? { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true }
        : { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    async (args, extra) =>
      runTool(context, { tool: 'bitrix_call', arguments: args, clientName: clientNameOf(server) }, async () => {
        const elicitor = sessionElicitor(server, extra.requestId);
        if (args.planId !== undefined) {
          if (args.method !== undefined || args.params !== undefined) {
            throw new RefusalError("bitrix_call: planId runs the plan's own method and params; method or params were given too (CALL_ARGUMENTS_CONFLICT).", {
              code: 'CALL_ARGUMENTS_CONFLICT',
              hint: 'Pass planId alone.',
              subject: 'bitrix_call',
            });
          }
          return fromOutcome(await executeCallPlan(context, args.planId, elicitor, extra.signal));
        }
        const method = args.method?.trim() ?? '';
        if (method === '')
          throw new RefusalError('bitrix_call: no method given (METHOD_MISSING).', {
            code: 'METHOD_MISSING',
            hint: 'Name one, e.g. crm.lead.list, or pass planId.',
            subject: 'bitrix_call',
          });
        const params = { ...(args.params ?? {}), ...(args.cursor === undefined ? {} : { start: args.cursor }) };
        if (classifyMethodRisk(method, params) !== 'read') return planWrite(context, method, params, elicitor, extra.signal);
        return fromOutcome(
          await runGuardedCall(
            { method, paramsText: JSON.stringify(params), packsText: context.packsText, allowlistText: context.allowlistText },
            { client: context.client, stores: context, clock: context.clock, signal: extra.signal },
          ),
        );
      }),
  );
}
