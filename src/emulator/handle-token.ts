/**
 * The emulator's OAuth server, standing in for oauth.bitrix.info under `/oauth/`:
 * - `/oauth/token/` (GET and POST, `grant_type=refresh_token`): a refresh replaces both tokens and the
 *   old refresh token stops working. The answer names the OAuth server in `domain`
 *   (`"domain": "oauth.bitrix.info"`, as in bitrix24/b24restdocs settings/oauth/auto-renewal.md); the
 *   portal's REST address is `client_endpoint`, and `server_endpoint` is this server (`<url>/oauth/`).
 * - `/oauth/app.info` (`server_endpoint` + `app.info`): the trusted answer about a token it issued,
 *   with the portal's `member_id` and the application's `client_id` (app-info-method.ts).
 * At the root it serves every application, as oauth.bitrix.info does; under a portal's prefix
 * (`/portal/<name>/oauth/token/`) only that portal's, whose `client_endpoint` it answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from './http-io.ts';
import { describeOAuthAppInfo } from './methods/system/app-info-method.ts';
import { decodeRequestParams } from './request-params.ts';
import type { EmulatorCore } from './emulator-core.ts';
import type { PortalSite } from './portal-site.ts';

/** The host the real OAuth server gives in a token answer's `domain`. */
export const OAUTH_SERVER_DOMAIN = 'oauth.bitrix.info';

export async function handleToken(core: EmulatorCore, site: PortalSite, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const baseUrl = core.urlOf(site);
  const params = decodeRequestParams(url.search, request.headers['content-type'], await readBody(request));
  if (/^\/oauth\/(rest\/)?app\.info(\.json)?\/?$/.test(url.pathname)) {
    answerAppInfo(core, response, params, request.headers.authorization);
    return;
  }
  if (!/^\/oauth\/token\/?$/.test(url.pathname)) {
    sendJson(response, 404, { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
    return;
  }
  const grantType = String(params.grant_type ?? '');
  if (grantType !== 'refresh_token') {
    sendJson(response, 400, { error: 'invalid_request', error_description: `grant_type "${grantType}" is not supported by the emulator (use refresh_token)` });
    return;
  }
  const now = core.options.clock.now();
  const clientId = String(params.client_id ?? '');
  const app = core.registry.findApp(clientId);
  const servedHere = site.pathPrefix === '' || (app !== undefined && core.siteOf(app.portal) === site);
  const outcome = servedHere
    ? core.registry.refresh(clientId, String(params.client_secret ?? ''), String(params.refresh_token ?? ''), now)
    : { status: 'invalid_client' as const };
  if (outcome.status === 'invalid_client') {
    sendJson(response, 401, { error: 'invalid_client', error_description: 'Invalid client credentials' });
    return;
  }
  if (outcome.status === 'invalid_grant') {
    sendJson(response, 400, { error: 'invalid_grant', error_description: 'Invalid grant: the refresh token is unknown, expired or already used' });
    return;
  }
  site.stats.tokenRefreshes += 1;
  const { tokens } = outcome;
  sendJson(response, 200, {
    access_token: tokens.accessToken,
    expires: Math.floor(tokens.expiresAt / 1000),
    expires_in: core.options.tokenLifetimeSeconds,
    scope: [...outcome.app.scopes].join(','),
    domain: OAUTH_SERVER_DOMAIN,
    server_endpoint: `${baseUrl}/oauth/`,
    status: 'L',
    client_endpoint: `${core.urlOf(core.siteOf(outcome.app.portal))}/rest/`,
    member_id: outcome.app.portal.memberId,
    user_id: outcome.userId,
    refresh_token: tokens.refreshToken,
  });
}

function answerAppInfo(core: EmulatorCore, response: ServerResponse, params: Record<string, unknown>, authorization: string | undefined): void {
  const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const token = params.auth ?? params.access_token ?? bearer;
  if (typeof token !== 'string' || token === '') {
    sendJson(response, 401, { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' });
    return;
  }
  const lookup = core.registry.lookupAccessToken(token, core.options.clock.now());
  if (lookup.status === 'expired') {
    sendJson(response, 401, { error: 'expired_token', error_description: 'The access token provided has expired.' });
    return;
  }
  if (lookup.status === 'unknown') {
    sendJson(response, 401, { error: 'invalid_token', error_description: 'Unable to get application by token' });
    return;
  }
  const { app, userId } = lookup;
  sendJson(response, 200, { result: describeOAuthAppInfo({ clientId: app.clientId, portal: app.portal, scopes: app.scopes, userId }) });
}
