/** A resolved connection to one portal: where, how to authenticate, and how to limit. */
import type { LimiterStoreKind } from '../limiter/index.ts';

export interface WebhookAuth {
  mode: 'webhook';
  userId: string;
  code: string;
}

export interface OAuthAuth {
  mode: 'oauth';
  accessToken: string;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  /** Where refreshed tokens are requested (`…/oauth/token/`). */
  tokenUrl: string;
  /** `https://portal/rest/`: method URLs are this plus the method name. */
  clientEndpoint: string;
  /** Unix ms; unknown when absent. */
  expiresAtMs?: number;
}

export type AuthSettings = WebhookAuth | OAuthAuth;

export interface LimiterSettings {
  store: LimiterStoreKind;
  rate: number;
  burst: number;
  /** The Redis store (`B24_REDIS_URL`, `B24_REDIS_PREFIX`); set when `store` is `redis`. */
  redis?: { url: string; prefix?: string };
}

export interface Connection {
  /** `https://host[:port][/prefix]`, no trailing slash (a prefix such as the emulator's `/portal/p7`). */
  baseUrl: string;
  /** `host[:port]`. */
  host: string;
  /** Keys tokens, state, plans and idempotency records: `host[:port][/prefix]` for webhooks, member_id for applications. */
  portalKey: string;
  /**
   * Keys the limiter's request bucket: the portal's `host[:port][/prefix]`, plus `#label` with B24_EGRESS_LABEL (the
   * portal's bucket is per portal and source IP).
   */
  limiterKey: string;
  /** Keys the limiter's operating budget: portal host, auth kind and a digest of the credential (`limiter-keys.ts`). */
  operatingKey: string;
  /** Keys the stored tokens: the profile name when the connection came from a profile, else `portalKey`. */
  tokenKey: string;
  auth: AuthSettings;
  memberId?: string;
  /** The named profile used, if any. */
  profile?: string;
  /** The credentials file the profile came from (tokens are saved back to it). */
  credentialsFile?: string;
  limiter: LimiterSettings;
}
