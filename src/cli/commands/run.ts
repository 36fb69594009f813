import { type Command, InvalidArgumentError } from 'commander';
import { parseInputAssignments, resolveChainInputs, validateChainFile, maskSecretInputs, restoreSecretInputs } from '../../chain/index.ts';
import { runChain, runExitCode, type RunOptions } from '../../runner/index.ts';
import { checkRunPreconditions } from '../../runner/index.ts';
import { RunRefusedError } from '../../runner/index.ts';
import { isPostgresUrl, RunStore, type RunRecord } from '../../store/index.ts';
import { ExitCode, returnsExitCode } from '../exit-code.ts';
import { openRunnerConnection } from '../open-runner-connection.ts';
import { printRunOutcome } from '../print-run-outcome.ts';
import { createProgressDisplay } from '../progress-display.ts';
import { printChainProblems, printRefusalOrThrow } from '../print-refusal.ts';
import { loadChainPlan } from '../../runner/index.ts';
import { canonicalChainPath } from '../../runner/index.ts';
import { formatResumeCommand } from '../../runner/index.ts';
import { resolve } from 'node:path';
import { runFleet } from './fleet.ts';
import { STATE_DATABASE_FLAG, STATE_DATABASE_HELP } from '../state-database-option.ts';

interface RunFlags {
  input: string[];
  confirmWrite?: boolean;
  confirmDestructive?: boolean;
  plan?: string;
  concurrency: number;
  emulator?: boolean;
  json?: boolean;
  db?: string;
  portal?: string;
  resolve: string[];
  /** Fleet runs (fleet.ts): `--portals a,b,c [--portals-file F] [--wait] [--fleet-id ID]`. */
  portals: string[];
  portalsFile?: string;
  wait?: boolean;
  fleetId?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 16) throw new InvalidArgumentError('--concurrency must be an integer from 1 to 16.');
  return parsed;
}

function parseResolutions(values: readonly string[]): Map<string, 'sent' | 'not-sent'> {
  const resolutions = new Map<string, 'sent' | 'not-sent'>();
  for (const value of values) {
    const equals = value.lastIndexOf('=');
    const decision = value.slice(equals + 1);
    if (equals <= 0 || (decision !== 'sent' && decision !== 'not-sent')) {
      throw new RunRefusedError(`--resolve ${value}: expected ITEM=sent or ITEM=not-sent (RESOLVE_MALFORMED).`, {
        code: 'RESOLVE_MALFORMED',
        hint: 'ITEM is the item key that chain status --json lists under unknownOutcomes.',
      });
    }
    resolutions.set(value.slice(0, equals), decision);
  }
  return resolutions;
}

async function execute(file: string, flags: RunFlags, resumeRun?: RunRecord): Promise<number> {
  const json = flags.json === true;
  const report = await validateChainFile(file);
  if (!report.valid || !report.chain) return printChainProblems(report.problems, json);
  const chain = report.chain;
  const requirePlan = process.env.B24_REQUIRE_PLAN === '1';
  // runChain checks these again, with the portal (PORTAL_MISMATCH); here they refuse before connecting.
  const preconditions = {
    chainPath: file,
    chainSha256: report.sha256,
    summary: report.summary,
    resume: resumeRun,
    planId: flags.plan,
    requirePlan,
    confirmWrite: flags.confirmWrite,
    confirmDestructive: flags.confirmDestructive,
  };
  // A resumed run's secret inputs were not stored: they come back from B24_INPUT_<NAME> (SECRET_INPUT_REQUIRED).
  const inputs = resumeRun ? restoreSecretInputs(chain, resumeRun.inputs, process.env) : resolveChainInputs(chain, parseInputAssignments(flags.input));
  checkRunPreconditions(preconditions);
  const resolutions = parseResolutions(flags.resolve);
  const started = Date.now();
  const stop = new AbortController();
  const connection = await openRunnerConnection({
    emulator: flags.emulator === true,
    env: process.env,
    dbFlag: flags.db,
    portal: flags.portal,
    stopSignal: stop.signal,
  });
  const store = new RunStore(connection.database);
  let startedRun: { id: string; resumeFlags: string[] } | undefined;
  const onSignal = (): void => {
    if (stop.signal.aborted) {
      const where = startedRun
        ? `run ${startedRun.id} is interrupted; writes in flight may or may not have reached the portal, and a resume looks them up before re-sending anything: ${formatResumeCommand(startedRun)}`
        : 'no run was started.';
      process.stderr.write(`\nchain: stopped at once (second Ctrl-C): ${where}\n`);
      process.exit(ExitCode.interrupted);
    }
    const stopping = 'stopping after the batches in flight (Ctrl-C again to stop at once)';
    if (json)
      process.stderr.write(
        `${JSON.stringify({ type: 'stopping', elapsedMs: Date.now() - started, ...(startedRun ? { runId: startedRun.id } : {}), message: stopping })}\n`,
      );
    else process.stderr.write(`\nchain: ${stopping}...\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const display = createProgressDisplay({ json, refresh: () => connection.client.counters() });
  try {
    const plan = flags.plan
      ? loadChainPlan(connection.database, flags.plan, {
          portal: connection.client.portalKey,
          sha256: report.sha256,
          inputs: maskSecretInputs(chain, inputs),
          forEachStepIds: chain.steps.filter((step) => step.kind === 'for_each').map((step) => step.id),
        })
      : undefined;
    const options: RunOptions = {
      chain,
      chainPath: canonicalChainPath(file),
      // A PostgreSQL URL is not kept (it may hold a password): the resume names the same database by --db or B24_DATABASE_URL.
      resumeFlags: [...(flags.portal ? ['--portal', flags.portal] : []), ...(flags.db && !isPostgresUrl(flags.db) ? ['--db', resolve(flags.db)] : [])],
      chainSha256: report.sha256,
      summary: report.summary,
      inputs,
      client: connection.client,
      store,
      confirmWrite: flags.confirmWrite === true,
      confirmDestructive: flags.confirmDestructive === true,
      concurrency: flags.concurrency,
      requirePlan,
      stopSignal: stop.signal,
      resolutions,
      ...(resumeRun ? { resume: resumeRun } : {}),
      ...(plan ? { plannedKeys: plan.keys, planId: plan.id } : {}),
      onEvent: (event) => {
        if (event.type === 'started') startedRun = store.getRun(event.runId);
        if (event.type === 'progress') {
          const counters = connection.client.counters();
          display.update({
            runId: event.runId,
            stepId: event.stepId,
            rows: event.rows,
            itemsDone: event.itemsDone,
            itemsFailed: event.itemsFailed,
            requests: counters.requests,
            limiterWaitMs: counters.limiterWaitMs,
            ...(event.expectedRows === undefined ? {} : { expectedRows: event.expectedRows }),
          });
        }
      },
    };
    const outcome = await runChain(options);
    display.close();
    printRunOutcome(
      { outcome, chain: { name: chain.name, path: file, sha256: report.sha256 }, counts: connection.client.counters(), durationMs: Date.now() - started },
      json,
    );
    return runExitCode(outcome);
  } finally {
    display.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await connection.close();
  }
}

async function guarded(json: boolean, action: () => Promise<number>): Promise<number> {
  try {
    return await action();
  } catch (error) {
    return printRefusalOrThrow(error, json);
  }
}

function addConnectionOptions(command: Command): Command {
  return command
    .option('--emulator', 'run against an in-process emulator with the demo seed (always explicit)')
    .option(STATE_DATABASE_FLAG, STATE_DATABASE_HELP)
    .option('--portal <name>', 'named profile from the credentials file')
    .option('--json', 'one JSON document on stdout (schemas/run-result.schema.json); progress as JSON lines on stderr');
}

/** `chain run FILE` and `chain resume RUN_ID` (DESIGN.md §1, §4). */
export function registerRunCommands(program: Command): void {
  addConnectionOptions(
    program
      .command('run')
      .description('Run a chain file: reads, then the writes you confirmed, checkpointed so it can resume')
      .argument('<file>', 'chain file (YAML)')
      .option('--input <name=value>', 'a chain input (repeatable)', collect, [])
      .option('--confirm-write', 'allow the chain to write')
      .option('--confirm-destructive', 'allow destructive steps (delete, unbind, ...) as well')
      .option('--plan <id>', 'execute a stored plan (chain plan): only its items are written')
      .option('--concurrency <n>', 'batches in flight', positiveInteger, 4)
      .option('--portals <names>', 'a fleet run: one job per portal profile (comma-separated, repeatable) in the queue on Redis', collect, [])
      .option('--portals-file <path>', 'portal profiles for --portals (YAML or JSON, mode 0600), besides the credentials file')
      .option('--wait', 'with --portals: follow the jobs until all end; exit 0 only if all succeeded')
      .option('--fleet-id <id>', 'with --portals: the fleet id (default a new one); enqueuing the same id again adds nothing'),
  ).action(
    returnsExitCode(async (file: string, flags: RunFlags) =>
      guarded(flags.json === true, () =>
        flags.portals.length > 0 || flags.portalsFile !== undefined ? runFleet(file, flags) : execute(file, { ...flags, resolve: [] }),
      ),
    ),
  );

  addConnectionOptions(
    program
      .command('resume')
      .description('Continue an interrupted run where it stopped')
      .argument('<runId>', 'run id (chain status lists them)')
      .option('--confirm-write', 'allow the chain to write')
      .option('--confirm-destructive', 'allow destructive steps as well')
      .option('--resolve <item=decision>', 'decide an unknown outcome: ITEM=sent or ITEM=not-sent (repeatable)', collect, [])
      .option('--concurrency <n>', 'batches in flight', positiveInteger, 4),
  ).action(
    returnsExitCode(async (runId: string, flags: RunFlags) =>
      guarded(flags.json === true, async () => {
        const connection = await openRunnerConnection({ emulator: false, env: process.env, dbFlag: flags.db, portal: flags.portal, stateOnly: true });
        let run: RunRecord | undefined;
        let decidable = new Set<string>();
        try {
          const store = new RunStore(connection.database);
          run = store.getRun(runId);
          decidable = new Set([...store.sentSteps(runId).map((entry) => entry.stepId), ...store.sentSubSteps(runId).map((entry) => entry.itemKey)]);
        } finally {
          await connection.close();
        }
        if (!run)
          throw new RunRefusedError(`No run ${runId} in the state database (RUN_NOT_FOUND).`, {
            code: 'RUN_NOT_FOUND',
            hint: 'chain status lists the runs; --db points at another state database.',
          });
        const undecidable = [...parseResolutions(flags.resolve).keys()].filter((item) => !decidable.has(item));
        if (undecidable.length > 0) {
          throw new RunRefusedError(
            `--resolve ${undecidable.join(', ')}: run ${runId} has no write of unknown outcome for ${undecidable.length > 1 ? 'these items' : 'this item'} (RESOLVE_UNKNOWN_ITEM).`,
            {
              code: 'RESOLVE_UNKNOWN_ITEM',
              hint:
                decidable.size > 0
                  ? `Items awaiting a decision: ${[...decidable].slice(0, 10).join(', ')}.`
                  : 'This run has nothing to decide; resume it without --resolve.',
            },
          );
        }
        if (run.status === 'done') {
          process.stdout.write(flags.json ? `${JSON.stringify({ runId, status: 'done', exitCode: 0 })}\n` : `Run ${runId} is already done.\n`);
          return ExitCode.ok;
        }
        return execute(run.chainPath, { ...flags, input: [], portals: [] }, run);
      }),
    ),
  );
}
