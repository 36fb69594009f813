/**
 * Connection settings → a `Connection`. Sources, strongest first: explicit options, a named profile
 * from the credentials file, the seed-compatible environment map (passed in, never read from
 * `process.env` here). Every secret is registered for redaction.
 */
import { ConnectionConfigError } from '../errors/index.ts';
import { registerSecret } from '../errors/index.ts';
import type { LimiterStoreKind } from '../limiter/index.ts';
import { LIMITER_PRESETS } from '../limiter/index.ts';
import type { Connection, AuthSettings, LimiterSettings } from './connection.ts';
import { readCredentialsFile, type PortalProfile } from './credentials-file.ts';
import { limiterKeysOf } from './limiter-keys.ts';
import { readFleetLimiterSettings, type FleetLimiterSettings } from './read-fleet-limiter-settings.ts';
import { assertSecureUrl } from './loopback-guard.ts';

export const DEFAULT_OAUTH_URL = 'https://oauth.bitrix.info/oauth/';

export interface ConnectionOptions extends PortalProfile {
  /** A full incoming-webhook URL (`https://portal/rest/1/CODE/`): domain, user and code at once. */
  webhookUrl?: string;
}

export interface ResolveConnectionInput {
  /** Explicit settings; they win over the profile and the environment. */
  options?: ConnectionOptions;
  /** The environment map (B24_DOMAIN, B24_AUTH_MODE, ...), passed in by the CLI. */
  env?: Readonly<Record<string, string | undefined>>;
  /** A profile name (`--portal NAME`) in `credentialsFile`. */
  profile?: string;
  credentialsFile?: string;
  /** Limiter store when none is configured (the library: memory; the CLI passes sqlite). */
  defaultRateLimiter?: LimiterStoreKind;
}

function fromEnvironment(env: Readonly<Record<string, string | undefined>>): ConnectionOptions {
  const options: ConnectionOptions = {};
  const set = <K extends keyof ConnectionOptions>(key: K, value: ConnectionOptions[K] | undefined): void => {
    if (value !== undefined && value !== '') options[key] = value;
  };
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const number = (name: string): number | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) {
      throw new ConnectionConfigError({
        setting: name,
        code: 'INVALID_SETTING',
        detail: `"${value}" is not a positive number`,
        hint: `Set ${name} to a number such as 2.`,
      });
    }
    return parsed;
  };
  set('domain', text('B24_DOMAIN'));
  const mode = text('B24_AUTH_MODE');
  if (mode !== undefined) {
    if (mode !== 'webhook' && mode !== 'oauth') {
      throw new ConnectionConfigError({
        setting: 'B24_AUTH_MODE',
        code: 'INVALID_SETTING',
        detail: `"${mode}" is not an auth mode`,
        hint: 'Use webhook or oauth.',
      });
    }
    options.authMode = mode;
  }
  set('webhookUserId', text('B24_WEBHOOK_USER_ID'));
  set('webhookCode', text('B24_WEBHOOK_CODE'));
  set('accessToken', text('B24_ACCESS_TOKEN'));
  set('refreshToken', text('B24_REFRESH_TOKEN'));
  set('clientId', text('B24_CLIENT_ID'));
  set('clientSecret', text('B24_CLIENT_SECRET'));
  set('oauthUrl', text('B24_OAUTH_URL'));
  set('rateLimiter', text('B24_RATE_LIMITER'));
  set('rate', number('B24_RATE_LIMITER_RATE'));
  set('burst', number('B24_RATE_LIMITER_BURST'));
  return options;
}

function definedOnly(options: object): ConnectionOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined && value !== '')) as ConnectionOptions;
}

/**
 * `portal.bitrix24.com`, `https://portal.bitrix24.com/`, `http://127.0.0.1:8080`,
 * `http://127.0.0.1:8080/portal/p7/` → the base URL, whose `pathname` is the portal's path prefix
 * (`/` when none; a trailing `/rest` is dropped). A path with a `rest` segment inside (a webhook URL
 * pasted as the domain) is refused.
 */
export function normalizeBaseUrl(domain: string, setting: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(domain) ? domain : `https://${domain}`;
  const url = assertSecureUrl(withScheme, setting);
  const prefix = url.pathname.replace(/\/+$/, '').replace(/\/rest$/i, '');
  if (prefix.split('/').some((segment) => segment.toLowerCase() === 'rest') || url.search !== '' || url.hash !== '') {
    throw new ConnectionConfigError({
      setting,
      code: 'INVALID_URL',
      detail: `has a path (${url.pathname}${url.search}); only a host or a base URL is expected`,
      hint: 'Give the portal host (portal.bitrix24.com) or scheme://host:port[/prefix]; put webhook details in B24_WEBHOOK_USER_ID and B24_WEBHOOK_CODE.',
    });
  }
  url.pathname = prefix === '' ? '/' : prefix;
  return url;
}

/** `host[:port][/prefix]`: what tells two portals apart, also two portals behind one host (the emulator's `/portal/pN`). */
export function portalAddress(base: URL): string {
  return `${base.host}${base.pathname === '/' ? '' : base.pathname}`;
}

/** `https://oauth.bitrix.info/oauth/` or a `server_endpoint` such as `…/rest/` → the token endpoint. */
export function tokenEndpointFrom(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  if (/\/oauth\/token$/.test(trimmed)) return `${trimmed}/`;
  if (/\/rest$/.test(trimmed)) return `${trimmed.slice(0, -'/rest'.length)}/oauth/token/`;
  if (/\/oauth$/.test(trimmed)) return `${trimmed}/token/`;
  return `${trimmed}/oauth/token/`;
}

function parseWebhookUrl(webhookUrl: string): ConnectionOptions {
  const url = assertSecureUrl(webhookUrl, 'webhookUrl');
  const match = /^(.*?)\/rest\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
  if (!match) {
    throw new ConnectionConfigError({
      setting: 'webhookUrl',
      code: 'INVALID_URL',
      detail: 'is not an incoming-webhook URL',
      hint: 'The form is https://PORTAL/rest/USER_ID/CODE/.',
    });
  }
  return { domain: `${url.protocol}//${url.host}${match[1]}`, authMode: 'webhook', webhookUserId: match[2] as string, webhookCode: match[3] as string };
}

/**
 * The limiter store: `B24_RATE_LIMITER` (or a profile's `rateLimiter`) when it names one, else Redis
 * when `B24_REDIS_URL` is set, else the caller's default. With `B24_REDIS_URL` set, `sqlite`/`file`
 * (budgets per host) still mean Redis (one budget across hosts, which includes the host's processes);
 * only an explicit `memory` keeps a private budget.
 */
function limiterKind(value: string | undefined, fallback: LimiterStoreKind, fleet: FleetLimiterSettings): LimiterStoreKind {
  const lower = value?.toLowerCase();
  if (lower === 'memory') return 'memory';
  if (lower === 'redis') {
    if (fleet.redisUrl === undefined) throw missing('B24_REDIS_URL', 'B24_RATE_LIMITER=redis needs B24_REDIS_URL=redis://host:6379 (or rediss:// for TLS).');
    return 'redis';
  }
  if (fleet.redisUrl !== undefined && (lower === undefined || lower === 'sqlite' || lower === 'file')) return 'redis';
  if (lower === undefined) return fallback;
  if (lower === 'sqlite' || lower === 'file') return 'sqlite';
  throw new ConnectionConfigError({
    setting: 'B24_RATE_LIMITER',
    code: 'INVALID_SETTING',
    detail: `"${value}" is not a limiter store`,
    hint: 'Use memory, sqlite (file means sqlite) or redis (with B24_REDIS_URL).',
  });
}

function limiterSettings(merged: ConnectionOptions, fallback: LimiterStoreKind, fleet: FleetLimiterSettings): LimiterSettings {
  const store = limiterKind(merged.rateLimiter, fallback, fleet);
  return {
    store,
    rate: merged.rate ?? LIMITER_PRESETS.standard.rate,
    burst: merged.burst ?? LIMITER_PRESETS.standard.burst,
    ...(store === 'redis' && fleet.redisUrl !== undefined
      ? { redis: { url: fleet.redisUrl, ...(fleet.redisPrefix === undefined ? {} : { prefix: fleet.redisPrefix }) } }
      : {}),
  };
}

function missing(setting: string, hint: string): ConnectionConfigError {
  return new ConnectionConfigError({ setting, code: 'MISSING_SETTING', detail: 'is not set', hint });
}

export function resolveConnection(input: ResolveConnectionInput): Connection {
  let profileOptions: ConnectionOptions = {};
  if (input.profile !== undefined) {
    if (input.credentialsFile === undefined) throw missing('credentials file', `Profile "${input.profile}" needs a credentials file.`);
    const profile = readCredentialsFile(input.credentialsFile).portals[input.profile];
    if (profile === undefined) {
      throw new ConnectionConfigError({
        setting: `profile "${input.profile}"`,
        code: 'UNKNOWN_PROFILE',
        detail: `is not in ${input.credentialsFile}`,
        hint: 'Add it under "portals" in the credentials file, or pick another --portal.',
      });
    }
    profileOptions = profile;
  }
  const { webhookUrl, ...explicit } = input.options ?? {};
  const fromWebhookUrl = webhookUrl === undefined ? {} : parseWebhookUrl(webhookUrl);
  const merged: ConnectionOptions = {
    ...definedOnly(fromEnvironment(input.env ?? {})),
    ...definedOnly(profileOptions),
    ...definedOnly(fromWebhookUrl),
    ...definedOnly(explicit),
  };

  for (const secret of [merged.webhookCode, merged.accessToken, merged.refreshToken, merged.clientSecret]) registerSecret(secret);
  if (merged.domain === undefined) throw missing('B24_DOMAIN', 'Set B24_DOMAIN to the portal host (portal.bitrix24.com) or base URL.');
  const base = normalizeBaseUrl(merged.domain, 'B24_DOMAIN');
  const address = portalAddress(base);
  const baseUrl = `${base.protocol}//${address}`;
  const mode = merged.authMode ?? (merged.webhookCode !== undefined ? 'webhook' : merged.accessToken !== undefined ? 'oauth' : undefined);
  if (mode === undefined)
    throw missing('B24_AUTH_MODE', 'Set B24_AUTH_MODE=webhook with B24_WEBHOOK_USER_ID and B24_WEBHOOK_CODE, or oauth with B24_ACCESS_TOKEN.');

  let auth: AuthSettings;
  if (mode === 'webhook') {
    if (merged.webhookCode === undefined) throw missing('B24_WEBHOOK_CODE', 'Set the secret part of the incoming-webhook URL.');
    if (merged.webhookUserId === undefined) throw missing('B24_WEBHOOK_USER_ID', 'Set the user id part of the incoming-webhook URL (the number after /rest/).');
    auth = { mode: 'webhook', userId: String(merged.webhookUserId), code: merged.webhookCode };
  } else {
    if (merged.accessToken === undefined)
      throw missing('B24_ACCESS_TOKEN', 'Set the application access token (and B24_REFRESH_TOKEN, B24_CLIENT_ID, B24_CLIENT_SECRET to renew it).');
    const clientEndpoint = merged.clientEndpoint ?? `${baseUrl}/rest/`;
    assertSecureUrl(clientEndpoint, 'clientEndpoint');
    const tokenUrl = tokenEndpointFrom(merged.oauthUrl ?? merged.serverEndpoint ?? DEFAULT_OAUTH_URL);
    assertSecureUrl(tokenUrl, 'B24_OAUTH_URL');
    auth = {
      mode: 'oauth',
      accessToken: merged.accessToken,
      tokenUrl,
      clientEndpoint: clientEndpoint.endsWith('/') ? clientEndpoint : `${clientEndpoint}/`,
      ...(merged.refreshToken === undefined ? {} : { refreshToken: merged.refreshToken }),
      ...(merged.clientId === undefined ? {} : { clientId: merged.clientId }),
      ...(merged.clientSecret === undefined ? {} : { clientSecret: merged.clientSecret }),
      ...(merged.expiresAtMs === undefined ? {} : { expiresAtMs: merged.expiresAtMs }),
    };
  }
  const portalKey = mode === 'oauth' && merged.memberId !== undefined ? merged.memberId : address;
  const fleet = readFleetLimiterSettings(input.env ?? {});
  const keys = limiterKeysOf(address, auth, fleet.egressLabel);
  const connection: Connection = {
    baseUrl,
    host: base.host,
    portalKey,
    limiterKey: keys.bucket,
    operatingKey: keys.operating,
    tokenKey: input.profile ?? portalKey,
    auth,
    limiter: limiterSettings(merged, input.defaultRateLimiter ?? 'memory', fleet),
  };
  if (merged.memberId !== undefined) connection.memberId = merged.memberId;
  if (input.profile !== undefined) connection.profile = input.profile;
  if (input.profile !== undefined && input.credentialsFile !== undefined) connection.credentialsFile = input.credentialsFile;
  return connection;
}
