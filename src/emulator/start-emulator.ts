/**
 * `startEmulator(options)`: a local Bitrix24 portal on 127.0.0.1 (DESIGN.md §9), for tests,
 * benchmarks and rehearsals. Returns its URL, the printed credentials and a `close()`.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { AppDescription } from './describe-credentials.ts';
import { describePortalSite, type PortalDescription } from './describe-portal-sites.ts';
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
import { splitPortalPath, type PortalSite } from './portal-site.ts';
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
  /** Every portal served (`portals` option), the root one first, with its base URL and credentials. */
  portals: PortalDescription[];
  core: EmulatorCore;
  /** All portals' statistics added up, or one portal's by name. */
  stats(portal?: string): Promise<EmulatorStats>;
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

  const serve = async (emulator: EmulatorCore, site: PortalSite, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    if (url.pathname.startsWith('/rest/api/')) await handleRestV3(emulator, site, request, response, url, !tls);
    else if (url.pathname.startsWith('/rest/') || url.pathname === '/rest') await handleRest(emulator, site, request, response, url, !tls);
    else if (url.pathname.startsWith('/oauth/')) await handleToken(emulator, site, request, response, url);
    else if (url.pathname.startsWith('/_emulator/') && site === emulator.root) await handleAdmin(emulator, request, response, url);
    else sendJson(response, 404, { error: 'NOT_FOUND', error_description: 'Not a Bitrix24 REST path: use /rest/...' });
  };
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (!core) return;
    const url = new URL(request.url ?? '/', baseUrl);
    // `/portal/<name>/rest/...` is portal <name>'s `/rest/...`; anything else is the root portal's.
    const split = splitPortalPath(url.pathname);
    let site = core.root;
    if (split !== undefined) {
      const named = core.siteNamed(split.name);
      if (named === undefined || named === core.root) {
        sendJson(response, 404, {
          error: 'NOT_FOUND',
          error_description: `No portal ${split.name} under /portal/ on this emulator (GET /_emulator/portals lists them)`,
        });
        return;
      }
      site = named;
      url.pathname = split.rest;
    }
    inFlight += 1;
    site.inFlight += 1;
    core.peakConcurrency = Math.max(core.peakConcurrency, inFlight);
    site.stats.peakConcurrency = Math.max(site.stats.peakConcurrency, site.inFlight);
    try {
      await serve(core, site, request, response, url);
    } catch (error) {
      core.onInternalError(request.url ?? '', error);
      sendJson(response, 500, { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' });
    } finally {
      inFlight -= 1;
      site.inFlight -= 1;
    }
  };
  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    void handle(request, response);
  };
  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, listener) : createHttpServer(listener);
  server.keepAliveTimeout = 30_000;
  const port = await listen(server, resolved.port);
  baseUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const built = new EmulatorCore(resolved, baseUrl);
  core = built;
  const portals = built.sites.map((site) => describePortalSite(built, site, false));
  const first = portals[0] as PortalDescription;

  const running: RunningEmulator = {
    url: baseUrl,
    webhookUrl: first.webhookUrl,
    userId: first.userId,
    code: first.code,
    app: first.app,
    portal: built.portal,
    portals,
    core: built,
    stats: async (portal) => {
      if (portal === undefined) return built.stats;
      const site = built.siteNamed(portal);
      if (site === undefined) throw new RangeError(`emulator: no portal ${portal} (${built.sites.length} portals: p1..p${built.sites.length}).`);
      return structuredClone(site.stats);
    },
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
