import type { Command } from 'commander';
import { parseInputAssignments, resolveChainInputs, validateChainFile, maskSecretInputs, secretInputVariable } from '../../chain/index.ts';
import { planChain } from '../../runner/index.ts';
import { PlanStore } from '../../store/index.ts';
import { openRunnerConnection } from '../open-runner-connection.ts';
import { numberOption } from '../parse-option-values.ts';
import { ExitCode, returnsExitCode } from '../exit-code.ts';
import { printChainProblems, printRefusalOrThrow } from '../print-refusal.ts';
import { STATE_DATABASE_FLAG, STATE_DATABASE_HELP } from '../state-database-option.ts';

interface PlanFlags {
  input: string[];
  emulator?: boolean;
  json?: boolean;
  db?: string;
  portal?: string;
  ttl: number;
}

/** A plan made against `--emulator` names an emulator that ends with this process: no later run can execute it. */
const emulatorPlanNotice =
  'This plan was made against the in-process emulator (--emulator), which ended with this command, so no later run can execute it. ' +
  'To rehearse plan and run, start `chain emulator` in another terminal, point B24_DOMAIN and the webhook settings at it, then plan and run without --emulator.';

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
    .option(
      '--ttl <minutes>',
      'how long the plan stays valid, in minutes (1 to 10080)',
      numberOption('--ttl', { min: 1, max: 10_080, example: '30', unit: 'minutes' }),
      30,
    )
    .option('--emulator', 'plan against an in-process emulator with the demo seed')
    .option(STATE_DATABASE_FLAG, STATE_DATABASE_HELP)
    .option('--portal <name>', 'named profile from the credentials file')
    .option('--json', 'JSON output')
    .action(
      returnsExitCode(async (file: string, flags: PlanFlags) => {
        const json = flags.json === true;
        try {
          const report = await validateChainFile(file);
          if (!report.valid || !report.chain) return printChainProblems(report.problems, json);
          const chain = report.chain;
          const inputs = resolveChainInputs(chain, parseInputAssignments(flags.input));
          const connection = await openRunnerConnection({ emulator: flags.emulator === true, env: process.env, dbFlag: flags.db, portal: flags.portal });
          try {
            const draft = await planChain({ chain, inputs, client: connection.client });
            const plan = new PlanStore(connection.database).createChainPlan({
              portal: connection.client.portalKey,
              chainHash: report.sha256,
              chainName: chain.name,
              inputs: maskSecretInputs(chain, inputs),
              packs: chain.packs,
              risk: draft.risk,
              counts: draft.counts.map(({ step, method, risk, count }) => ({ step, method, risk, count })),
              itemKeys: draft.itemKeys,
              ttlMs: flags.ttl * 60_000,
            });
            const flagsNeeded = draft.risk === 'destructive' ? ' --confirm-write --confirm-destructive' : draft.risk === 'write' ? ' --confirm-write' : '';
            // A secret input's value is not printed: the command reads it from its environment variable.
            const secrets = new Set(chain.inputs.filter((input) => input.secret === true).map((input) => input.name));
            const inputFlags = flags.input
              .map((assignment) => {
                const name = assignment.slice(0, Math.max(assignment.indexOf('='), 0)).trim();
                return secrets.has(name) ? ` --input "${name}=$${secretInputVariable(name)}"` : ` --input ${shellQuote(assignment)}`;
              })
              .join('');
            const executable = flags.emulator !== true;
            const command = executable ? `chain run ${shellQuote(file)} --plan ${plan.id}${flagsNeeded}${inputFlags}` : null;
            if (json) {
              process.stdout.write(
                `${JSON.stringify({ planId: plan.id, expiresAt: new Date(plan.expiresAt).toISOString(), risk: draft.risk, rows: draft.rows, writes: draft.counts, items: Object.fromEntries(Object.entries(draft.itemKeys).map(([step, keys]) => [step, keys.length])), command, ...(executable ? {} : { notice: emulatorPlanNotice }) })}\n`,
              );
            } else {
              const lines = [`Plan ${plan.id} for ${chain.name} (valid until ${new Date(plan.expiresAt).toISOString()}), ${draft.rows} rows read:`];
              if (draft.counts.length === 0) lines.push('  no writes');
              for (const entry of draft.counts) {
                lines.push(`  ${entry.step}: ${entry.count} × ${entry.method} (${entry.risk})`);
                for (const sample of entry.samples) lines.push(`    e.g.${sample.itemKey ? ` item ${sample.itemKey}:` : ''} ${JSON.stringify(sample.params)}`);
              }
              lines.push(command === null ? emulatorPlanNotice : `Execute it with:\n  ${command}`);
              process.stdout.write(`${lines.join('\n')}\n`);
            }
            return ExitCode.ok;
          } finally {
            await connection.close();
          }
        } catch (error) {
          return printRefusalOrThrow(error, json);
        }
      }),
    );
}
