/**
 * One `grant_type=refresh_token` exchange at the OAuth server (protocol.md §7): a form POST, the
 * client secret in the body, never in the URL. A used or expired refresh token gives a clear
 * re-authorise error.
 */
import { AuthError } from '../errors/index.ts';
import { registerSecret } from '../errors/index.ts';
import { buildQuery } from '../protocol/index.ts';
import type { OAuthAuth } from './connection.ts';
import type { OAuthTokens } from './token-store.ts';
import type { Transport } from './transport.ts';

const REAUTHORISE = 'Re-authorise the application (open it on the portal or run the OAuth flow again) and store the new tokens.';

function refreshImpossible(what: string): AuthError {
  return new AuthError({
    code: 'REFRESH_NOT_POSSIBLE',
    message: `oauth: the access token expired and ${what} (REFRESH_NOT_POSSIBLE).`,
    hint: 'Set B24_REFRESH_TOKEN, B24_CLIENT_ID and B24_CLIENT_SECRET (or the profile fields) so it can be renewed.',
  });
}

export async function requestTokenRefresh(
  auth: Pick<OAuthAuth, 'tokenUrl' | 'clientId' | 'clientSecret'>,
  refreshToken: string | undefined,
  transport: Transport,
  nowMs: number,
  signal?: AbortSignal,
): Promise<OAuthTokens> {
  if (refreshToken === undefined) throw refreshImpossible('there is no refresh token');
  if (auth.clientId === undefined || auth.clientSecret === undefined) throw refreshImpossible('the client id or secret is missing');
  const body = buildQuery({ grant_type: 'refresh_token', client_id: auth.clientId, client_secret: auth.clientSecret, refresh_token: refreshToken });
  const response = await transport.send(
    {
      method: 'POST',
      url: auth.tokenUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      ...(signal === undefined ? {} : { signal }),
    },
    'oauth token refresh',
  );
  let parsed: Record<string, unknown> | undefined;
  try {
    const value: unknown = JSON.parse(response.bodyText);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  const errorCode = typeof parsed?.error === 'string' ? parsed.error : undefined;
  if (errorCode !== undefined || response.status !== 200 || typeof parsed?.access_token !== 'string') {
    const description = typeof parsed?.error_description === 'string' ? parsed.error_description : `HTTP ${response.status}`;
    const code = (errorCode ?? '').toLowerCase();
    if (code === 'invalid_grant' || code === 'expired_token') {
      throw new AuthError({
        code: 'REFRESH_TOKEN_REJECTED',
        message: `oauth: the refresh token was rejected: ${description} (REFRESH_TOKEN_REJECTED; server code ${errorCode}). It was already used, expired or revoked.`,
        hint: REAUTHORISE,
        serverCode: errorCode ?? '',
        httpStatus: response.status,
      });
    }
    if (code === 'invalid_client' || code === 'wrong_client') {
      throw new AuthError({
        code: 'OAUTH_CLIENT_REJECTED',
        message: `oauth: the OAuth server rejected the application's credentials: ${description} (OAUTH_CLIENT_REJECTED; server code ${errorCode}).`,
        hint: 'Check B24_CLIENT_ID and B24_CLIENT_SECRET, and that the application is installed on the portal.',
        serverCode: errorCode ?? '',
        httpStatus: response.status,
      });
    }
    throw new AuthError({
      code: 'TOKEN_REFRESH_FAILED',
      message: `oauth: the token refresh failed: ${description} (TOKEN_REFRESH_FAILED${errorCode === undefined ? '' : `; server code ${errorCode}`}).`,
      hint: `Check B24_OAUTH_URL (now the token endpoint ${auth.tokenUrl.replace(/\?.*$/, '')}). ${REAUTHORISE}`,
      ...(errorCode === undefined ? {} : { serverCode: errorCode }),
      httpStatus: response.status,
    });
  }
  const tokens: OAuthTokens = { accessToken: parsed.access_token as string };
  if (typeof parsed.refresh_token === 'string') tokens.refreshToken = parsed.refresh_token;
  const expires = Number(parsed.expires);
  const expiresIn = Number(parsed.expires_in);
  if (Number.isFinite(expires) && expires > 0) tokens.expiresAtMs = expires * 1000;
  else if (Number.isFinite(expiresIn) && expiresIn > 0) tokens.expiresAtMs = nowMs + expiresIn * 1000;
  if (typeof parsed.client_endpoint === 'string') tokens.clientEndpoint = parsed.client_endpoint;
  if (typeof parsed.server_endpoint === 'string') tokens.serverEndpoint = parsed.server_endpoint;
  if (typeof parsed.member_id === 'string') tokens.memberId = parsed.member_id;
  registerSecret(tokens.accessToken);
  registerSecret(tokens.refreshToken);
  return tokens;
}
