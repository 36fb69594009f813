/**
 * `chain_run` (a chain plan, once, after a person approved it) and `chain_resume` (an interrupted run,
 * only within the items of its approved plan). Both check every gate before the first request.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { checkMethodAccess } from '../call/index.ts';
import { listChainMethods, validateChainFile, restoreSecretInputs } from '../chain/index.ts';
import type { ChainDefinition } from '../chain/index.ts';
import { RefusalError } from '../errors/index.ts';
import { loadChainPlan } from '../runner/index.ts';
import { runChain, runExitCode, type RunOutcome } from '../runner/index.ts';
import { canonicalChainPath } from '../runner/index.ts';
import type { ChainPlan } from '../store/index.ts';
import { loadLibraryChain } from './chain-library.ts';
import type { McpContext } from './mcp-context.ts';
import { obtainApproval } from './obtain-approval.ts';
import { checkPlanTargets } from './read-plan-targets.ts';
import { runTool, type ToolSuccess } from './run-tool.ts';
import { clientNameOf, sessionElicitor } from './session-elicitor.ts';

const runOutput = {
  runId: z.string(),
  status: z.string(),
  exitCode: z.number(),
  rows: z.number(),
  items: z.record(z.string(), z.number()),
  steps: z.record(z.string(), z.object({ status: z.string(), count: z.number().optional() })),
  planId: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).passthrough().optional(),
};

const writes = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true } as const;

function refuse(subject: string, code: string, what: string, hint: string): never {
  throw new RefusalError(`${subject}: ${what}; nothing was sent (${code}).`, { code, hint, subject });
}

/** A chain runs only when every method it uses is within the server's packs and allowlist. */
function checkChainAccess(context: McpContext, chain: ChainDefinition): void {
  for (const use of listChainMethods(chain)) checkMethodAccess(use.method, {}, { packs: context.packs, allowlist: context.allowlist, allowUnlisted: false });
}

function toSuccess(outcome: RunOutcome): ToolSuccess {
  const exitCode = runExitCode(outcome);
  return {
    structured: {
      runId: outcome.run.id,
      status: outcome.status,
      exitCode,
      rows: outcome.rows,
      items: outcome.items,
      steps: outcome.steps,
      planId: outcome.run.planId,
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
    },
    summary: `Run ${outcome.run.id}: ${outcome.status}${outcome.error ? ` (${outcome.error.code}: ${outcome.error.message})` : ''}${outcome.status === 'interrupted' ? '; chain_resume continues it' : ''}.`,
    planId: outcome.run.planId ?? undefined,
    ...(exitCode === 0 ? {} : { outcome: exitCode === 2 ? ('refused' as const) : ('error' as const), errorCode: outcome.error?.code, isError: exitCode !== 3 }),
  };
}

export function registerChainRunTools(server: McpServer, context: McpContext): void {
  server.registerTool(
    'chain_run',
    {
      title: 'Run a planned chain',
      description:
        'Execute a chain plan (chain_plan) once. A plan that writes runs only after a person approved it: the client asks them now if it can, or they run `chain approve PLAN_ID` in a terminal first. Refused when the plan expired, ran already, was rejected, or the records it changes moved since planning.',
      inputSchema: { chain: z.string().describe('The library name the plan was made for'), planId: z.string() },
      outputSchema: runOutput,
      annotations: writes,
    },
    async (args, extra) =>
      runTool(context, { tool: 'chain_run', arguments: args, clientName: clientNameOf(server) }, async () => {
        const plan = context.plans.check(args.planId, context.client.portalKey, 'chain') as ChainPlan;
        const { entry, report } = await loadLibraryChain(context.chainDirectories, args.chain);
        checkChainAccess(context, report.chain);
        if (plan.body.chainHash !== report.sha256)
          refuse(
            `plan ${plan.id}`,
            'PLAN_CHAIN_CHANGED',
            `made for another chain file or version (${plan.body.chainName})`,
            'Make a new plan with chain_plan.',
          );
        const targets = context.approvals.targetsOf(plan.id);
        await checkPlanTargets(plan.id, context.client, targets, extra.signal);
        if (plan.risk !== 'read') {
          const approval = await obtainApproval(context, plan, sessionElicitor(server, extra.requestId));
          if (approval.askedNow) await checkPlanTargets(plan.id, context.client, targets, extra.signal);
        }
        const chain = report.chain;
        const bound = loadChainPlan(context.database, plan.id, {
          portal: context.client.portalKey,
          sha256: report.sha256,
          inputs: plan.body.inputs,
          forEachStepIds: chain.steps.filter((step) => step.kind === 'for_each').map((step) => step.id),
        });
        const outcome = await runChain({
          chain,
          chainPath: canonicalChainPath(entry.path),
          chainSha256: report.sha256,
          summary: report.summary,
          inputs: restoreSecretInputs(chain, plan.body.inputs, process.env),
          client: context.client,
          store: context.runs,
          confirmWrite: true,
          confirmDestructive: true,
          stopSignal: extra.signal,
          plannedKeys: bound.keys,
          planId: plan.id,
          resumeFlags: [...context.approveArguments],
        });
        return toSuccess(outcome);
      }),
  );

  server.registerTool(
    'chain_resume',
    {
      title: 'Resume an interrupted run',
      description:
        'Continue an interrupted run where it stopped. A run that writes resumes only under its approved plan, and writes only the items that plan counted.',
      inputSchema: { runId: z.string() },
      outputSchema: runOutput,
      annotations: writes,
    },
    async (args, extra) =>
      runTool(context, { tool: 'chain_resume', arguments: args, clientName: clientNameOf(server) }, async () => {
        const subject = `run ${args.runId}`;
        const run = context.runs.getRun(args.runId);
        if (run === undefined) refuse(subject, 'RUN_NOT_FOUND', 'no such run in this state database', 'chain_status lists the runs.');
        if (run.portal !== context.client.portalKey)
          refuse(subject, 'PORTAL_MISMATCH', 'it belongs to another portal', 'Resume it from a server connected to that portal.');
        const report = await validateChainFile(run.chainPath);
        if (!report.valid || report.chain === undefined || report.sha256 !== run.chainSha256)
          refuse(subject, 'CHAIN_CHANGED', 'the chain file changed or is invalid since the run started', 'Restore the file, or plan a new run.');
        const chain = report.chain;
        checkChainAccess(context, chain);
        const writesAnything = report.summary.writes.length + report.summary.destructive.length > 0;
        let plannedKeys: Map<string, Set<string>> | undefined;
        if (writesAnything) {
          const plan = run.planId === null ? undefined : context.plans.find(run.planId);
          if (plan === undefined || context.approvals.decisionOf(plan.id)?.decision !== 'approved') {
            refuse(
              subject,
              'RESUME_NEEDS_APPROVED_PLAN',
              'this run writes and was not started from an approved plan',
              `Resume it in a terminal (chain resume ${run.id} --confirm-write), or plan a new run with chain_plan.`,
            );
          }
          plannedKeys = new Map(
            chain.steps.filter((step) => step.kind === 'for_each').map((step) => [step.id, new Set(context.plans.plannedItemKeys(plan.id, step.id))]),
          );
        }
        const outcome = await runChain({
          chain,
          chainPath: run.chainPath,
          chainSha256: run.chainSha256,
          summary: report.summary,
          inputs: restoreSecretInputs(chain, run.inputs, process.env),
          client: context.client,
          store: context.runs,
          confirmWrite: writesAnything,
          confirmDestructive: report.summary.destructive.length > 0,
          stopSignal: extra.signal,
          resume: run,
          ...(plannedKeys === undefined ? {} : { plannedKeys, planId: run.planId }),
          resumeFlags: [...context.approveArguments],
        });
        return toSuccess(outcome);
      }),
  );
}
