/**
 * `chain approve PLAN_ID` and `chain reject PLAN_ID` (DESIGN.md §12): a person decides on a plan an
 * agent made, in a terminal. The plan is shown, then the person confirms on the TTY. Without a TTY the
 * command refuses unless the person typed `--yes` (scripts, tests). The MCP server runs no command,
 * so the model cannot run this; its decision is recorded with the OS user and audited.
 */
import { hostname, userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { RefusalError } from '../../errors/index.ts';
import { describePlanStatus, describePlanText } from '../../mcp/index.ts';
import { ApprovalStore, AuditStore, openStateDatabase, PlanStore, resolveStatePath, type PlanDecisionKind } from '../../store/index.ts';
import { ExitCode, returnsExitCode } from '../exit-code.ts';
import { printRefusalOrThrow } from '../print-refusal.ts';
import { STATE_DATABASE_FLAG, STATE_DATABASE_HELP } from '../state-database-option.ts';

interface DecideFlags {
  yes?: boolean;
  json?: boolean;
  db?: string;
}

function actorName(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? 'unknown';
  }
  return `${user}@${hostname()}`;
}

async function confirmOnTerminal(question: string): Promise<boolean> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await terminal.question(question);
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    terminal.close();
  }
}

async function decideAction(decision: PlanDecisionKind, planId: string, flags: DecideFlags): Promise<number> {
  const verb = decision === 'approved' ? 'approve' : 'reject';
  const database = openStateDatabase(resolveStatePath({ flag: flags.db, env: process.env.B24_DB, databaseUrl: process.env.B24_DATABASE_URL }));
  try {
    const plans = new PlanStore(database);
    const approvals = new ApprovalStore(database);
    const plan = plans.find(planId.trim());
    if (plan === undefined) {
      throw new RefusalError(`plan ${planId}: no such plan in this state database (PLAN_NOT_FOUND).`, {
        code: 'PLAN_NOT_FOUND',
        hint: 'Check the id and --db (the agent was given the exact command).',
        subject: `plan ${planId}`,
      });
    }
    process.stderr.write(`${describePlanText(plan, approvals.targetsOf(plan.id))}\nState: ${approvals.stateOf(plan)}.\n`);
    if (flags.yes !== true) {
      if (!process.stdin.isTTY) {
        throw new RefusalError(
          `plan ${plan.id}: chain ${verb} asks a person on a terminal, and stdin is not one; nothing was decided (APPROVAL_NEEDS_TERMINAL).`,
          {
            code: 'APPROVAL_NEEDS_TERMINAL',
            hint: `Run it in a terminal, or type --yes yourself to ${verb} without the question.`,
            subject: `plan ${plan.id}`,
          },
        );
      }
      const confirmed = await confirmOnTerminal(`${decision === 'approved' ? 'Approve' : 'Reject'} plan ${plan.id}? [y/N] `);
      if (!confirmed) {
        process.stderr.write('Nothing decided; the plan stays as it was.\n');
        return ExitCode.refused;
      }
    }
    const recorded = approvals.decide(plan, decision, actorName(), 'terminal');
    new AuditStore(database).record({
      portal: plan.portal,
      method: `plan.${verb}`,
      outcome: 'ok',
      risk: plan.risk,
      planId: plan.id,
      actor: recorded.actor,
      via: 'terminal',
    });
    if (flags.json === true) process.stdout.write(`${JSON.stringify(describePlanStatus(plan, approvals))}\n`);
    else process.stdout.write(`Plan ${plan.id} ${decision} by ${recorded.actor}.${decision === 'approved' ? ' The agent can execute it now, once.' : ''}\n`);
    return ExitCode.ok;
  } finally {
    database.close();
  }
}

function register(program: Command, decision: PlanDecisionKind, name: string, description: string): void {
  program
    .command(name)
    .description(description)
    .argument('<planId>', 'the plan id the agent reported')
    .option('--yes', `${name} without the question (a person types it; for scripts and tests)`)
    .option('--json', 'print the plan status as JSON')
    .option(STATE_DATABASE_FLAG, STATE_DATABASE_HELP)
    .action(
      returnsExitCode(async (planId: string, flags: DecideFlags) => {
        try {
          return await decideAction(decision, planId, flags);
        } catch (error) {
          return printRefusalOrThrow(error, flags.json === true);
        }
      }),
    );
}

/** Registers `chain approve` and `chain reject`. */
export function registerApproveCommands(program: Command): void {
  register(program, 'approved', 'approve', 'Approve a plan an agent made (shows it, asks on the terminal): the agent may then execute it once');
  register(program, 'rejected', 'reject', 'Reject a plan an agent made: it will never run');
}
