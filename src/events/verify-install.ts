/**
 * Whether an install post really comes from the portal it names (DESIGN.md §8). A post is only a
 * claim: anyone can send `member_id=X` with a token of their own. It is accepted when
 * 1. its `server_endpoint` is on the trusted OAuth server (the configured one; a post cannot name
 *    its own judge: an untrusted server gets no request),
 * 2. the OAuth server's `app.info`, asked with the install's `access_token`, confirms the posted
 *    `member_id` and the configured application's client id (`client_id`, or `CODE` for a local app),
 * 3. the portal's `app.info` at the client endpoint accepts the same token (so REST calls for this
 *    member go to the portal the token belongs to). For a portal the operator configured (a profile
 *    with its domain, and `memberId` if known), the profile's endpoint and application are used and
 *    must agree with the post.
 * Only `app.info` is sent, over the transport the caller gives (the loopback guard refuses plain HTTP
 * beyond 127.0.0.1). No token appears in a reason.
 */
import { ConnectionConfigError } from '../errors/index.ts';
import type { Transport } from '../client/index.ts';
import { assertSecureUrl } from '../client/index.ts';
import { buildQuery } from '../protocol/index.ts';
import type { InstallClaim } from './read-install-claim.ts';
import type { ConfiguredPortal, ReceiverTrust, TrustedApplication } from './receiver-trust.ts';

export interface VerifiedInstall {
  memberId: string;
  /** `host[:port]` of the client endpoint. */
  host: string;
  clientEndpoint: string;
  serverEndpoint: string;
  accessToken: string;
  refreshToken?: string;
  /** Unix ms. */
  expiresAtMs?: number;
  application: TrustedApplication;
  /** For the log: `the OAuth server` or `profile NAME and the OAuth server`. */
  verifiedBy: string;
}

export type InstallVerdict =
  | { ok: true; install: VerifiedInstall }
  /** 403: not proven; 503: the OAuth server or the portal could not be asked (the portal may post again). */
  | { ok: false; status: 403 | 503; code: string; reason: string };

type AppInfoAnswer = { kind: 'ok'; result: Record<string, unknown> } | { kind: 'refused'; detail: string } | { kind: 'unavailable'; detail: string };

function refused(code: string, reason: string): InstallVerdict {
  return { ok: false, status: 403, code, reason };
}

async function askAppInfo(transport: Transport, endpoint: string, accessToken: string, label: string): Promise<AppInfoAnswer> {
  let response;
  try {
    response = await transport.send(
      {
        method: 'POST',
        url: `${endpoint}app.info`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: buildQuery({ auth: accessToken }),
      },
      label,
    );
  } catch (error) {
    return { kind: 'unavailable', detail: error instanceof Error ? error.name : 'request failed' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.bodyText);
  } catch {
    parsed = undefined;
  }
  const body = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  const result = body.result;
  if (response.status === 200 && result !== null && typeof result === 'object' && !Array.isArray(result))
    return { kind: 'ok', result: result as Record<string, unknown> };
  const code = typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
  if (response.status >= 500 || response.status === 429) return { kind: 'unavailable', detail: code };
  return { kind: 'refused', detail: code };
}

function field(result: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = result[name];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  const install = result.install;
  if (install !== null && typeof install === 'object' && !Array.isArray(install)) {
    for (const name of names) {
      const value = (install as Record<string, unknown>)[name];
      if (typeof value === 'string' && value !== '') return value;
    }
  }
  return undefined;
}

function checkedUrl(url: string, setting: string): URL | undefined {
  try {
    return assertSecureUrl(url, setting);
  } catch (error) {
    if (error instanceof ConnectionConfigError) return undefined;
    throw error;
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function hostOfClaim(claim: InstallClaim): string | undefined {
  if (claim.clientEndpoint !== '') return checkedUrl(claim.clientEndpoint, 'client_endpoint')?.host;
  return claim.domain === '' ? undefined : claim.domain.toLowerCase();
}

/** The profile this install is for: by `member_id`, else by the host it names. */
function findConfigured(claim: InstallClaim, trust: ReceiverTrust): ConfiguredPortal | InstallVerdict | undefined {
  const byMember = trust.portals.find((portal) => portal.memberId === claim.memberId);
  if (byMember) return byMember;
  const host = hostOfClaim(claim);
  const byHost = host === undefined ? undefined : trust.portals.find((portal) => portal.host.toLowerCase() === host.toLowerCase());
  if (byHost?.memberId !== undefined) {
    return refused('MEMBER_MISMATCH', `profile ${byHost.name} configures ${byHost.host} for another member_id`);
  }
  return byHost;
}

export async function verifyInstall(claim: InstallClaim, trust: ReceiverTrust, transport: Transport, nowMs: number): Promise<InstallVerdict> {
  if (claim.accessToken === '') return refused('INSTALL_NOT_VERIFIED', 'the post carries no auth[access_token] to verify');
  const configured = findConfigured(claim, trust);
  if (configured !== undefined && 'ok' in configured) return configured;
  const application = configured?.application ?? trust.application;
  const oauthServer = configured?.oauthServer ?? trust.oauthServer;
  const serverUrl = checkedUrl(claim.serverEndpoint, 'server_endpoint');
  if (serverUrl === undefined || serverUrl.origin !== oauthServer) {
    return refused('UNTRUSTED_OAUTH_SERVER', `its server_endpoint is not the trusted OAuth server ${oauthServer} (no request sent to it)`);
  }
  let clientEndpoint: string;
  if (configured) {
    clientEndpoint = configured.clientEndpoint;
    const claimed = claim.clientEndpoint === '' ? undefined : checkedUrl(claim.clientEndpoint, 'client_endpoint');
    if (claimed !== undefined && claimed.origin !== new URL(clientEndpoint).origin) {
      return refused('ENDPOINT_MISMATCH', `its client_endpoint is not the one profile ${configured.name} configures`);
    }
  } else {
    const claimed = claim.clientEndpoint === '' ? undefined : checkedUrl(claim.clientEndpoint, 'client_endpoint');
    if (claimed === undefined) return refused('INSTALL_NOT_VERIFIED', 'its client_endpoint is missing or not an https (or loopback) URL');
    clientEndpoint = withSlash(claimed.href);
  }

  const server = await askAppInfo(transport, withSlash(serverUrl.href), claim.accessToken, 'app.info (OAuth server)');
  if (server.kind === 'unavailable')
    return { ok: false, status: 503, code: 'VERIFICATION_UNAVAILABLE', reason: `the OAuth server could not be asked (${server.detail})` };
  if (server.kind === 'refused') return refused('INSTALL_NOT_VERIFIED', `the OAuth server did not confirm its access token (${server.detail})`);
  const memberId = field(server.result, 'member_id', 'MEMBER_ID');
  if (memberId !== claim.memberId)
    return refused('INSTALL_NOT_VERIFIED', `the OAuth server says the token belongs to ${memberId === undefined ? 'no member' : 'another member'}`);
  const clientId = field(server.result, 'client_id', 'CLIENT_ID', 'CODE');
  if (clientId !== application.clientId) return refused('INSTALL_NOT_VERIFIED', 'the OAuth server says the token belongs to another application');

  const portal = await askAppInfo(transport, clientEndpoint, claim.accessToken, 'app.info (portal)');
  if (portal.kind === 'unavailable')
    return { ok: false, status: 503, code: 'VERIFICATION_UNAVAILABLE', reason: `the portal could not be asked (${portal.detail})` };
  if (portal.kind === 'refused') return refused('INSTALL_NOT_VERIFIED', `the portal at its client_endpoint refused its access token (${portal.detail})`);

  const install: VerifiedInstall = {
    memberId: claim.memberId,
    host: new URL(clientEndpoint).host,
    clientEndpoint,
    serverEndpoint: withSlash(serverUrl.href),
    accessToken: claim.accessToken,
    application,
    verifiedBy: configured ? `profile ${configured.name} and the OAuth server` : 'the OAuth server',
  };
  if (claim.refreshToken !== undefined) install.refreshToken = claim.refreshToken;
  if (claim.expiresInSeconds !== undefined) install.expiresAtMs = nowMs + claim.expiresInSeconds * 1000;
  return { ok: true, install };
}
