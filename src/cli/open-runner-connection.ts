/**
 * What `run`, `resume` and `plan` work with: the state database, and a client for the portal named by
 * the environment (seed-compatible settings, or a `--portal` profile), or for an in-process emulator
 * with the demo seed when `--emulator` is given (always explicit, never a fallback).
 */
import type { Database } from '../store/index.ts';
import { openPortalClient } from '../client/index.ts';
import { startEmulator, type RunningEmulator } from '../emulator/index.ts';
import type { PortalClient } from '../client/index.ts';
import { openStateDatabase, resolveStatePath } from '../store/index.ts';
import { applyMethodRegistry } from './apply-method-registry.ts';
import { readApiVersionSetting } from '../client/index.ts';

export interface RunnerConnection {
  client: PortalClient;
  database: Database;
  emulator?: RunningEmulator;
  close(): Promise<void>;
}

export interface RunnerConnectionOptions {
  emulator: boolean;
  env: NodeJS.ProcessEnv;
  dbFlag?: string | undefined;
  portal?: string | undefined;
  /** Only the state database is needed (no portal connection). */
  stateOnly?: boolean;
  /** Ctrl-C: stops the client's limiter waits at once (nothing waiting is sent). */
  stopSignal?: AbortSignal | undefined;
}

const unavailable = (): never => {
  throw new Error('no portal connection was opened');
};

export async function openRunnerConnection(options: RunnerConnectionOptions): Promise<RunnerConnection> {
  const statePath = resolveStatePath({ flag: options.dbFlag, env: options.env.B24_DB, databaseUrl: options.env.B24_DATABASE_URL });
  const database = openStateDatabase(statePath);
  if (options.stateOnly) {
    return {
      database,
      client: {
        portalKey: '',
        call: unavailable,
        batch: unavailable,
        list: unavailable,
        counters: () => ({ requests: 0, commands: 0, limiterWaitMs: 0, retries: 0, rows: 0 }),
      },
      close: async () => {
        database.close();
      },
    };
  }
  let emulator: RunningEmulator | undefined;
  try {
    let env: Readonly<Record<string, string | undefined>> = options.env;
    if (options.emulator) {
      emulator = await startEmulator({ seed: 'demo' });
      env = {
        B24_DOMAIN: emulator.url,
        B24_AUTH_MODE: 'webhook',
        B24_WEBHOOK_USER_ID: String(emulator.userId),
        B24_WEBHOOK_CODE: emulator.code,
        B24_RATE_LIMITER: 'memory',
      };
    }
    // The one way every command opens a portal client: the per-user shared limiter, and refreshed
    // OAuth tokens kept where the next process finds them: a 0600 file, or with B24_DATABASE_URL the
    // PostgreSQL state database (shared by the hosts of a fleet).
    const opened = await openPortalClient({
      env,
      ...(options.portal && !options.emulator ? { profile: options.portal } : {}),
      clientOptions: { ...(options.stopSignal ? { waitSignal: options.stopSignal } : {}), apiVersion: readApiVersionSetting(options.env) },
    });
    const client = opened.client;
    await applyMethodRegistry(client, database, options.env, Date.now());
    const running = emulator;
    return {
      client,
      database,
      ...(running ? { emulator: running } : {}),
      close: async () => {
        await client.close();
        database.close();
        await running?.close();
      },
    };
  } catch (error) {
    database.close();
    await emulator?.close();
    throw error;
  }
}
