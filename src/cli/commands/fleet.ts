/**
 * `chain fleet worker`, and the entry points `chain run --portals` and `chain status --fleet` use. The
 * work is in `fleet-actions.ts`, loaded on first use: BullMQ and its Redis client cost every other
 * command a quarter of a second to load.
 */
import type { Command } from 'commander';
import { returnsExitCode } from '../exit-code.ts';
import { numberOption } from '../parse-option-values.ts';
import { printRefusalOrThrow } from '../print-refusal.ts';
import { STATE_DATABASE_FLAG, STATE_DATABASE_HELP } from '../state-database-option.ts';
import type { FleetRunFlags, WorkerFlags } from './fleet-actions.ts';

export type { FleetRunFlags } from './fleet-actions.ts';

export async function runFleet(file: string, flags: FleetRunFlags): Promise<number> {
  return (await import('./fleet-actions.ts')).runFleet(file, flags);
}

export async function printFleetStatus(fleetId: string | undefined, flags: { json?: boolean; db?: string }): Promise<number> {
  return (await import('./fleet-actions.ts')).printFleetStatus(fleetId, flags);
}

/** `chain fleet worker`. */
export function registerFleetCommands(program: Command): void {
  const fleet = program.command('fleet').description('Fleet runs: one chain over many portals, as jobs in a queue on Redis (B24_REDIS_URL)');
  fleet
    .command('worker')
    .description('Take fleet jobs (chain run --portals) and run them, until SIGINT/SIGTERM')
    .option('--concurrency <n>', 'jobs at once (each on another portal)', numberOption('--concurrency', { min: 1, max: 64, example: '4' }), 1)
    .option('--portals-file <path>', 'portal profiles (YAML or JSON, mode 0600), besides the credentials file (B24_CREDENTIALS)')
    .option(STATE_DATABASE_FLAG, STATE_DATABASE_HELP)
    .option('--json', 'events as JSON lines on stderr; the summary as one JSON line on stdout')
    .action(
      returnsExitCode(async (flags: WorkerFlags) => {
        try {
          return await (await import('./fleet-actions.ts')).workerAction(flags);
        } catch (error) {
          return printRefusalOrThrow(error, flags.json === true);
        }
      }),
    );
}
