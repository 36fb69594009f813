/**
 * Where OAuth tokens live between calls and processes. The credentials-file store is the default for
 * profiles (mode 0600, never the state database); its lock makes N processes with the same expired
 * token perform exactly one refresh: the others reload what the winner saved.
 */
import { systemClock, type Clock } from '../util/clock.ts';
import { readCredentialsFile, updateProfile, withFileLock } from './credentials-file.ts';

export interface OAuthTokens {
  accessToken: string;
  refreshToken?: string;
  /** Unix ms. */
  expiresAtMs?: number;
  clientEndpoint?: string;
  serverEndpoint?: string;
  memberId?: string;
}

export interface TokenStore {
  load(tokenKey: string): Promise<OAuthTokens | undefined>;
  save(tokenKey: string, tokens: OAuthTokens): Promise<void>;
  /** Runs `work` while no other holder of the same store and key runs its own. */
  withLock<T>(tokenKey: string, work: () => Promise<T>): Promise<T>;
}

/** Tokens kept in this process only (the lock serialises callers of this store). */
export class MemoryTokenStore implements TokenStore {
  private readonly tokens = new Map<string, OAuthTokens>();
  private readonly locks = new Map<string, Promise<unknown>>();

  async load(tokenKey: string): Promise<OAuthTokens | undefined> {
    const tokens = this.tokens.get(tokenKey);
    return tokens === undefined ? undefined : { ...tokens };
  }

  async save(tokenKey: string, tokens: OAuthTokens): Promise<void> {
    this.tokens.set(tokenKey, { ...tokens });
  }

  async withLock<T>(tokenKey: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(tokenKey) ?? Promise.resolve();
    const run = previous.then(work, work);
    this.locks.set(tokenKey, run.catch(() => undefined));
    return run;
  }
}

/** Tokens saved into the profile of the credentials file (keys are profile names). */
export class CredentialsFileTokenStore implements TokenStore {
  constructor(
    private readonly path: string,
    private readonly options: { clock?: Clock; lockTimeoutMs?: number } = {},
  ) {}

  async load(tokenKey: string): Promise<OAuthTokens | undefined> {
    const profile = readCredentialsFile(this.path).portals[tokenKey];
    if (profile?.accessToken === undefined) return undefined;
    const tokens: OAuthTokens = { accessToken: profile.accessToken };
    if (profile.refreshToken !== undefined) tokens.refreshToken = profile.refreshToken;
    if (profile.expiresAtMs !== undefined) tokens.expiresAtMs = profile.expiresAtMs;
    if (profile.clientEndpoint !== undefined) tokens.clientEndpoint = profile.clientEndpoint;
    if (profile.serverEndpoint !== undefined) tokens.serverEndpoint = profile.serverEndpoint;
    if (profile.memberId !== undefined) tokens.memberId = profile.memberId;
    return tokens;
  }

  async save(tokenKey: string, tokens: OAuthTokens): Promise<void> {
    updateProfile(this.path, tokenKey, (profile) => ({ ...profile, ...tokens }));
  }

  withLock<T>(tokenKey: string, work: () => Promise<T>): Promise<T> {
    const lockPath = `${this.path}.${tokenKey.replace(/[^A-Za-z0-9_.-]/g, '_')}.lock`;
    return withFileLock(lockPath, work, {
      clock: this.options.clock ?? systemClock,
      ...(this.options.lockTimeoutMs === undefined ? {} : { timeoutMs: this.options.lockTimeoutMs }),
    });
  }
}
