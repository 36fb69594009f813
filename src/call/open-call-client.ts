/**
 * The `B24Client` a guarded call sends through, opened the one way every command opens a portal
 * client (`openPortalClient`: environment or `--portal` profile, the per-user shared limiter, tokens
 * that outlive the process). Settings come from the map the CLI passes in, never `process.env` here.
 * Making it sends nothing.
 */
import { openPortalClient, type PortalClient } from '../client/index.ts';
import { readApiVersionSetting } from '../client/index.ts';

export interface OpenCallClientOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** A `--portal` profile in the credentials file (`B24_CREDENTIALS`). */
  profile?: string;
}

export interface OpenedCallClient {
  client: PortalClient;
  close(): Promise<void>;
}

/** Resolves the connection (throws `ConnectionConfigError`, exit 2) and builds the client. */
export async function openCallClient(options: OpenCallClientOptions): Promise<OpenedCallClient> {
  const opened = await openPortalClient({
    env: options.env,
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    clientOptions: { apiVersion: readApiVersionSetting(options.env) },
  });
  return { client: opened.client, close: () => opened.close() };
}
