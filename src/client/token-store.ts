/**
 * Where OAuth tokens live between calls and processes. The credentials-file store is the default for
 * profiles (mode 0600, never the state database); its lock makes N processes with the same expired
 * token perform exactly one refresh: the others reload what the winner saved.
 */
import { createHash } from 'node:crypto';
import { systemClock, type Clock } from '../util/index.ts';
import { readCredentialsFile, updateProfile, withFileLock } from './credentials-file.ts';

export interface OAuthTokens {
  accessToken: string;
  refreshToken?: string;
  /** Unix ms. */
  expiresAtMs?: number;
  clientEndpoint?: string;
  serverEndpoint?: string;
  memberId?: string;
  /** Which refresh tokens these tokens replace (digests only), so a restart can tell stored from stale. */
  lineage?: TokenLineage;
}

/**
 * Digests (see `tokenDigest`) of refresh tokens already used up to obtain the stored tokens.
 * `origins`: those that came from outside the store (the environment), kept so a process restarted
 * with the same environment months later still knows the stored tokens are newer; `consumed`: the
 * latest ones the store itself handed out.
 */
export interface TokenLineage {
  origins: string[];
  consumed: string[];
}

export interface TokenStore {
  load(tokenKey: string): Promise<OAuthTokens | undefined>;
  save(tokenKey: string, tokens: OAuthTokens): Promise<void>;
  /** Runs `work` while no other holder of the same store and key runs its own. */
  withLock<T>(tokenKey: string, work: () => Promise<T>): Promise<T>;
  /**
   * Whether stored tokens replace the ones the connection was opened with: `always` (default) when the
   * store is where the tokens came from (a profile); `when-newer` when they came from elsewhere (the
   * environment) and the stored ones win only if they descend from them (`TokenLineage`).
   */
  readonly precedence?: 'always' | 'when-newer';
}

const LINEAGE_ORIGINS = 16;
const LINEAGE_CONSUMED = 32;

/** A short one-way digest of a token: enough to recognise it, useless to use it. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}

/** Whether `tokens` were obtained with `refreshToken` (directly or down the line). */
export function replacesRefreshToken(tokens: OAuthTokens, refreshToken: string | undefined): boolean {
  if (refreshToken === undefined || tokens.lineage === undefined) return false;
  const digest = tokenDigest(refreshToken);
  return tokens.lineage.origins.includes(digest) || tokens.lineage.consumed.includes(digest);
}

/** The lineage of tokens just obtained with `usedRefreshToken` (from outside the store when `external`). */
export function extendLineage(previous: TokenLineage | undefined, usedRefreshToken: string | undefined, external: boolean): TokenLineage {
  const digest = usedRefreshToken === undefined ? undefined : tokenDigest(usedRefreshToken);
  const prepend = (list: readonly string[], add: boolean): string[] =>
    digest === undefined || !add ? [...list] : [digest, ...list.filter((item) => item !== digest)];
  return {
    origins: prepend(previous?.origins ?? [], external).slice(0, LINEAGE_ORIGINS),
    consumed: prepend(previous?.consumed ?? [], !external).slice(0, LINEAGE_CONSUMED),
  };
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
    this.locks.set(
      tokenKey,
      run.catch(() => undefined),
    );
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
    // The profile is the tokens' home: no lineage is needed there.
    const { lineage: _lineage, ...profileTokens } = tokens;
    updateProfile(this.path, tokenKey, (profile) => ({ ...profile, ...profileTokens }));
  }

  withLock<T>(tokenKey: string, work: () => Promise<T>): Promise<T> {
    // One lock per file, not per profile: a save rewrites the whole file, so two profiles refreshed at
    // once must not both read the old file.
    void tokenKey;
    return withFileLock(`${this.path}.lock`, work, {
      clock: this.options.clock ?? systemClock,
      ...(this.options.lockTimeoutMs === undefined ? {} : { timeoutMs: this.options.lockTimeoutMs }),
    });
  }
}
