/** Test helpers: an emulator on 127.0.0.1 and clients wired to it over real HTTP. */
import { startEmulator, type AppDescription, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.ts';
import { B24Client, type B24ClientOptions } from '../../src/client/b24-client.ts';
import { resolveConnection, type ConnectionOptions } from '../../src/client/resolve-connection.ts';

export type ClientOverrides = Omit<Partial<B24ClientOptions>, 'connection'>;

export interface TestPortal {
  emulator: RunningEmulator;
  /** A webhook client; `rate`/`burst` default to the emulator's. */
  webhookClient(overrides?: ClientOverrides, connection?: ConnectionOptions): B24Client;
  /** An OAuth client with an application's tokens (default: the demo application). */
  oauthClient(overrides?: ClientOverrides, connection?: ConnectionOptions, app?: AppDescription): B24Client;
  /** Installs another application on the portal (fresh, unused tokens). */
  newApp(): Promise<AppDescription>;
  close(): Promise<void>;
}

export async function startTestPortal(options: EmulatorOptions = {}): Promise<TestPortal> {
  const emulator = await startEmulator({ rate: 1000, burst: 1000, ...options });
  const clients: B24Client[] = [];
  const limits = { rate: options.rate ?? 1000, burst: options.burst ?? 1000 };
  const make = (connection: ConnectionOptions, overrides: ClientOverrides): B24Client => {
    const client = new B24Client({ connection: resolveConnection({ options: { ...limits, ...connection } }), random: () => 0, ...overrides });
    clients.push(client);
    return client;
  };
  return {
    emulator,
    webhookClient: (overrides = {}, connection = {}) => make({ webhookUrl: emulator.webhookUrl, ...connection }, overrides),
    oauthClient: (overrides = {}, connection = {}, app = emulator.app) =>
      make(
        {
          domain: emulator.url,
          authMode: 'oauth',
          accessToken: app.accessToken,
          refreshToken: app.refreshToken,
          clientId: app.clientId,
          clientSecret: app.clientSecret,
          oauthUrl: app.serverEndpoint,
          memberId: app.memberId,
          ...connection,
        },
        overrides,
      ),
    newApp: async () => {
      const response = await fetch(`${emulator.url}/_emulator/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return (await response.json()) as AppDescription;
    },
    close: async () => {
      await Promise.all(clients.map((client) => client.close()));
      await emulator.close();
    },
  };
}

/** Runs `work` and returns what it threw (fails the test when it does not throw). */
export async function caught(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}
