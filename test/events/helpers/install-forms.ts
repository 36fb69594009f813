/**
 * Posts the way a portal posts to `chain serve-events`: form-encoded, nested keys in brackets, every
 * value a string (protocol.md §7–§8; bitrix24/b24restdocs api-reference/events/safe-event-handlers.md
 * for the ONAPPINSTALL `auth` block). An install is built from an emulator application, as the portal
 * sends it when that application is installed; overrides forge parts of it.
 */
import type { ChildProcess } from 'node:child_process';
import { buildQuery } from '../../../src/protocol/php-query.ts';
import type { AppDescription } from '../../../src/emulator/index.ts';
import { startCli, type CliResult } from '../../helpers/run-cli.ts';

export interface InstallOverrides {
  memberId?: string;
  accessToken?: string;
  applicationToken?: string;
  serverEndpoint?: string;
  clientEndpoint?: string;
  event?: string;
}

export function installForm(app: AppDescription, overrides: InstallOverrides = {}): string {
  return buildQuery({
    event: overrides.event ?? 'ONAPPINSTALL',
    data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' },
    ts: '1766047124',
    auth: {
      access_token: overrides.accessToken ?? app.accessToken,
      refresh_token: app.refreshToken,
      expires_in: '3600',
      scope: 'crm',
      domain: app.domain,
      server_endpoint: overrides.serverEndpoint ?? app.serverEndpoint,
      status: 'L',
      client_endpoint: overrides.clientEndpoint ?? app.clientEndpoint,
      member_id: overrides.memberId ?? app.memberId,
      application_token: overrides.applicationToken ?? app.applicationToken,
    },
  });
}

/** An event after installation: the portal's `auth` block carries no user token, only the application token. */
export function eventForm(event: string, memberId: string, applicationToken: string, data: Record<string, unknown> = {}): string {
  return buildQuery({
    event,
    event_handler_id: '7',
    data,
    ts: '1766047124',
    auth: { domain: 'portal.example.test', member_id: memberId, application_token: applicationToken },
  });
}

export interface ReceiverProcess {
  url: string;
  child: ChildProcess;
  /** Log messages printed so far (stderr, `--json`). */
  logs: string[];
  /** Resolves when a printed log message satisfies `test`. */
  waitForLog(test: (message: string, all: readonly string[]) => boolean): Promise<string>;
  /** SIGTERM, then the exit. */
  stop(): Promise<CliResult>;
}

/** `chain serve-events ... --port 0 --json` as a user runs it; resolves once it prints its URL. */
export async function startReceiverCli(args: string[], env: Record<string, string>): Promise<ReceiverProcess> {
  const logs: string[] = [];
  const waiters: Array<{ test: (message: string, all: readonly string[]) => boolean; resolve: (message: string) => void }> = [];
  const started = startCli(['serve-events', '--port', '0', '--json', ...args], env, (line) => {
    let message = line;
    try {
      message = (JSON.parse(line) as { message?: string }).message ?? line;
    } catch {
      // a plain line
    }
    logs.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.test(message, logs)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  const url = await new Promise<string>((resolve, reject) => {
    started.child.stdout?.once('data', (chunk: Buffer) => {
      const printed = JSON.parse(chunk.toString()) as { url?: string };
      if (printed.url === undefined) reject(new Error(`serve-events did not start: ${chunk.toString()}`));
      else resolve(printed.url);
    });
    void started.done.then((result) => reject(new Error(`serve-events exited ${result.code} before listening: ${result.stdout}${result.stderr}`)));
  });
  return {
    url,
    child: started.child,
    logs,
    waitForLog(test) {
      const found = logs.find((message) => test(message, logs));
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
    async stop() {
      started.child.kill('SIGTERM');
      return started.done;
    },
  };
}

/** Events the handler settled so far, from the `processed inbox: N done, …` lines. */
export function doneCount(all: readonly string[]): number {
  let done = 0;
  for (const message of all) {
    const match = /^processed inbox: (\d+) done, \d+ failed \(will retry\), (\d+) dead-lettered/.exec(message);
    if (match) done += Number(match[1]) + Number(match[2]);
  }
  return done;
}
