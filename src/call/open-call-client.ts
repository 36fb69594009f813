/**
 * The `B24Client` a guarded call sends through, from the seed-compatible settings the CLI passes in
 * (`B24_DOMAIN`, `B24_AUTH_MODE`, ...; never read from `process.env` here). Making it sends nothing.
 */
import { dirname, join } from 'node:path';
import { B24Client, resolveConnection } from '../client/index.ts';
import { toCallClient, type CallClient } from './call-client.ts';

export interface OpenCallClientOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** The state database: the shared limiter file (`limiter.db`) sits beside it. */
  statePath: string;
}

export interface OpenedCallClient {
  client: CallClient;
  close(): Promise<void>;
}

/** Resolves the connection (throws `ConnectionConfigError`, exit 2) and builds the client. */
export function openCallClient(options: OpenCallClientOptions): OpenedCallClient {
  const connection = resolveConnection({ env: options.env, defaultRateLimiter: 'sqlite' });
  const client = new B24Client({ connection, limiterPath: join(dirname(options.statePath), 'limiter.db') });
  return { client: toCallClient(client), close: () => client.close() };
}
