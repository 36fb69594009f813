import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { describeRun, type RunDescription } from '../../runner/index.ts';
import { RunStore, type RunRecord } from '../../store/index.ts';
import { RunRefusedError } from '../../runner/index.ts';
import { isPostgresUrl, openStateDatabase, resolveStatePath } from '../../store/index.ts';
import { SqliteLeaseStore } from '../../store/index.ts';
import { numberOption } from '../parse-option-values.ts';
import { ExitCode, returnsExitCode } from '../exit-code.ts';
import { printRefusalOrThrow } from '../print-refusal.ts';
import { printFleetStatus } from './fleet.ts';
import { STATE_DATABASE_FLAG, STATE_DATABASE_HELP } from '../state-database-option.ts';

interface StatusFlags {
  json?: boolean;
  db?: string;
  limit: number;
  /** `--fleet [FLEET_ID]` (fleet.ts): true for the latest fleet. */
  fleet?: string | boolean;
}

function describeOwner(detail: RunDescription): string {
  if (detail.live && detail.owner)
    return `  owner: pid ${detail.owner.pid} on ${detail.owner.host} since ${detail.owner.since} (alive, last heartbeat ${detail.owner.heartbeatAt})`;
  if (detail.status === 'interrupted' && detail.owner) return `  owner: pid ${detail.owner.pid} on ${detail.owner.host} is gone; the run can be resumed`;
  return '';
}

function printHuman(detail: RunDescription): void {
  const items = Object.entries(detail.items)
    .map(
      ([step, counts]) =>
        `${step}: ${Object.entries(counts)
          .map(([status, count]) => `${count} ${status}`)
          .join(', ')}`,
    )
    .join('; ');
  const lines = [`${detail.runId}  ${detail.status}  ${detail.chain.name} (${detail.chain.path})  started ${detail.startedAt}`];
  const owner = describeOwner(detail);
  if (owner) lines.push(owner);
  if (items) lines.push(`  items: ${items}`);
  for (const cursor of detail.cursors) {
    lines.push(`  list ${cursor.stepId}: ${cursor.rows} rows in ${cursor.pages} pages${cursor.finished ? ', finished' : ''}`);
  }
  if (detail.reconciledOnResume.length > 0) {
    lines.push(
      `  ${detail.reconciledOnResume.length} write(s) sent without an answer: resume looks them up by their natural key before re-sending; no decision needed`,
    );
  }
  for (const unknown of detail.unknownOutcomes) {
    lines.push(
      `  needs a decision: item ${unknown.itemKey} (${unknown.stepId}.${unknown.subStepId}, ${unknown.method || 'write'}) may or may not have reached the portal: resume with --resolve ${unknown.itemKey}=sent or =not-sent`,
    );
  }
  if (detail.lastError) lines.push(`  last error: ${detail.lastError}`);
  if (detail.resumeCommand) lines.push(`  resume: ${detail.resumeCommand}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** `chain status [RUN_ID]`: runs, who owns them, step counts, cursors, unknown outcomes, last error. */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('Show runs: live or interrupted, items per step, list cursors, unknown outcomes, last error')
    .argument('[runId]', 'one run (default: the most recent runs)')
    .option('--json', 'JSON output')
    .option(STATE_DATABASE_FLAG, STATE_DATABASE_HELP)
    .option('--limit <n>', 'how many recent runs to list', numberOption('--limit', { min: 1, example: '10' }), 10)
    .option('--fleet [fleetId]', 'a fleet run (chain run --portals) per portal: job state, run, items, requests, last error (default: the latest fleet)')
    .action(
      returnsExitCode(async (runId: string | undefined, flags: StatusFlags) => {
        try {
          if (flags.fleet !== undefined) return await printFleetStatus(typeof flags.fleet === 'string' ? flags.fleet : runId, flags);
          const statePath = resolveStatePath({ flag: flags.db, env: process.env.B24_DB, databaseUrl: process.env.B24_DATABASE_URL });
          if (statePath !== ':memory:' && !isPostgresUrl(statePath) && !existsSync(statePath)) {
            if (runId)
              throw new RunRefusedError(`No run ${runId}: there is no state database at ${statePath} (RUN_NOT_FOUND).`, {
                code: 'RUN_NOT_FOUND',
                hint: '--db or B24_DB points at another state database.',
              });
            process.stdout.write(flags.json ? `${JSON.stringify({ runs: [] })}\n` : 'No runs yet.\n');
            return ExitCode.ok;
          }
          // Status only reads: it opens the database read-only (a read-only file or folder is fine).
          const database = openStateDatabase(statePath, { readOnly: true });
          try {
            const store = new RunStore(database);
            const leases = new SqliteLeaseStore(database);
            const runs = runId ? [store.getRun(runId)] : store.listRuns(flags.limit);
            if (runId && !runs[0])
              throw new RunRefusedError(`No run ${runId} in the state database (RUN_NOT_FOUND).`, {
                code: 'RUN_NOT_FOUND',
                hint: 'chain status lists the runs.',
              });
            const details = runs.filter((run): run is RunRecord => run !== undefined).map((run) => describeRun(store, leases, run));
            if (flags.json) process.stdout.write(`${JSON.stringify(runId ? details[0] : { runs: details })}\n`);
            else if (details.length === 0) process.stdout.write('No runs yet.\n');
            else details.forEach(printHuman);
            return ExitCode.ok;
          } finally {
            database.close();
          }
        } catch (error) {
          return printRefusalOrThrow(error, flags.json === true);
        }
      }),
    );
}
