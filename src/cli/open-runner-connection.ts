/** Placeholder until the client lands: opens the state database and a RunnerClient. */
import type { Database } from 'better-sqlite3';
import type { RunnerClient } from '../runner/runner-client.ts';
import { openStateDatabase, resolveStatePath } from '../store/index.ts';

export interface RunnerConnection {
  client: RunnerClient;
  database: Database;
  close(): Promise<void>;
}

export interface RunnerConnectionOptions {
  emulator: boolean;
  env: NodeJS.ProcessEnv;
  dbFlag?: string | undefined;
  portal?: string | undefined;
  /** Only the state database is needed (no portal connection). */
  stateOnly?: boolean;
}

export async function openRunnerConnection(options: RunnerConnectionOptions): Promise<RunnerConnection> {
  const database = openStateDatabase(resolveStatePath({ flag: options.dbFlag, env: options.env.B24_DB }));
  const unavailable = (): never => {
    throw new Error('the Bitrix24 client is not wired yet');
  };
  return {
    client: { portalKey: 'unavailable', call: unavailable, batch: unavailable, list: unavailable, counters: () => ({ requests: 0, commands: 0, limiterWaitMs: 0, retries: 0 }) },
    database,
    close: async () => {
      database.close();
    },
  };
}
