/** Test helpers: an emulator on 127.0.0.1 and clients wired to it over real HTTP. */
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.ts';
import { B24Client, type B24ClientOptions } from '../../src/client/b24-client.ts';
import { resolveConnection, type ConnectionOptions } from '../../src/client/resolve-connection.ts';

export type ClientOverrides = Omit<Partial<B24ClientOptions>, 'connection'>;

export interface TestPortal {
  emulator: RunningEmulator;
  /** A webhook client; `rate`/`burst` default to the emulator's. */
  webhookClient(overrides?: ClientOverrides, connection?: ConnectionOptions): B24Client;
  /** An OAuth client with the demo application's tokens. */
  oauthClient(overrides?: ClientOverrides, connection?: ConnectionOptions): B24Client;
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
    oauthClient: (overrides = {}, connection = {}) =>
      make(
        {
          domain: emulator.url,
          authMode: 'oauth',
          accessToken: emulator.app.accessToken,
          refreshToken: emulator.app.refreshToken,
          clientId: emulator.app.clientId,
          clientSecret: emulator.app.clientSecret,
          oauthUrl: emulator.app.serverEndpoint,
          memberId: emulator.app.memberId,
          ...connection,
        },
        overrides,
      ),
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
