/**
 * `chain serve-events --handler FILE.yml [--port N]` (DESIGN.md §8): accepts an ONAPPINSTALL only
 * when the OAuth server confirms it for the posted portal and our application (B24_CLIENT_ID, or the
 * `--portal` profile; profiles of B24_CREDENTIALS are the configured portals), checks every other
 * event against the application token bound at install, stores it in the SQLite inbox before
 * answering 200, and processes it with the handler chain through its own portal's client (tokens of
 * the verified install, kept in `--tokens`, mode 0600). Runs until SIGINT/SIGTERM (exit 0). Log lines
 * go to stderr and never carry a token.
 */
import { dirname, join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { parseInputAssignments } from '../../chain/index.ts';
import { EventsRefusedError, loadHandler, parseDuration, startEventReceiver } from '../../events/index.ts';
import { createInstallGate } from '../../events/index.ts';
import { PortalConnections } from '../../events/index.ts';
import { resolveReceiverTrust } from '../../events/index.ts';
import { checkWriteGates } from '../../runner/index.ts';
import { defaultStatePath, isPostgresUrl, openStateDatabase } from '../../store/index.ts';
import { ExitCode, returnsExitCode } from '../exit-code.ts';
import { addEventsConnectionOptions, guardEventsCommand, statePathOf, type EventsConnectionFlags } from './events.ts';

interface ServeFlags extends EventsConnectionFlags {
  handler?: string;
  port: number;
  host: string;
  maxBody: number;
  maxRetries: number;
  retryDelay: string;
  confirmWrite?: boolean;
  confirmDestructive?: boolean;
  concurrency: number;
  input: string[];
  tokens?: string;
}

function wholeNumber(name: string, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0 || parsed > max) throw new InvalidArgumentError(`${name} must be a whole number up to ${max}.`);
    return parsed;
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function serveAction(flags: ServeFlags): Promise<number> {
  const json = flags.json === true;
  if (!flags.handler) {
    throw new EventsRefusedError('chain serve-events: no handler chain (HANDLER_MISSING).', {
      code: 'HANDLER_MISSING',
      hint: 'Pass --handler FILE.yml, e.g. --handler chains/core/handlers/lead-contact-sync.yml.',
    });
  }
  const handler = await loadHandler(flags.handler);
  checkWriteGates(handler.summary, { confirmWrite: flags.confirmWrite === true, confirmDestructive: flags.confirmDestructive === true });
  const inputs = parseInputAssignments(flags.input);
  const retryDelayMs = parseDuration(flags.retryDelay, '--retry-delay');
  const trust = resolveReceiverTrust({
    env: process.env,
    ...(process.env.B24_CREDENTIALS ? { credentialsFile: process.env.B24_CREDENTIALS } : {}),
    ...(flags.portal ? { profile: flags.portal } : {}),
  });
  const statePath = statePathOf(flags);
  const inMemory = statePath === ':memory:';
  // Beside the state file; with the state in PostgreSQL, in ./.b24chain/.
  const tokensPath = flags.tokens ?? (inMemory ? undefined : join(dirname(isPostgresUrl(statePath) ? defaultStatePath : statePath), 'receiver-tokens.json'));
  const database = openStateDatabase(statePath);
  const portals = new PortalConnections({
    trust,
    ...(tokensPath === undefined ? {} : { tokensPath }),
    env: process.env,
    defaultRateLimiter: 'sqlite',
  });
  const installs = createInstallGate({ trust, portals });
  const log = (line: string): void => {
    process.stderr.write(json ? `${JSON.stringify({ type: 'log', at: new Date().toISOString(), message: line })}\n` : `${new Date().toISOString()} ${line}\n`);
  };
  try {
    const receiver = await startEventReceiver({
      database,
      installs,
      port: flags.port,
      host: flags.host,
      maxBodyBytes: flags.maxBody,
      log,
      processing: {
        handler,
        clientFor: (memberId) => portals.clientFor(memberId),
        inputs,
        confirmWrite: flags.confirmWrite === true,
        confirmDestructive: flags.confirmDestructive === true,
        concurrency: flags.concurrency,
        maxRetries: flags.maxRetries,
        retryDelayMs,
      },
    });
    process.stdout.write(
      json
        ? `${JSON.stringify({ status: 'listening', url: receiver.url, port: receiver.port })}\n`
        : `serve-events listening on ${receiver.url} (handler ${flags.handler}); Ctrl-C stops\n`,
    );
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    log('stopping: no new events accepted; finishing the round in flight');
    await receiver.close();
    return ExitCode.ok;
  } finally {
    await portals.close();
    await installs.close();
    database.close();
  }
}

export function registerServeEventsCommand(program: Command): void {
  addEventsConnectionOptions(
    program
      .command('serve-events')
      .description(
        "Receive online events (installs verified with the OAuth server, application token checked, stored before 200) and process each with its own portal's client",
      )
      .option('--handler <file>', 'handler chain (declares input events: array)')
      .option('--port <n>', 'TCP port (0 picks a free one)', wholeNumber('--port', 65535), 8080)
      .option('--host <address>', 'address to listen on; put a TLS proxy in front for the portal', '127.0.0.1')
      .option('--max-body <bytes>', 'largest accepted post', wholeNumber('--max-body', 16 * 1024 * 1024), 64 * 1024)
      .option('--max-retries <n>', 'retries of a failed event before it is dead-lettered', wholeNumber('--max-retries', 100), 5)
      .option('--retry-delay <duration>', 'wait before a failed event is tried again', '3s')
      .option('--confirm-write', 'allow the handler to write')
      .option('--confirm-destructive', 'allow destructive handler steps as well')
      .option('--concurrency <n>', 'handler batches in flight', wholeNumber('--concurrency', 16), 4)
      .option('--input <name=value>', 'another input of the handler (repeatable)', collect, [])
      .option('--tokens <file>', "verified installs' tokens by member_id, mode 0600 (default: receiver-tokens.json beside the state database)"),
  ).action(returnsExitCode(async (flags: ServeFlags) => guardEventsCommand(flags.json === true, () => serveAction(flags))));
}
