/**
 * The credentials the emulated portals know: incoming webhooks, installed applications, their
 * access and refresh tokens. Tokens expire; a refresh replaces both tokens and the old refresh token
 * stops working (protocol.md §7).
 */
import { createHash, randomBytes } from 'node:crypto';
import { PortalState } from './portal-state.ts';

/** Every scope a new webhook or application gets unless told otherwise. */
export const ALL_SCOPES = [
  'crm',
  'task',
  'im',
  'imbot',
  'imopenlines',
  'imconnector',
  'user',
  'user_brief',
  'user_basic',
  'department',
  'disk',
  'bizproc',
  'lists',
  'sale',
  'catalog',
  'calendar',
  'timeman',
  'booking',
  'entity',
  'landing',
  'log',
  'sonet_group',
  'socialnetwork',
  'telephony',
  'messageservice',
  'mailservice',
  'documentgenerator',
  'biconnector',
  'ai_admin',
  'userconsent',
  'sign.b2e',
  'vote',
  'placement',
  'pull',
  'main',
  'intranet',
] as const;

export interface WebhookCredential {
  id: number;
  userId: number;
  code: string;
  scopes: Set<string>;
  portal: PortalState;
}

export interface AppCredential {
  clientId: string;
  clientSecret: string;
  applicationToken: string;
  scopes: Set<string>;
  portal: PortalState;
  userId: number;
}

interface AccessTokenRecord {
  app: AppCredential;
  userId: number;
  expiresAt: number;
}

interface RefreshTokenRecord {
  app: AppCredential;
  userId: number;
  used: boolean;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

export type AccessTokenLookup = { status: 'valid'; app: AppCredential; userId: number } | { status: 'expired'; app: AppCredential } | { status: 'unknown' };

export type RefreshOutcome =
  | { status: 'ok'; tokens: TokenPair; app: AppCredential; userId: number }
  | { status: 'invalid_client' }
  | { status: 'invalid_grant' };

function token(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function webhookCode(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(16), (byte) => alphabet[byte % alphabet.length]).join('');
}

export class CredentialRegistry {
  readonly portals: PortalState[] = [];
  private readonly webhooks = new Map<string, WebhookCredential>();
  private readonly apps = new Map<string, AppCredential>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private nextWebhookId = 1;

  constructor(private readonly tokenLifetimeMs: number) {}

  createPortal(domain: string): PortalState {
    const memberId = token(16);
    const portal = new PortalState({ memberId, domain });
    this.portals.push(portal);
    return portal;
  }

  addWebhook(portal: PortalState, options: { userId?: number; scopes?: readonly string[] } = {}): WebhookCredential {
    const webhook: WebhookCredential = {
      id: this.nextWebhookId++,
      userId: options.userId ?? 1,
      code: webhookCode(),
      scopes: new Set(options.scopes ?? ALL_SCOPES),
      portal,
    };
    this.webhooks.set(webhook.code, webhook);
    return webhook;
  }

  addApp(portal: PortalState, now: number, options: { userId?: number; scopes?: readonly string[] } = {}): { app: AppCredential; tokens: TokenPair } {
    const clientId = `local.${token(7)}.${Math.floor(10_000_000 + Math.random() * 89_999_999)}`;
    const clientSecret = token(25);
    const app: AppCredential = {
      clientId,
      clientSecret,
      // The server derives it as md5(memberId|appId|secret|sharedKey): stable per app per portal.
      applicationToken: createHash('md5').update(`${portal.memberId}|${clientId}|${clientSecret}|emulator`).digest('hex'),
      scopes: new Set(options.scopes ?? ALL_SCOPES),
      portal,
      userId: options.userId ?? 1,
    };
    this.apps.set(clientId, app);
    return { app, tokens: this.issueTokens(app, app.userId, now) };
  }

  findWebhook(code: string): WebhookCredential | undefined {
    return this.webhooks.get(code);
  }

  findApp(clientId: string): AppCredential | undefined {
    return this.apps.get(clientId);
  }

  lookupAccessToken(accessToken: string, now: number): AccessTokenLookup {
    const record = this.accessTokens.get(accessToken);
    if (!record) return { status: 'unknown' };
    if (record.expiresAt <= now) return { status: 'expired', app: record.app };
    return { status: 'valid', app: record.app, userId: record.userId };
  }

  refresh(clientId: string, clientSecret: string, refreshToken: string, now: number): RefreshOutcome {
    const app = this.apps.get(clientId);
    if (!app || app.clientSecret !== clientSecret) return { status: 'invalid_client' };
    const record = this.refreshTokens.get(refreshToken);
    if (!record || record.used || record.app !== app) return { status: 'invalid_grant' };
    record.used = true;
    return { status: 'ok', tokens: this.issueTokens(app, record.userId, now), app, userId: record.userId };
  }

  /** Every access token issued so far expires now (tests of the refresh path). */
  expireAccessTokens(now: number): void {
    for (const record of this.accessTokens.values()) record.expiresAt = Math.min(record.expiresAt, now);
  }

  private issueTokens(app: AppCredential, userId: number, now: number): TokenPair {
    const pair: TokenPair = { accessToken: token(24), refreshToken: token(24), expiresAt: now + this.tokenLifetimeMs };
    this.accessTokens.set(pair.accessToken, { app, userId, expiresAt: pair.expiresAt });
    this.refreshTokens.set(pair.refreshToken, { app, userId, used: false });
    return pair;
  }
}
