/**
 * Admin endpoints, never under `/rest/`: statistics, reset, faults, more applications or portals,
 * token expiry and feature switches, for tests, benchmarks and rehearsals.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from './http-io.ts';
import { validateFaultConfig } from './faults.ts';
import type { EmulatorCore } from './emulator-core.ts';
import { describeApp, describeWebhook } from './describe-credentials.ts';
import { describePortalSite } from './describe-portal-sites.ts';

function parseJson(text: string): unknown {
  if (text.trim() === '') return {};
  return JSON.parse(text);
}

export async function handleAdmin(core: EmulatorCore, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const route = `${request.method ?? 'GET'} ${url.pathname.replace(/\/+$/, '')}`;
  let input: Record<string, unknown>;
  try {
    input = parseJson(await readBody(request)) as Record<string, unknown>;
  } catch {
    sendJson(response, 400, { error: 'BAD_JSON', error_description: 'The body must be JSON.' });
    return;
  }
  try {
    switch (route) {
      case 'GET /_emulator/stats': {
        const name = url.searchParams.get('portal');
        if (name === null) {
          sendJson(response, 200, core.stats);
          return;
        }
        const site = core.siteNamed(name);
        if (site) sendJson(response, 200, site.stats);
        else sendJson(response, 404, { error: 'NOT_FOUND', error_description: `No portal ${name} on this emulator (GET /_emulator/portals lists them)` });
        return;
      }
      case 'GET /_emulator/portals':
        sendJson(response, 200, { portals: core.sites.map((site) => describePortalSite(core, site, url.searchParams.get('stats') !== '0')) });
        return;
      case 'POST /_emulator/reset':
        core.reset();
        sendJson(response, 200, { ok: true });
        return;
      case 'POST /_emulator/faults':
        core.faults.configure(validateFaultConfig(input), core.options.randomSeed);
        sendJson(response, 200, { ok: true });
        return;
      case 'POST /_emulator/tokens/expire':
        core.registry.expireAccessTokens(core.options.clock.now());
        sendJson(response, 200, { ok: true });
        return;
      case 'POST /_emulator/features': {
        const portal = core.registry.portals.find((candidate) => candidate.memberId === (input.memberId ?? core.portal.memberId));
        if (!portal || typeof input.code !== 'string') throw new TypeError('features: expected {"code": string, "enabled": boolean, "memberId"?: string}');
        portal.features.set(input.code, input.enabled === true);
        sendJson(response, 200, { ok: true });
        return;
      }
      case 'POST /_emulator/apps': {
        const portal =
          input.portal === 'new'
            ? core.registry.createPortal(`portal${core.registry.portals.length + 1}.emulator.test`)
            : core.registry.portals.find((candidate) => candidate.memberId === (input.portal ?? core.portal.memberId));
        if (!portal) throw new TypeError('apps: unknown portal; pass "new" or the memberId of an existing portal');
        const userId = typeof input.userId === 'number' ? input.userId : 1;
        if (!portal.users.has(userId)) {
          portal.users.set(userId, {
            ID: userId,
            NAME: `User ${userId}`,
            LAST_NAME: 'Emulator',
            EMAIL: `user${userId}@example.test`,
            ACTIVE: true,
            ADMIN: input.admin === true,
            UF_DEPARTMENT: [1],
          });
        }
        const scopes = Array.isArray(input.scopes) ? input.scopes.map(String) : undefined;
        const options = scopes ? { userId, scopes } : { userId };
        const baseUrl = core.urlOf(core.siteOf(portal));
        if (input.kind === 'webhook') {
          sendJson(response, 200, describeWebhook(baseUrl, core.registry.addWebhook(portal, options)));
        } else {
          const { app, tokens } = core.registry.addApp(portal, core.options.clock.now(), options);
          sendJson(response, 200, describeApp(baseUrl, app, tokens));
        }
        return;
      }
      default:
        sendJson(response, 404, { error: 'NOT_FOUND', error_description: `No admin endpoint ${route}` });
    }
  } catch (error) {
    sendJson(response, 400, { error: 'BAD_REQUEST', error_description: error instanceof Error ? error.message : String(error) });
  }
}
