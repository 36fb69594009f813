/**
 * `startEmulator(options)`: a local Bitrix24 portal on 127.0.0.1 (DESIGN.md §9), for tests,
 * benchmarks and rehearsals. Returns its URL, the printed credentials and a `close()`.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describeApp, type AppDescription } from './describe-credentials.ts';
import { EmulatorCore } from './emulator-core.ts';
import type { FaultConfig } from './faults.ts';
import { validateFaultConfig } from './faults.ts';
import { handleAdmin } from './handle-admin.ts';
import { handleRest } from './handle-rest.ts';
import { handleToken } from './handle-token.ts';
import { handleRestV3 } from './v3/handle-rest-v3.ts';
import { sendJson } from './http-io.ts';
import { resolveEmulatorOptions, type EmulatorOptions } from './options.ts';
import type { PortalState } from './portal-state.ts';
import type { EmulatorStats } from './stats.ts';
import { makeSelfSignedCertificate } from './tls-certificate.ts';

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT` (or https with `tls`). */
  url: string;
  /** `<url>/rest/1/<code>/` */
  webhookUrl: string;
  userId: number;
  /** The webhook's secret code. */
  code: string;
  /** The installed demo application, acting as the administrator. */
  app: AppDescription;
  /** PEM of the self-signed certificate (with `tls`). */
  certificatePath?: string;
  /** The first portal's state, for in-process assertions. */
  portal: PortalState;
  core: EmulatorCore;
  stats(): Promise<EmulatorStats>;
  reset(): Promise<void>;
  setFaults(config: FaultConfig): Promise<void>;
  expireTokens(): Promise<void>;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const resolved = resolveEmulatorOptions(options);
  const tls = resolved.tls ? makeSelfSignedCertificate() : undefined;
  let baseUrl = '';
  let core: EmulatorCore | undefined;
  let inFlight = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (!core) return;
    inFlight += 1;
    core.stats.peakConcurrency = Math.max(core.stats.peakConcurrency, inFlight);
    try {
      const url = new URL(request.url ?? '/', baseUrl);
      if (url.pathname.startsWith('/rest/api/')) await handleRestV3(core, request, response, url, !tls);
      else if (url.pathname.startsWith('/rest/') || url.pathname === '/rest') await handleRest(core, request, response, url, !tls);
      else if (url.pathname.startsWith('/oauth/')) await handleToken(core, request, response, url, baseUrl);
      else if (url.pathname.startsWith('/_emulator/')) await handleAdmin(core, request, response, url, baseUrl);
      else sendJson(response, 404, { error: 'NOT_FOUND', error_description: 'Not a Bitrix24 REST path: use /rest/...' });
    } catch (error) {
      core.onInternalError(request.url ?? '', error);
      sendJson(response, 500, { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' });
    } finally {
      inFlight -= 1;
    }
  };
  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    void handle(request, response);
  };
  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, listener) : createHttpServer(listener);
  server.keepAliveTimeout = 30_000;
  const port = await listen(server, resolved.port);
  baseUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const built = new EmulatorCore(resolved, `127.0.0.1:${port}`);
  core = built;

  const running: RunningEmulator = {
    url: baseUrl,
    webhookUrl: `${baseUrl}/rest/${built.webhook.userId}/${built.webhook.code}/`,
    userId: built.webhook.userId,
    code: built.webhook.code,
    app: describeApp(baseUrl, built.app, built.appTokens),
    portal: built.portal,
    core: built,
    stats: async () => structuredClone(built.stats),
    reset: async () => built.reset(),
    setFaults: async (config) => built.faults.configure(validateFaultConfig(config), resolved.randomSeed),
    expireTokens: async () => built.registry.expireAccessTokens(resolved.clock.now()),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  if (tls) running.certificatePath = tls.certificatePath;
  return running;
}
