/**
 * `--auth-connector`: the handler's writes carry the same `auth_connector` as the binding, so the
 * portal does not queue our own changes back to us (protocol.md §8). A decorator of the runner's
 * client: every write call and every write command of a batch gets the parameter; reads are untouched.
 */
import { isWriteMethod } from '../client/index.ts';
import type { BatchCommandInput, PortalClient } from '../client/index.ts';
import { toBatchCommand } from '../protocol/index.ts';

export function withAuthConnector(client: PortalClient, authConnector: string): PortalClient {
  if (authConnector === '') return client;
  const stamp = (params: Record<string, unknown> | undefined): Record<string, unknown> => ({ ...params, auth_connector: authConnector });
  const stampCommand = (input: BatchCommandInput): BatchCommandInput => {
    const command = toBatchCommand(input);
    return isWriteMethod(command.method) ? { method: command.method, params: stamp(command.params) } : input;
  };
  return {
    portalKey: client.portalKey,
    ...(client.applicationKey === undefined ? {} : { applicationKey: client.applicationKey }),
    call: (method, params, options) => client.call(method, (options?.write ?? isWriteMethod(method)) ? stamp(params) : params, options),
    batch: (commands, options) =>
      client.batch(
        (Array.isArray(commands) ? commands : Object.entries(commands)).map(([name, command]) => [name, stampCommand(command)] as const),
        options,
      ),
    list: (method, params, options) => client.list(method, params, options),
    counters: () => client.counters(),
  };
}
