import type { Command } from 'commander';
import { parseInputAssignments, resolveChainInputs, validateChainFile } from '../../chain/index.ts';
import { planChain } from '../../runner/plan-chain.ts';
import { PlanStore } from '../../store/plan-store.ts';
import { ExitCode, reportExitCode } from '../exit-code.ts';
import { openRunnerConnection } from '../open-runner-connection.ts';
import { printRefusal } from '../print-refusal.ts';
import { formatChainFileProblem } from '../../errors/chain-file-error.ts';

interface PlanFlags {
  input: string[];
  emulator?: boolean;
  json?: boolean;
  db?: string;
  portal?: string;
  ttl: string;
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `chain plan FILE`: reads run, writes counted and sampled, nothing written; prints the plan id and the command. */
export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('Run the reads, count and sample the writes, store a plan; nothing is written')
    .argument('<file>', 'chain file (YAML)')
    .option('--input <name=value>', 'a chain input (repeatable)', (value: string, previous: string[]) => [...previous, value], [])
    .option('--ttl <minutes>', 'how long the plan stays valid', '30')
    .option('--emulator', 'plan against an in-process emulator with the demo seed')
    .option('--db <path>', 'state database (default: B24_DB or ./.b24chain/state.db)')
    .option('--portal <name>', 'named profile from the credentials file')
    .option('--json', 'JSON output')
    .action(async (file: string, flags: PlanFlags) => {
      const json = flags.json === true;
      try {
        const report = await validateChainFile(file);
        if (!report.valid || !report.chain) {
          for (const problem of report.problems) process.stderr.write(`${formatChainFileProblem(problem)}\n`);
          reportExitCode(ExitCode.refused);
          return;
        }
        const chain = report.chain;
        const inputs = resolveChainInputs(chain, parseInputAssignments(flags.input));
        const connection = await openRunnerConnection({ emulator: flags.emulator === true, env: process.env, dbFlag: flags.db, portal: flags.portal });
        try {
          const draft = await planChain({ chain, inputs, client: connection.client });
          const plan = new PlanStore(connection.database).createChainPlan({
            portal: connection.client.portalKey,
            chainHash: report.sha256,
            chainName: chain.name,
            inputs,
            packs: chain.packs,
            risk: draft.risk,
            counts: draft.counts.map(({ step, method, risk, count }) => ({ step, method, risk, count })),
            itemKeys: draft.itemKeys,
            ttlMs: Math.max(1, Number(flags.ttl) || 30) * 60_000,
          });
          const flagsNeeded = draft.risk === 'destructive' ? ' --confirm-write --confirm-destructive' : draft.risk === 'write' ? ' --confirm-write' : '';
          const inputFlags = flags.input.map((assignment) => ` --input ${shellQuote(assignment)}`).join('');
          const command = `chain run ${shellQuote(file)} --plan ${plan.id}${flagsNeeded}${inputFlags}`;
          if (json) {
            process.stdout.write(`${JSON.stringify({ planId: plan.id, expiresAt: new Date(plan.expiresAt).toISOString(), risk: draft.risk, rows: draft.rows, writes: draft.counts, items: Object.fromEntries(Object.entries(draft.itemKeys).map(([step, keys]) => [step, keys.length])), command })}\n`);
          } else {
            const lines = [`Plan ${plan.id} for ${chain.name} (valid until ${new Date(plan.expiresAt).toISOString()}), ${draft.rows} rows read:`];
            if (draft.counts.length === 0) lines.push('  no writes');
            for (const entry of draft.counts) {
              lines.push(`  ${entry.step}: ${entry.count} × ${entry.method} (${entry.risk})`);
              for (const sample of entry.samples) lines.push(`    e.g.${sample.itemKey ? ` item ${sample.itemKey}:` : ''} ${JSON.stringify(sample.params)}`);
            }
            lines.push(`Execute it with:\n  ${command}`);
            process.stdout.write(`${lines.join('\n')}\n`);
          }
        } finally {
          await connection.close();
        }
      } catch (error) {
        if (!printRefusal(error, json)) throw error;
      }
    });
}
