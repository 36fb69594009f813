/**
 * What `chain serve-events` trusts when a portal installs the application (DESIGN.md §8): the
 * application (its client id, and secret for token refreshes), the OAuth server that confirms install
 * tokens, and the portals the operator configured (named profiles of the credentials file). Read once
 * at start from the settings the CLI passes in (never from `process.env` here); nothing a posted form
 * says can add to it.
 */
import { normalizeBaseUrl } from '../client/index.ts';
import { assertSecureUrl } from '../client/index.ts';
import { readCredentialsFile, type PortalProfile } from '../client/index.ts';
import { registerSecret } from '../errors/index.ts';
import { EventsRefusedError } from './event-errors.ts';

/** The real OAuth server; `server_endpoint` of every cloud install is on it. */
export const DEFAULT_OAUTH_SERVER = 'https://oauth.bitrix.info/';

export interface TrustedApplication {
  clientId: string;
  clientSecret?: string;
}

export interface ConfiguredPortal {
  /** The profile name. */
  name: string;
  memberId?: string;
  /** `host[:port]` of the profile's domain. */
  host: string;
  /** Where this portal's REST calls go (the profile's, never the posted one). */
  clientEndpoint: string;
  /** The OAuth server that confirms this portal's install tokens. */
  oauthServer: string;
  application: TrustedApplication;
}

export interface LimiterChoice {
  rateLimiter?: string;
  rate?: number;
  burst?: number;
}

export interface ReceiverTrust {
  /** The application of portals no profile names. */
  application: TrustedApplication;
  /** The OAuth server of portals no profile names (its origin is what is trusted). */
  oauthServer: string;
  portals: ConfiguredPortal[];
  /** Limiter settings of every portal's client. */
  limiter: LimiterChoice;
}

export interface ResolveReceiverTrustInput {
  env: Readonly<Record<string, string | undefined>>;
  credentialsFile?: string;
  /** `--portal NAME`: the application and OAuth server come from this profile. */
  profile?: string;
}

function text(value: string | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
}

function numberSetting(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const value = text(env[name]);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) {
    throw new EventsRefusedError(`chain serve-events: ${name} "${value}" is not a positive number (INVALID_SETTING).`, {
      code: 'INVALID_SETTING',
      hint: `Set ${name} to a number such as 2.`,
    });
  }
  return parsed;
}

/** `https://oauth.bitrix.info/oauth/`, `…/rest/`, `http://127.0.0.1:PORT/oauth/` → the server's origin, checked. */
export function oauthServerOrigin(url: string, setting: string): string {
  return assertSecureUrl(url, setting).origin;
}

function configuredPortal(
  name: string,
  profile: PortalProfile,
  fallback: { application: TrustedApplication; oauthServer: string },
): ConfiguredPortal | undefined {
  const domain = text(profile.domain);
  if (domain === undefined) return undefined;
  const base = normalizeBaseUrl(domain, `profile "${name}" domain`);
  const clientEndpoint = text(profile.clientEndpoint) ?? `${base.origin}/rest/`;
  assertSecureUrl(clientEndpoint, `profile "${name}" clientEndpoint`);
  const clientId = text(profile.clientId);
  const clientSecret = text(profile.clientSecret);
  registerSecret(clientSecret);
  const portal: ConfiguredPortal = {
    name,
    host: base.host,
    clientEndpoint: clientEndpoint.endsWith('/') ? clientEndpoint : `${clientEndpoint}/`,
    oauthServer: oauthServerOrigin(text(profile.oauthUrl) ?? text(profile.serverEndpoint) ?? fallback.oauthServer, `profile "${name}" oauthUrl`),
    application: clientId === undefined ? fallback.application : { clientId, ...(clientSecret === undefined ? {} : { clientSecret }) },
  };
  const memberId = text(profile.memberId);
  if (memberId !== undefined) portal.memberId = memberId;
  return portal;
}

export function resolveReceiverTrust(input: ResolveReceiverTrustInput): ReceiverTrust {
  const profiles = input.credentialsFile === undefined ? {} : readCredentialsFile(input.credentialsFile).portals;
  const chosen: PortalProfile = input.profile === undefined ? {} : (profiles[input.profile] ?? {});
  if (input.profile !== undefined && profiles[input.profile] === undefined) {
    throw new EventsRefusedError(`chain serve-events: profile "${input.profile}" is not in the credentials file (UNKNOWN_PROFILE).`, {
      code: 'UNKNOWN_PROFILE',
      hint: 'Add it under "portals" in the file named by B24_CREDENTIALS, or pick another --portal.',
    });
  }
  const clientId = text(chosen.clientId) ?? text(input.env.B24_CLIENT_ID);
  if (clientId === undefined) {
    throw new EventsRefusedError('chain serve-events: no application to check installs against (RECEIVER_APPLICATION_MISSING).', {
      code: 'RECEIVER_APPLICATION_MISSING',
      hint: 'Set B24_CLIENT_ID (and B24_CLIENT_SECRET, so tokens can be renewed) to your application, or pass --portal NAME of a profile that has clientId.',
    });
  }
  const clientSecret = text(chosen.clientSecret) ?? text(input.env.B24_CLIENT_SECRET);
  registerSecret(clientSecret);
  const application: TrustedApplication = { clientId, ...(clientSecret === undefined ? {} : { clientSecret }) };
  const oauthServer = oauthServerOrigin(
    text(chosen.oauthUrl) ?? text(chosen.serverEndpoint) ?? text(input.env.B24_OAUTH_URL) ?? DEFAULT_OAUTH_SERVER,
    'B24_OAUTH_URL',
  );
  const portals: ConfiguredPortal[] = [];
  for (const [name, profile] of Object.entries(profiles)) {
    const portal = configuredPortal(name, profile, { application, oauthServer });
    if (portal) portals.push(portal);
  }
  const limiter: LimiterChoice = {};
  const rateLimiter = text(input.env.B24_RATE_LIMITER);
  if (rateLimiter !== undefined) limiter.rateLimiter = rateLimiter;
  const rate = numberSetting(input.env, 'B24_RATE_LIMITER_RATE');
  if (rate !== undefined) limiter.rate = rate;
  const burst = numberSetting(input.env, 'B24_RATE_LIMITER_BURST');
  if (burst !== undefined) limiter.burst = burst;
  return { application, oauthServer, portals, limiter };
}
