/**
 * An emulated portal, a state database in a temporary folder and the real client over HTTP, for
 * in-process tests of the guarded call. `requests()` is the emulator's count of HTTP requests: the
 * proof that a refusal sent nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGuardedCall, type CallOutcome, type GuardedCallContext, type GuardedCallRequest } from '../../../src/call/index.ts';
import { B24Client, resolveConnection, type PortalClient } from '../../../src/client/index.ts';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../../src/emulator/index.ts';
import { openStateStores, type StateStores } from '../../../src/store/index.ts';
import type { Clock } from '../../../src/util/clock.ts';
import { listAll } from '../../helpers/portal-reader.ts';

export interface CallFixture {
  emulator: RunningEmulator;
  stores: StateStores;
  client: PortalClient;
  statePath: string;
  /** One guarded call against this portal, with this fixture's stores. */
  call(request: GuardedCallRequest, context?: Partial<GuardedCallContext>): Promise<CallOutcome>;
  /** HTTP requests the emulator has received so far. */
  requests(): Promise<number>;
  /** A client for the same state database, talking to another emulator. */
  clientFor(other: RunningEmulator): { client: PortalClient; close(): Promise<void> };
  close(): Promise<void>;
}

export function webhookConnectionEnv(emulator: RunningEmulator): Record<string, string> {
  return {
    B24_DOMAIN: emulator.url,
    B24_AUTH_MODE: 'webhook',
    B24_WEBHOOK_USER_ID: String(emulator.userId),
    B24_WEBHOOK_CODE: emulator.code,
    B24_RATE_LIMITER: 'memory',
  };
}

function openClient(emulator: RunningEmulator): { client: PortalClient; close(): Promise<void> } {
  const b24Client = new B24Client({ connection: resolveConnection({ env: webhookConnectionEnv(emulator) }) });
  return { client: b24Client, close: () => b24Client.close() };
}

export async function startCallFixture(options: { clock?: Clock; emulator?: EmulatorOptions } = {}): Promise<CallFixture> {
  const emulator = await startEmulator({ seed: 'demo', ...options.emulator });
  const directory = mkdtempSync(join(tmpdir(), 'b24chain-call-'));
  const statePath = join(directory, 'state.db');
  const stores = openStateStores(statePath, options.clock === undefined ? {} : { clock: options.clock });
  const opened = openClient(emulator);
  const others: Array<{ close(): Promise<void> }> = [];
  return {
    emulator,
    stores,
    client: opened.client,
    statePath,
    call: (request, context = {}) =>
      runGuardedCall(request, {
        client: opened.client,
        stores,
        inFlightWaitMs: 0,
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        ...context,
      }),
    requests: async () => (await emulator.stats()).httpRequests,
    clientFor: (other) => {
      const client = openClient(other);
      others.push(client);
      return client;
    },
    close: async () => {
      for (const other of others) await other.close();
      await opened.close();
      stores.close();
      await emulator.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Leads on the portal whose TITLE is `title`, read over plain HTTP (independent of the client). */
export async function countLeads(emulator: { webhookUrl: string }, title: string): Promise<number> {
  return (await listAll(emulator.webhookUrl, 'crm.lead.list', { filter: { TITLE: title }, select: ['ID'] })).length;
}
