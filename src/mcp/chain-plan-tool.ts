/**
 * `chain_plan`: runs a library chain's reads, counts and samples its writes, and stores a plan bound
 * to the portal, the chain file's hash and the inputs, with a time to live. Sends no write. The
 * records its update and delete samples name are read now, for the stale check at execution.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { formatShellCommand, checkMethodAccess } from '../call/index.ts';
import { listChainMethods, resolveChainInputs, maskSecretInputs } from '../chain/index.ts';
import { planChain } from '../runner/index.ts';
import { loadLibraryChain } from './chain-library.ts';
import { findPlanTargets, type TargetReader } from './find-plan-targets.ts';
import type { McpContext } from './mcp-context.ts';
import { capturePlanTargets } from './read-plan-targets.ts';
import { runTool } from './run-tool.ts';
import { clientNameOf } from './session-elicitor.ts';

const risk = z.enum(['read', 'write', 'destructive']);

export function registerChainPlanTool(server: McpServer, context: McpContext): void {
  server.registerTool(
    'chain_plan',
    {
      title: 'Plan a chain run',
      description:
        "Run a library chain's reads and count its writes (with samples); nothing is written. Returns a plan id, valid 30 minutes, bound to this portal, the chain file and these inputs. A plan that writes runs (chain_run) only after a person approves it.",
      inputSchema: {
        chain: z.string().describe('Library name, e.g. core/lead-intake (chain_list)'),
        inputs: z.record(z.string(), z.unknown()).optional().describe('Chain inputs by name'),
      },
      outputSchema: {
        planId: z.string(),
        chain: z.string(),
        risk,
        expiresAt: z.string(),
        rows: z.number(),
        writes: z.array(z.object({ step: z.string(), method: z.string(), risk, count: z.number(), samples: z.array(z.unknown()) })),
        needsApproval: z.boolean(),
        approveCommand: z.string(),
        targets: z.array(z.string()),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args, extra) =>
      runTool(context, { tool: 'chain_plan', arguments: args, clientName: clientNameOf(server) }, async () => {
        const { entry, report } = await loadLibraryChain(context.chainDirectories, args.chain);
        const chain = report.chain;
        for (const use of listChainMethods(chain))
          checkMethodAccess(use.method, {}, { packs: context.packs, allowlist: context.allowlist, allowUnlisted: false });
        const inputs = resolveChainInputs(chain, args.inputs ?? {});
        const readers: TargetReader[] = [];
        const draft = await planChain({
          chain,
          inputs,
          client: context.client,
          signal: extra.signal,
          onWrite: (write) => readers.push(...findPlanTargets(write.method, (write.params ?? {}) as Record<string, unknown>)),
        });
        // The records its updates and deletes name are read before the plan is stored: no plan without them.
        const targets = await capturePlanTargets(context.client, readers, extra.signal);
        const plan = context.plans.createChainPlan({
          portal: context.client.portalKey,
          chainHash: report.sha256,
          chainName: chain.name,
          inputs: maskSecretInputs(chain, inputs),
          packs: chain.packs,
          risk: draft.risk,
          counts: draft.counts.map(({ step, method, risk: stepRisk, count }) => ({ step, method, risk: stepRisk, count })),
          itemKeys: draft.itemKeys,
          ttlMs: context.planTtlMs,
        });
        context.approvals.saveTargets(plan.id, targets);
        context.audit.record({
          portal: plan.portal,
          method: 'plan.create',
          outcome: 'ok',
          risk: plan.risk,
          planId: plan.id,
          params: maskSecretInputs(chain, inputs),
          packs: chain.packs,
          actor: clientNameOf(server),
          via: 'mcp',
        });
        const approveCommand = formatShellCommand(['chain', 'approve', plan.id, ...context.approveArguments]);
        const needsApproval = plan.risk !== 'read';
        return {
          structured: {
            planId: plan.id,
            chain: entry.name,
            risk: plan.risk,
            expiresAt: new Date(plan.expiresAt).toISOString(),
            rows: draft.rows,
            writes: draft.counts,
            needsApproval,
            approveCommand,
            targets: targets.map((target) => target.target),
          },
          summary: needsApproval
            ? `Plan ${plan.id}: ${draft.counts.map((count) => `${count.count} × ${count.method}`).join(', ')}; nothing was written. Run it with chain_run (the person is asked to approve, or runs: ${approveCommand}).`
            : `Plan ${plan.id}: reads only; run it with chain_run.`,
          planId: plan.id,
          risk: plan.risk,
        };
      }),
  );
}
