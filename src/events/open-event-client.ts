/**
 * The client the event commands work with, opened the one way every command opens a portal client
 * (`openPortalClient`: the per-user shared limiter, OAuth tokens that outlive the process), from the
 * settings the CLI passes in (never `process.env` here). `requireApplication` refuses a webhook
 * before any request: offline events and event.* methods are app-only.
 */
import { openPortalClient, type OpenPortalClientOptions } from '../client/index.ts';
import type { Connection } from '../client/index.ts';
import type { PortalClient } from '../client/index.ts';
import { applicationRequired } from './event-errors.ts';

export interface OpenEventClientOptions extends OpenPortalClientOptions {
  /** The command, for the webhook refusal (`chain worker`). */
  requireApplication?: string;
}

export interface OpenedEventClient {
  client: PortalClient;
  connection: Connection;
  close(): Promise<void>;
}

export async function openEventClient(options: OpenEventClientOptions): Promise<OpenedEventClient> {
  const { requireApplication, ...portal } = options;
  const opened = await openPortalClient(portal);
  if (requireApplication !== undefined && opened.connection.auth.mode !== 'oauth') {
    await opened.close();
    throw applicationRequired(requireApplication);
  }
  return { client: opened.client, connection: opened.connection, close: () => opened.close() };
}
