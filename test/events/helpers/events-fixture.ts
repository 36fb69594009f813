/**
 * What the event tests share: the emulator in its own process (fast limits), the environment of its
 * installed application (OAuth, administrator), a plain-HTTP webhook for making changes and reading
 * the portal independently of the client, and the `chain` binary.
 */
import { after, before, beforeEach } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { B24Client } from '../../../src/client/index.ts';
import { resolveConnection } from '../../../src/client/resolve-connection.ts';
import type { PortalClient } from '../../../src/client/index.ts';
import { fetchStats, startEmulatorProcess, type EmulatorProcess } from '../../helpers/emulator-process.ts';
import { callMethod, listAll } from '../../helpers/portal-reader.ts';

export const handlerPath = fileURLToPath(new URL('../../../chains/core/handlers/lead-contact-sync.yml', import.meta.url));

export function startEventsEmulator(): Promise<EmulatorProcess> {
  return startEmulatorProcess(['--seed', 'empty', '--rate', '10000', '--burst', '10000']);
}

export function temporaryDatabase(prefix: string): string {
  return join(mkdtempSync(join(tmpdir(), `b24chain-${prefix}-`)), 'state.db');
}

/** The seed-compatible environment of the emulator's installed application. */
export function applicationEnv(emulator: EmulatorProcess, database: string): Record<string, string> {
  return {
    B24_DOMAIN: emulator.url,
    B24_AUTH_MODE: 'oauth',
    B24_ACCESS_TOKEN: emulator.app.accessToken,
    B24_REFRESH_TOKEN: emulator.app.refreshToken,
    B24_CLIENT_ID: emulator.app.clientId,
    B24_CLIENT_SECRET: emulator.app.clientSecret,
    B24_OAUTH_URL: emulator.app.serverEndpoint,
    B24_RATE_LIMITER: 'memory',
    B24_RATE_LIMITER_RATE: '10000',
    B24_RATE_LIMITER_BURST: '10000',
    B24_DB: database,
  };
}

export function applicationClient(emulator: EmulatorProcess): { client: PortalClient; close(): Promise<void> } {
  const env = applicationEnv(emulator, ':memory:');
  const b24 = new B24Client({ connection: resolveConnection({ env }) });
  return { client: b24, close: () => b24.close() };
}

export async function resetPortal(emulator: EmulatorProcess): Promise<void> {
  await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' });
}

/** Calls through the webhook and fails the test on a portal error. */
export async function portalCall(emulator: EmulatorProcess, method: string, params: Record<string, unknown> = {}): Promise<unknown> {
  const answer = await callMethod(emulator.webhookUrl, method, params);
  if (answer.error) throw new Error(`${method}: ${answer.error} ${JSON.stringify(answer)}`);
  return answer.result;
}

/** Adds `count` leads through the webhook, 50 per batch; returns their ids in order. */
export async function addLeads(emulator: EmulatorProcess, count: number, prefix = 'Lead'): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 50) {
    const commands: Record<string, string> = {};
    for (let index = start; index < Math.min(count, start + 50); index += 1)
      commands[`l${index}`] = `crm.lead.add?fields[TITLE]=${prefix}%20${index}&fields[NAME]=Name${index}`;
    const result = (await portalCall(emulator, 'batch', { halt: 1, cmd: commands })) as { result: Record<string, number> };
    for (const name of Object.keys(commands)) ids.push(String(result.result[name]));
  }
  return ids;
}

/** Contacts the handler made, by ORIGIN_ID (lead-<ID>) → how many. */
export async function contactsByOrigin(emulator: EmulatorProcess): Promise<Map<string, number>> {
  const rows = await listAll(emulator.webhookUrl, 'crm.contact.list', { filter: { ORIGINATOR_ID: 'b24chain-events' }, select: ['ID', 'ORIGIN_ID'] });
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.ORIGIN_ID as string, (counts.get(row.ORIGIN_ID as string) ?? 0) + 1);
  return counts;
}

/** Every row of the application's offline queue (reserved or not), read through the application. */
export async function queueRows(client: PortalClient, authConnector = ''): Promise<Array<Record<string, string>>> {
  const rows: Array<Record<string, string>> = [];
  let start = 0;
  for (let page = 0; page < 1000; page += 1) {
    const answer = await client.call('event.offline.list', { start, ...(authConnector ? { auth_connector: authConnector } : {}) }, { write: false });
    rows.push(...(answer.result as Array<Record<string, string>>));
    if (answer.next === undefined) return rows;
    start = answer.next;
  }
  throw new Error('more than 1000 pages in the queue');
}

export async function methodCount(emulator: EmulatorProcess, method: string): Promise<number> {
  const stats = (await fetchStats(emulator.url)) as { methods: Record<string, number> };
  return stats.methods[method] ?? 0;
}

export { startCli as startEventsCli, runCli as runEventsCli } from '../../helpers/run-cli.ts';

export interface EventsPortal {
  emulator: EmulatorProcess;
  client: PortalClient;
}

/** One emulator process and application client per test file, reset before every test. */
export function useEventsPortal(): EventsPortal {
  const portal = {} as EventsPortal;
  let closeClient: (() => Promise<void>) | undefined;
  before(async () => {
    portal.emulator = await startEventsEmulator();
    const opened = applicationClient(portal.emulator);
    portal.client = opened.client;
    closeClient = opened.close;
  });
  after(async () => {
    await closeClient?.();
    await portal.emulator?.stop();
  });
  beforeEach(async () => resetPortal(portal.emulator));
  return portal;
}
