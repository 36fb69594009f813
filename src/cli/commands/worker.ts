/**
 * `chain worker --handler FILE.yml` (the offline-event loop, DESIGN.md §8) and
 * `chain worker dlq list | retry ID [--force] | drop ID` (the local dead letters). Progress goes to stderr, one
 * line per step (JSON lines with --json); the summary to stdout. SIGINT/SIGTERM: the reservation in
 * flight is finished and settled, then the worker exits 0; a second signal exits 3 at once.
 * Exit codes: 0 stopped or drained (--once), 1 a portal or network error it could not get past
 * (--once, after a few attempts), 2 a refusal (webhook, missing --confirm-write, bad handler or
 * option, another live worker on the queue: WORKER_RUNNING; a dead-letter retry that may apply an
 * effect twice without --force: DEAD_LETTER_UNSAFE_RETRY).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { parseInputAssignments } from '../../chain/index.ts';
import {
  checkDeadLetterRetry,
  DeadLetterStore,
  riskyWrites,
  EventsRefusedError,
  loadHandler,
  parseDuration,
  resolveWorkerSettings,
  runWorker,
  type WorkerEvent,
  type WorkerSettings,
} from '../../events/index.ts';
import { checkWriteGates } from '../../runner/index.ts';
import { openStateDatabase } from '../../store/index.ts';
import { ExitCode, returnsExitCode } from '../exit-code.ts';
import { addEventsConnectionOptions, guardEventsCommand, openEventsConnection, statePathOf, type EventsConnectionFlags } from './events.ts';

interface WorkerFlags extends EventsConnectionFlags {
  handler?: string;
  limit: number;
  maxRetries: number;
  pollInterval: string;
  once?: boolean;
  confirmWrite?: boolean;
  confirmDestructive?: boolean;
  authConnector?: string;
  concurrency: number;
  input: string[];
}

function wholeNumber(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError(`${name} must be a whole number.`);
    return parsed;
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function shortId(processId: string): string {
  return processId.slice(0, 8);
}

/** One progress line for a person. */
export function describeWorkerEvent(event: WorkerEvent): string {
  switch (event.type) {
    case 'started':
      return `worker started on ${event.portal}${event.authConnector ? ` (connector ${event.authConnector})` : ''}; ${event.openReservations} saved reservation(s) to read again`;
    case 'adopted':
      return `found reservation ${shortId(event.processId)} (${event.rows} row(s)) that was never saved; adopted it`;
    case 'reserved':
      return `reserved ${event.rows} row(s) as ${shortId(event.processId)}${event.errorRead ? ' (failed rows, error=1)' : ''}`;
    case 'reread':
      return `read reservation ${shortId(event.processId)} again: ${event.rows} row(s)`;
    case 'processed':
      return `${shortId(event.processId)}: ${event.done} done, ${event.failed} failed (will retry), ${event.deadLettered} dead-lettered, ${event.unsettled} waiting`;
    case 'dead_letter':
      return `dead letter ${event.id}: row ${event.rowId} ${event.eventName} after ${event.attempts} attempt(s) (${event.code || 'ERROR'})`;
    case 'cleared':
      return `${shortId(event.processId)}: cleared ${event.rows} row(s)`;
    case 'marked':
      return `${shortId(event.processId)}: marked ${event.rows} row(s) as failed`;
    case 'closed':
      return `${shortId(event.processId)}: settled`;
    case 'retried':
      return `dead letter ${event.deadLetterId}: retried, ${event.status}`;
    case 'idle':
      return `queue empty; next poll in ${event.sleepMs} ms`;
    case 'error':
      return `error (${event.code}): ${event.message}; retrying in ${event.retryInMs} ms`;
    case 'stopped':
      return event.reason === 'once' ? 'queue drained; stopping (--once)' : 'stopped by signal; what was in flight is settled';
  }
}

async function workerAction(flags: WorkerFlags): Promise<number> {
  const json = flags.json === true;
  if (!flags.handler) {
    throw new EventsRefusedError('chain worker: no handler chain (HANDLER_MISSING).', {
      code: 'HANDLER_MISSING',
      hint: 'Pass --handler FILE.yml, e.g. --handler chains/core/handlers/lead-contact-sync.yml.',
    });
  }
  const handler = await loadHandler(flags.handler);
  const settings: WorkerSettings = {
    limit: flags.limit,
    maxRetries: flags.maxRetries,
    pollIntervalMs: parseDuration(flags.pollInterval),
    once: flags.once === true,
    concurrency: flags.concurrency,
    confirmWrite: flags.confirmWrite === true,
    confirmDestructive: flags.confirmDestructive === true,
    ...(flags.authConnector ? { authConnector: flags.authConnector } : {}),
  };
  checkWriteGates(handler.summary, resolveWorkerSettings(settings));
  const inputs = parseInputAssignments(flags.input);
  const connection = await openEventsConnection(flags, 'chain worker');
  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) process.exit(ExitCode.interrupted);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await runWorker({
      ...settings,
      client: connection.opened.client,
      database: connection.database,
      handler,
      inputs,
      stopSignal: stop.signal,
      onEvent: (event) => process.stderr.write(json ? `${JSON.stringify(event)}\n` : `${describeWorkerEvent(event)}\n`),
    });
    if (json) process.stdout.write(`${JSON.stringify({ status: 'stopped', exitCode: 0, ...summary })}\n`);
    else
      process.stdout.write(
        `worker stopped (${summary.stoppedBy}): ${summary.done} row(s) done, ${summary.deadLettered} dead-lettered, ${summary.failedAttempts} failed attempt(s), ${summary.cleared} cleared.\n`,
      );
    return ExitCode.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await connection.close();
  }
}

function openDeadLetters(flags: EventsConnectionFlags): { store: DeadLetterStore; close(): void } {
  const database = openStateDatabase(statePathOf(flags));
  return { store: new DeadLetterStore(database), close: () => database.close() };
}

function deadLetterId(value: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0)
    throw new EventsRefusedError(`chain worker dlq: ${JSON.stringify(value)} is not a dead-letter id (DEAD_LETTER_ID_INVALID).`, {
      code: 'DEAD_LETTER_ID_INVALID',
      hint: 'chain worker dlq list shows the ids.',
    });
  return id;
}

function changeDeadLetter(action: 'retry' | 'drop', value: string, flags: EventsConnectionFlags & { force?: boolean }): number {
  const id = deadLetterId(value);
  const { store, close } = openDeadLetters(flags);
  try {
    const letter = store.get(id);
    if (!letter)
      throw new EventsRefusedError(`chain worker dlq ${action} ${id}: no such dead letter (DEAD_LETTER_NOT_FOUND).`, {
        code: 'DEAD_LETTER_NOT_FOUND',
        hint: 'chain worker dlq list --all shows every dead letter.',
      });
    if (letter.status === 'resolved' || letter.status === 'dropped') {
      throw new EventsRefusedError(`chain worker dlq ${action} ${id}: the dead letter is already ${letter.status} (DEAD_LETTER_SETTLED).`, {
        code: 'DEAD_LETTER_SETTLED',
        hint: 'Nothing to do.',
      });
    }
    // A retry that may apply an effect twice is refused without --force (DEAD_LETTER_UNSAFE_RETRY).
    const warning = action === 'retry' ? checkDeadLetterRetry(letter, flags.force === true) : undefined;
    if (warning) process.stderr.write(`${warning}\n`);
    store.setStatus(id, action === 'retry' ? 'retry' : 'dropped');
    const text = action === 'retry' ? `dead letter ${id} will go through the handler on the worker's next pass` : `dead letter ${id} dropped`;
    process.stdout.write(
      flags.json
        ? `${JSON.stringify({ status: 'done', id, deadLetter: action === 'retry' ? 'retry' : 'dropped', ...(warning ? { forced: true } : {}) })}\n`
        : `${text}\n`,
    );
    return ExitCode.ok;
  } finally {
    close();
  }
}

export function registerWorkerCommands(program: Command): void {
  const worker = addEventsConnectionOptions(
    program
      .command('worker')
      .description('Process the offline-event queue with a handler chain: reserve, process, clear; retries and dead letters')
      .option('--handler <file>', 'handler chain (declares input events: array)')
      .option('--limit <n>', 'rows per event.offline.get', wholeNumber('--limit'), 50)
      .option('--max-retries <n>', 'retries of a failed row before it is dead-lettered', wholeNumber('--max-retries'), 5)
      .option('--poll-interval <duration>', 'sleep when the queue is empty (3s, 500ms, 1m)', '3s')
      .option('--once', 'drain the queue (retries included), then stop')
      .option('--confirm-write', 'allow the handler to write')
      .option('--confirm-destructive', 'allow destructive handler steps as well')
      .option('--auth-connector <name>', "the binding's auth_connector: our own writes do not come back as events")
      .option('--concurrency <n>', 'handler batches in flight', wholeNumber('--concurrency'), 4)
      .option('--input <name=value>', 'another input of the handler (repeatable)', collect, []),
  ).action(returnsExitCode(async (flags: WorkerFlags) => guardEventsCommand(flags.json === true, () => workerAction(flags))));

  const dlq = worker.command('dlq').description('The dead letters: rows the worker gave up on');
  // Options may be written after `dlq list` yet parsed by `worker` (commander's default): read both levels.
  addEventsConnectionOptions(dlq.command('list').description('List dead letters (newest first)').option('--all', 'include resolved and dropped ones')).action(
    returnsExitCode(async (_flags: unknown, command: Command) => {
      const flags = command.optsWithGlobals<EventsConnectionFlags & { all?: boolean }>();
      return guardEventsCommand(flags.json === true, async () => {
        const { store, close } = openDeadLetters(flags);
        try {
          const letters = store.list({ all: flags.all === true });
          if (flags.json) {
            process.stdout.write(`${JSON.stringify({ status: 'done', deadLetters: letters })}\n`);
            return ExitCode.ok;
          }
          if (letters.length === 0) process.stdout.write('No dead letters.\n');
          for (const letter of letters) {
            const seen = `first seen ${new Date(letter.firstSeen).toISOString()}, last ${new Date(letter.lastSeen).toISOString()}`;
            process.stdout.write(
              `${letter.id}  ${letter.status}  ${letter.eventName} row ${letter.rowId}  ${letter.attempts} attempt(s)  ${seen}\n    ${letter.error.code || 'ERROR'}: ${letter.error.message}\n`,
            );
            if (riskyWrites(letter).risky)
              process.stdout.write(`    a retry may apply its effect twice: check the portal first (dlq retry ${letter.id} --force)\n`);
          }
          return ExitCode.ok;
        } finally {
          close();
        }
      });
    }),
  );
  addEventsConnectionOptions(
    dlq
      .command('retry')
      .description("Send a dead letter through the handler again on the worker's next pass")
      .argument('<id>', 'dead-letter id')
      .option('--force', "retry even when a write's outcome is unknown and nothing can look it up (the effect may happen twice)"),
  ).action(
    returnsExitCode(async (id: string, _flags: unknown, command: Command) => {
      const flags = command.optsWithGlobals<EventsConnectionFlags & { force?: boolean }>();
      return guardEventsCommand(flags.json === true, async () => changeDeadLetter('retry', id, flags));
    }),
  );
  addEventsConnectionOptions(dlq.command('drop').description('Give up on a dead letter for good').argument('<id>', 'dead-letter id')).action(
    returnsExitCode(async (id: string, _flags: unknown, command: Command) => {
      const flags = command.optsWithGlobals<EventsConnectionFlags>();
      return guardEventsCommand(flags.json === true, async () => changeDeadLetter('drop', id, flags));
    }),
  );
}
