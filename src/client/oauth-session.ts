/**
 * The access token of one OAuth connection, renewed on `expired_token`: single-flight inside the
 * process (concurrent failures share one renewal) and across processes through the token store's
 * lock (the losers reload the tokens the winner saved instead of refreshing again, which would fail:
 * a refresh token works once).
 */
import { registerSecret } from '../errors/index.ts';
import type { Clock } from '../util/index.ts';
import type { OAuthAuth } from './connection.ts';
import { requestTokenRefresh } from './request-token-refresh.ts';
import { extendLineage, replacesRefreshToken, type OAuthTokens, type TokenLineage, type TokenStore } from './token-store.ts';
import type { Transport } from './transport.ts';

export interface OAuthSessionOptions {
  auth: OAuthAuth;
  tokenKey: string;
  store: TokenStore;
  transport: Transport;
  clock: Clock;
  /** Called with both new tokens after every refresh this process performs. */
  onTokens?: (tokens: OAuthTokens) => void | Promise<void>;
  onRefresh?: (event: { tokenKey: string; reloaded: boolean }) => void;
}

function mergeLineages(first: TokenLineage | undefined, second: TokenLineage | undefined): TokenLineage | undefined {
  if (first === undefined) return second;
  if (second === undefined) return first;
  return { origins: [...new Set([...first.origins, ...second.origins])], consumed: [...new Set([...first.consumed, ...second.consumed])] };
}

export class OAuthSession {
  private accessToken: string;
  private refreshToken: string | undefined;
  private clientEndpoint: string;
  /** The tokens held came from the connection settings, not from the store or a refresh. */
  private external = true;
  private lineage: TokenLineage | undefined;
  private renewal: Promise<void> | undefined;
  private loaded: Promise<void> | undefined;

  constructor(private readonly options: OAuthSessionOptions) {
    this.accessToken = options.auth.accessToken;
    this.refreshToken = options.auth.refreshToken;
    this.clientEndpoint = options.auth.clientEndpoint;
  }

  /** The token to send now (adopting what the store holds, once, at first use, when it is newer). */
  async current(): Promise<{ accessToken: string; clientEndpoint: string }> {
    this.loaded ??= this.options.store.load(this.options.tokenKey).then((stored) => {
      if (stored !== undefined && this.isNewer(stored)) this.adopt(stored);
    });
    await this.loaded;
    return { accessToken: this.accessToken, clientEndpoint: this.clientEndpoint };
  }

  /**
   * Whether stored tokens should replace the ones held: always for a store that is the tokens' home
   * (a profile); otherwise only when they were obtained with the refresh token held (which is then
   * used up: sending it again would be refused as REFRESH_TOKEN_REJECTED).
   */
  private isNewer(stored: OAuthTokens): boolean {
    if (stored.accessToken === this.accessToken) return true;
    if ((this.options.store.precedence ?? 'always') === 'always') return true;
    return replacesRefreshToken(stored, this.refreshToken);
  }

  private adopt(tokens: OAuthTokens): void {
    registerSecret(tokens.accessToken);
    registerSecret(tokens.refreshToken);
    this.accessToken = tokens.accessToken;
    if (tokens.refreshToken !== undefined) this.refreshToken = tokens.refreshToken;
    if (tokens.clientEndpoint?.startsWith(new URL(this.clientEndpoint).origin)) {
      this.clientEndpoint = tokens.clientEndpoint;
    }
    this.external = false;
    this.lineage = mergeLineages(tokens.lineage, this.lineage);
  }

  /** `failedToken` was refused as expired: make sure a newer token is current. */
  async renew(failedToken: string, signal?: AbortSignal): Promise<void> {
    if (this.accessToken !== failedToken) return;
    this.renewal ??= this.options.store
      .withLock(this.options.tokenKey, async () => {
        const stored = await this.options.store.load(this.options.tokenKey);
        if (stored !== undefined && stored.accessToken !== failedToken && this.isNewer(stored)) {
          this.adopt(stored);
          this.options.onRefresh?.({ tokenKey: this.options.tokenKey, reloaded: true });
          return;
        }
        const refreshToken = (stored?.accessToken === failedToken ? stored.refreshToken : undefined) ?? this.refreshToken;
        const fresh = await requestTokenRefresh(this.options.auth, refreshToken, this.options.transport, this.options.clock.now(), signal);
        // Every lineage the entry knew is kept: a process restarted with any of their environments finds these tokens.
        const saved: OAuthTokens = { ...fresh, lineage: extendLineage(mergeLineages(stored?.lineage, this.lineage), refreshToken, this.external) };
        await this.options.store.save(this.options.tokenKey, saved);
        this.adopt(saved);
        this.options.onRefresh?.({ tokenKey: this.options.tokenKey, reloaded: false });
        await this.options.onTokens?.(fresh);
      })
      .finally(() => {
        this.renewal = undefined;
      });
    await this.renewal;
  }
}
