/** `chain_status` (runs and their progress) and `plan_status` (pending, approved, rejected, expired, executed). */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { RefusalError } from '../errors/index.ts';
import { describeRun } from '../runner/index.ts';
import { SqliteLeaseStore } from '../store/index.ts';
import { describePlanStatus } from './describe-plan.ts';
import type { McpContext } from './mcp-context.ts';
import { runTool } from './run-tool.ts';
import { clientNameOf } from './session-elicitor.ts';

const readOnlyLocal = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

/** The runs of this server's portal, newest first, as `chain status --json` describes them. */
export function describeRuns(context: McpContext, runId?: string): Array<Record<string, unknown>> {
  const leases = new SqliteLeaseStore(context.database);
  const runs = runId === undefined ? context.runs.listRuns(20) : [context.runs.getRun(runId)].filter((run) => run !== undefined);
  return runs.filter((run) => run.portal === context.client.portalKey).map((run) => ({ ...describeRun(context.runs, leases, run) }));
}

export function registerStatusTools(server: McpServer, context: McpContext): void {
  server.registerTool(
    'chain_status',
    {
      title: 'Show runs',
      description: 'Runs on this portal (or one run): live or interrupted, items per step, list cursors, writes of unknown outcome, last error.',
      inputSchema: { runId: z.string().optional() },
      outputSchema: { runs: z.array(z.record(z.string(), z.unknown())) },
      annotations: readOnlyLocal,
    },
    async (args) =>
      runTool(context, { tool: 'chain_status', arguments: args, clientName: clientNameOf(server) }, async () => {
        const runs = describeRuns(context, args.runId);
        if (args.runId !== undefined && runs.length === 0) {
          throw new RefusalError(`run ${args.runId}: no such run on this portal (RUN_NOT_FOUND).`, {
            code: 'RUN_NOT_FOUND',
            hint: 'chain_status without runId lists the runs.',
            subject: `run ${args.runId}`,
          });
        }
        return { structured: { runs }, summary: runs.map((run) => `${String(run.runId)} ${String(run.status)}`).join('\n') || 'No runs yet.' };
      }),
  );

  server.registerTool(
    'plan_status',
    {
      title: 'Show a plan',
      description: 'Where a plan stands: pending (waiting for a person), approved, rejected, expired or executed; who decided and how.',
      inputSchema: { planId: z.string() },
      outputSchema: {
        planId: z.string(),
        state: z.enum(['pending', 'approved', 'rejected', 'expired', 'executed']),
        kind: z.enum(['call', 'chain']),
        risk: z.enum(['read', 'write', 'destructive']),
        expiresAt: z.string(),
        decision: z.object({ decision: z.string(), by: z.string(), via: z.string(), at: z.string() }).nullable(),
      },
      annotations: readOnlyLocal,
    },
    async (args) =>
      runTool(context, { tool: 'plan_status', arguments: args, clientName: clientNameOf(server) }, async () => {
        const plan = context.plans.find(args.planId);
        if (plan === undefined || plan.portal !== context.client.portalKey) {
          throw new RefusalError(`plan ${args.planId}: no such plan for this portal (PLAN_NOT_FOUND).`, {
            code: 'PLAN_NOT_FOUND',
            hint: 'Check the id.',
            subject: `plan ${args.planId}`,
          });
        }
        const status = describePlanStatus(plan, context.approvals);
        return { structured: status, summary: `Plan ${plan.id}: ${String(status.state)}.`, planId: plan.id, risk: plan.risk };
      }),
  );
}
