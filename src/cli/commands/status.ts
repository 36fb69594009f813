import type { Command } from 'commander';
import { RunStore, type RunRecord } from '../../runner/run-store.ts';
import { RunRefusedError } from '../../runner/run-errors.ts';
import { openStateDatabase, resolveStatePath } from '../../store/index.ts';
import { numberOption } from '../parse-option-values.ts';
import { printRefusal } from '../print-refusal.ts';

interface StatusFlags {
  json?: boolean;
  db?: string;
  limit: number;
}

function describeRun(store: RunStore, run: RunRecord): Record<string, unknown> {
  return {
    runId: run.id,
    chain: { name: run.chainName, path: run.chainPath, sha256: run.chainSha256 },
    portal: run.portal,
    status: run.status,
    inputs: run.inputs,
    startedAt: new Date(run.startedAt).toISOString(),
    updatedAt: new Date(run.updatedAt).toISOString(),
    finishedAt: run.finishedAt === null ? null : new Date(run.finishedAt).toISOString(),
    items: store.countItems(run.id),
    cursors: store.cursors(run.id),
    unknownOutcomes: [
      ...store.sentSteps(run.id).map((entry) => ({ stepId: entry.stepId, itemKey: entry.stepId, subStepId: entry.stepId, method: '' })),
      ...store.sentSubSteps(run.id).map(({ params: _params, ...entry }) => entry),
    ],
    lastError: run.lastError,
    ...(run.status === 'done' ? {} : { resumeCommand: `chain resume ${run.id}` }),
  };
}

function printHuman(detail: Record<string, unknown>): void {
  const items = Object.entries(detail.items as Record<string, Record<string, number>>)
    .map(([step, counts]) => `${step}: ${Object.entries(counts).map(([status, count]) => `${count} ${status}`).join(', ')}`)
    .join('; ');
  const lines = [
    `${String(detail.runId)}  ${String(detail.status)}  ${(detail.chain as { name: string }).name} (${(detail.chain as { path: string }).path})  started ${String(detail.startedAt)}`,
  ];
  if (items) lines.push(`  items: ${items}`);
  for (const cursor of detail.cursors as Array<{ stepId: string; pages: number; rows: number; finished: boolean }>) {
    lines.push(`  list ${cursor.stepId}: ${cursor.rows} rows in ${cursor.pages} pages${cursor.finished ? ', finished' : ''}`);
  }
  for (const unknown of detail.unknownOutcomes as Array<{ itemKey: string; stepId: string; subStepId: string; method: string }>) {
    lines.push(`  unknown outcome: item ${unknown.itemKey} (${unknown.stepId}.${unknown.subStepId}, ${unknown.method}): decide with --resolve ${unknown.itemKey}=sent|not-sent`);
  }
  if (detail.lastError) lines.push(`  last error: ${String(detail.lastError)}`);
  if (detail.resumeCommand) lines.push(`  resume: ${String(detail.resumeCommand)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** `chain status [RUN_ID]`: runs, step counts, cursors, unknown outcomes, last error. */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('Show runs: status, items per step, list cursors, unknown outcomes, last error')
    .argument('[runId]', 'one run (default: the most recent runs)')
    .option('--json', 'JSON output')
    .option('--db <path>', 'state database (default: B24_DB or ./.b24chain/state.db)')
    .option('--limit <n>', 'how many recent runs to list', numberOption('--limit', { min: 1, example: '10' }), 10)
    .action(async (runId: string | undefined, flags: StatusFlags) => {
      try {
        const database = openStateDatabase(resolveStatePath({ flag: flags.db, env: process.env.B24_DB }));
        try {
          const store = new RunStore(database);
          const runs = runId ? [store.getRun(runId)] : store.listRuns(flags.limit);
          if (runId && !runs[0]) throw new RunRefusedError(`No run ${runId} in the state database (RUN_NOT_FOUND).`, { code: 'RUN_NOT_FOUND', hint: 'chain status lists the runs.' });
          const details = runs.filter((run): run is RunRecord => run !== undefined).map((run) => describeRun(store, run));
          if (flags.json) process.stdout.write(`${JSON.stringify(runId ? details[0] : { runs: details })}\n`);
          else if (details.length === 0) process.stdout.write('No runs yet.\n');
          else details.forEach(printHuman);
        } finally {
          database.close();
        }
      } catch (error) {
        if (!printRefusal(error, flags.json === true)) throw error;
      }
    });
}
