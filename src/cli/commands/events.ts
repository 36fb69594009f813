/**
 * `chain events bind EVENT... [--offline]` and `chain events list` (DESIGN.md §1, §8): the bindings the
 * core "event bootstrap" recipe needs, over an application (OAuth) connection. Also the small pieces
 * the other event commands share: how they print errors and open the state database and the client.
 */
import type { Command } from 'commander';
import type { Database } from '../../store/index.ts';
import { bindEvents, listBindings, openEventClient, type OpenedEventClient } from '../../events/index.ts';
import { openStateDatabase, resolveStatePath } from '../../store/index.ts';
import { ExitCode, returnsExitCode } from '../exit-code.ts';
import { printRefusalOrThrow } from '../print-refusal.ts';
import { STATE_DATABASE_FLAG, STATE_DATABASE_HELP } from '../state-database-option.ts';

export interface EventsConnectionFlags {
  db?: string;
  portal?: string;
  json?: boolean;
}

/** Runs an events command and returns its exit code; an error is printed as every command does (bad connection settings are bad input: exit 2). */
export async function guardEventsCommand(json: boolean, action: () => Promise<number>): Promise<number> {
  try {
    return await action();
  } catch (error) {
    return printRefusalOrThrow(error, json);
  }
}

export function statePathOf(flags: EventsConnectionFlags): string {
  return resolveStatePath({ flag: flags.db, env: process.env.B24_DB, databaseUrl: process.env.B24_DATABASE_URL });
}

/** The state database and the portal client named by the environment (or `--portal`). */
export async function openEventsConnection(
  flags: EventsConnectionFlags,
  requireApplication?: string,
): Promise<{ database: Database; opened: OpenedEventClient; close(): Promise<void> }> {
  const database = openStateDatabase(statePathOf(flags));
  try {
    const opened = await openEventClient({
      env: process.env,
      ...(flags.portal ? { profile: flags.portal } : {}),
      ...(requireApplication ? { requireApplication } : {}),
    });
    return {
      database,
      opened,
      close: async () => {
        await opened.close();
        database.close();
      },
    };
  } catch (error) {
    database.close();
    throw error;
  }
}

export function addEventsConnectionOptions(command: Command): Command {
  return command
    .option(STATE_DATABASE_FLAG, STATE_DATABASE_HELP)
    .option('--portal <name>', 'named profile from the credentials file (B24_CREDENTIALS)')
    .option('--json', 'print JSON');
}

interface BindFlags extends EventsConnectionFlags {
  offline?: boolean;
  handlerUrl?: string;
  authConnector?: string;
}

export function registerEventsCommands(program: Command): void {
  const events = program.command('events').description('Bind Bitrix24 events and list the bindings (an application connection is needed)');
  addEventsConnectionOptions(
    events
      .command('bind')
      .description('Bind events: --offline for the queue chain worker reads, or --handler-url for chain serve-events')
      .argument('<event...>', 'event names, e.g. ONCRMLEADADD ONCRMLEADUPDATE')
      .option('--offline', 'an offline binding (administrator only): changes wait in the queue')
      .option('--handler-url <url>', 'an online binding: the public HTTPS URL the portal posts to')
      .option('--auth-connector <name>', 'the sync channel: writes made with it do not come back as events'),
  ).action(
    returnsExitCode(async (names: string[], flags: BindFlags) =>
      guardEventsCommand(flags.json === true, async () => {
        const connection = await openEventsConnection(flags, 'chain events bind');
        try {
          const results = await bindEvents(connection.opened.client, {
            events: names,
            offline: flags.offline === true,
            ...(flags.handlerUrl ? { handlerUrl: flags.handlerUrl } : {}),
            ...(flags.authConnector ? { authConnector: flags.authConnector } : {}),
          });
          if (flags.json) process.stdout.write(`${JSON.stringify({ status: 'done', bound: results })}\n`);
          else for (const result of results) process.stdout.write(`${result.event}: ${result.status}${flags.offline ? ' (offline)' : ''}\n`);
          return ExitCode.ok;
        } finally {
          await connection.close();
        }
      }),
    ),
  );
  addEventsConnectionOptions(events.command('list').description('List the event bindings of this application (event.get)')).action(
    returnsExitCode(async (flags: EventsConnectionFlags) =>
      guardEventsCommand(flags.json === true, async () => {
        const connection = await openEventsConnection(flags, 'chain events list');
        try {
          const bindings = await listBindings(connection.opened.client);
          if (flags.json) {
            process.stdout.write(`${JSON.stringify({ status: 'done', bindings })}\n`);
            return ExitCode.ok;
          }
          if (bindings.length === 0) process.stdout.write('No event bindings.\n');
          for (const binding of bindings) {
            const target = binding.offline ? `offline${binding.connectorId ? ` (connector ${binding.connectorId})` : ''}` : `online → ${binding.handler ?? ''}`;
            process.stdout.write(`${binding.event}  ${target}\n`);
          }
          return ExitCode.ok;
        } finally {
          await connection.close();
        }
      }),
    ),
  );
}
