/**
 * The OAuth token endpoint `/oauth/token/` (GET and POST, `grant_type=refresh_token`), standing in
 * for oauth.bitrix.info: a refresh replaces both tokens and the old refresh token stops working.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from './http-io.ts';
import { decodeRequestParams } from './request-params.ts';
import type { EmulatorCore } from './emulator-core.ts';

export async function handleToken(core: EmulatorCore, request: IncomingMessage, response: ServerResponse, url: URL, baseUrl: string): Promise<void> {
  const params = decodeRequestParams(url.search, request.headers['content-type'], await readBody(request));
  const grantType = String(params.grant_type ?? '');
  if (grantType !== 'refresh_token') {
    sendJson(response, 400, { error: 'invalid_request', error_description: `grant_type "${grantType}" is not supported by the emulator (use refresh_token)` });
    return;
  }
  const now = core.options.clock.now();
  const outcome = core.registry.refresh(String(params.client_id ?? ''), String(params.client_secret ?? ''), String(params.refresh_token ?? ''), now);
  if (outcome.status === 'invalid_client') {
    sendJson(response, 401, { error: 'invalid_client', error_description: 'Invalid client credentials' });
    return;
  }
  if (outcome.status === 'invalid_grant') {
    sendJson(response, 400, { error: 'invalid_grant', error_description: 'Invalid grant: the refresh token is unknown, expired or already used' });
    return;
  }
  core.stats.tokenRefreshes += 1;
  const { tokens, app } = outcome;
  sendJson(response, 200, {
    access_token: tokens.accessToken,
    expires: Math.floor(tokens.expiresAt / 1000),
    expires_in: core.options.tokenLifetimeSeconds,
    scope: [...app.scopes].join(','),
    domain: new URL(baseUrl).host,
    server_endpoint: `${baseUrl}/oauth/`,
    status: 'L',
    client_endpoint: `${baseUrl}/rest/`,
    member_id: app.portal.memberId,
    user_id: outcome.userId,
    refresh_token: tokens.refreshToken,
  });
}
