/**
 * Who is calling: an incoming webhook (`/rest/{user}/{code}/{method}`) or an application token
 * (`auth` / `access_token` parameter, or `Authorization: Bearer`). Failures carry the real codes and
 * statuses (protocol.md §7, §10).
 */
import type { CredentialRegistry } from './credentials.ts';
import type { PortalState } from './portal-state.ts';
import { RestError, type AuthContext, type Params } from './types.ts';

export interface RestPath {
  method: string;
  webhook?: { userId: string; code: string };
}

/** Splits `/rest/...` into the method and, for webhooks, the user and code. */
export function parseRestPath(pathname: string): RestPath | RestError {
  const parts = pathname
    .replace(/^\/rest\/?/, '')
    .split('/')
    .filter((part) => part !== '')
    .map(decodeURIComponent);
  if (parts[0] === 'api') return new RestError('ERROR_METHOD_NOT_FOUND', 'Method not found! (REST 3.0 is not emulated)', 404);
  const normalize = (method: string): string => method.toLowerCase().replace(/\.json$/, '');
  if (parts.length === 1) return { method: normalize(parts[0] as string) };
  if (parts.length === 3) return { method: normalize(parts[2] as string), webhook: { userId: parts[0] as string, code: parts[1] as string } };
  return new RestError('ERROR_METHOD_NOT_FOUND', 'Method not found!', 404);
}

export type AuthResolution = { auth: AuthContext } | { error: RestError; portalKnown?: AuthContext['portal'] };

export function resolveAuth(
  registry: CredentialRegistry,
  path: RestPath,
  params: Params,
  authorizationHeader: string | undefined,
  now: number,
  plainHttp: boolean,
  requireHttpsForWebhooks: boolean,
  /** Whether a credential of this portal is valid at the URL asked (one emulator serves several portals). */
  servesPortal: (portal: PortalState) => boolean = () => true,
): AuthResolution {
  if (path.webhook) {
    const webhook = registry.findWebhook(path.webhook.code);
    if (!webhook || String(webhook.userId) !== path.webhook.userId || !servesPortal(webhook.portal)) {
      return { error: new RestError('INVALID_CREDENTIALS', 'Invalid request credentials', 401) };
    }
    if (plainHttp && requireHttpsForWebhooks) return { error: new RestError('INVALID_REQUEST', 'Https required.', 401) };
    const portal = webhook.portal;
    return {
      auth: {
        type: 'webhook',
        portal,
        userId: webhook.userId,
        isAdmin: portal.isAdmin(webhook.userId),
        scopes: webhook.scopes,
        credentialKey: `apauth:${webhook.id}`,
      },
    };
  }
  const bearer = authorizationHeader?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const candidate = params.auth ?? params.access_token ?? params.AUTH ?? bearer;
  if (typeof candidate !== 'string' || candidate === '') {
    return { error: new RestError('NO_AUTH_FOUND', 'Wrong authorization data', 401) };
  }
  const lookup = registry.lookupAccessToken(candidate, now);
  // Another portal's token is unknown here, expired or not.
  if (lookup.status === 'unknown' || !servesPortal(lookup.app.portal))
    return { error: new RestError('invalid_token', 'Unable to get application by token', 401) };
  if (lookup.status === 'expired') return { error: new RestError('expired_token', 'The access token provided has expired.', 401) };
  const portal = lookup.app.portal;
  return {
    auth: {
      type: 'oauth',
      portal,
      userId: lookup.userId,
      isAdmin: portal.isAdmin(lookup.userId),
      scopes: lookup.app.scopes,
      credentialKey: `oauth:${lookup.app.clientId}`,
      appId: lookup.app.clientId,
    },
  };
}

/** Parameters that carry credentials never reach method handlers. */
export function withoutAuthParams(params: Params): Params {
  const { auth: _auth, access_token: _accessToken, AUTH: _upperAuth, ...rest } = params;
  return rest;
}
