/**
 * The client the event commands work with, from the seed-compatible settings the CLI passes in
 * (never read from `process.env` here): the same limiter (a SQLite file beside the state database)
 * and OAuth refresh as every other command. `requireApplication` refuses a webhook before any
 * request: offline events and event.* methods are app-only.
 */
import { dirname, join } from 'node:path';
import { B24Client } from '../client/b24-client.ts';
import type { Connection } from '../client/connection.ts';
import { resolveConnection } from '../client/resolve-connection.ts';
import { adaptClient } from '../runner/client-adapter.ts';
import type { RunnerClient } from '../runner/runner-client.ts';
import { applicationRequired } from './event-errors.ts';

export interface OpenEventClientOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** The state database path (`:memory:` keeps the limiter in memory too). */
  statePath: string;
  /** A `--portal` profile in the credentials file (`B24_CREDENTIALS`). */
  profile?: string;
  credentialsFile?: string;
  /** The command, for the webhook refusal (`chain worker`). */
  requireApplication?: string;
}

export interface OpenedEventClient {
  client: RunnerClient;
  connection: Connection;
  close(): Promise<void>;
}

export function openEventClient(options: OpenEventClientOptions): OpenedEventClient {
  const connection = resolveConnection({
    env: options.env,
    defaultRateLimiter: 'sqlite',
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.credentialsFile === undefined ? {} : { credentialsFile: options.credentialsFile }),
  });
  if (options.requireApplication !== undefined && connection.auth.mode !== 'oauth') throw applicationRequired(options.requireApplication);
  const b24 = new B24Client({ connection, limiterPath: options.statePath === ':memory:' ? ':memory:' : join(dirname(options.statePath), 'limiter.db') });
  return { client: adaptClient(b24), connection, close: () => b24.close() };
}
