/**
 * The one way every command opens a portal client (run, plan, resume, call, worker, events,
 * serve-events): the connection (explicit settings > `--portal` profile > environment), the shared
 * limiter store and the token store, resolved the same way for all. Reads no globals: the CLI passes
 * its environment map in.
 *
 * - Limiter: one SQLite store per user and host (`B24_LIMITER_DB`, else `$XDG_STATE_HOME/b24chain/limiter.db`,
 *   else `~/.local/state/b24chain/limiter.db`), so every process shares one budget per portal; with
 *   `B24_REDIS_URL`, Redis, so every process of every host does (checked before the client is made:
 *   Redis unreachable is a `LimiterStoreError`, nothing sent).
 * - Tokens (OAuth only): a profile's tokens go back into its credentials file (the profile is their
 *   home: what it holds is used); tokens from the environment go to the tokens file
 *   (`B24_TOKENS_FILE`, else `…/b24chain/tokens.json`) under `<portal>|<client_id>`, and the stored ones
 *   are used only when they were obtained with the environment's refresh token (else the environment,
 *   a newer authorisation, wins). Refreshes are single-flight across processes through the file's lock.
 * - With `B24_DATABASE_URL=postgres://…` (a fleet): every connection's tokens, a profile's too, live in
 *   the state database on PostgreSQL under `<portal>|<client_id>`, so every host uses what any host
 *   refreshed; refreshes are single-flight across hosts (an advisory lock). Stored tokens win only when
 *   they descend from the connection's refresh token, as with the tokens file. An explicit `tokenStore` wins.
 */
import { existsSync } from 'node:fs';
import type { LimiterStore, LimiterStoreKind } from '../limiter/index.ts';
import { RedisLimiterStore } from '../limiter/index.ts';
import { isPostgresUrl, openStateDatabase, PostgresDatabase, PostgresTokenStore, redactDatabaseUrl } from '../store/index.ts';
import { B24Client, type B24ClientOptions } from './b24-client.ts';
import type { Connection } from './connection.ts';
import { assertPrivateFile } from './credentials-file.ts';
import { resolveConnection, type ConnectionOptions } from './resolve-connection.ts';
import { resolveUserStatePaths, userStateMissing } from './resolve-user-state-paths.ts';
import { CredentialsFileTokenStore, type TokenStore } from './token-store.ts';
import { TokensFileTokenStore } from './tokens-file-store.ts';

export interface OpenPortalClientOptions {
  /**
   * The environment map: seed-compatible connection settings (`B24_DOMAIN`, ...), `B24_CREDENTIALS`,
   * and for the per-user files `B24_LIMITER_DB`, `B24_TOKENS_FILE`, `XDG_STATE_HOME`, `HOME`;
   * `B24_DATABASE_URL` (postgres://) keeps OAuth tokens in the shared state database.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Explicit settings (e.g. one installed portal's tokens); they win over the profile and the environment. */
  connection?: ConnectionOptions;
  /** A profile name (`--portal NAME`) in the credentials file. */
  profile?: string;
  /** Default: `env.B24_CREDENTIALS`. */
  credentialsFile?: string;
  /** Where this connection's tokens are stored: default the profile name, else `<portal key>|<client_id>`. */
  tokenKey?: string;
  /** Overrides the token store chosen above (e.g. a per-portal store of installed applications). */
  tokenStore?: TokenStore;
  /** Overrides the shared limiter file. */
  limiterPath?: string;
  /** Overrides the tokens file. */
  tokensPath?: string;
  /** Limiter store when the settings name none (default `sqlite`: shared by the processes of the host). */
  defaultRateLimiter?: LimiterStoreKind;
  /** Everything else of the client (hooks, transport, clock...). */
  clientOptions?: Omit<B24ClientOptions, 'connection' | 'limiterPath' | 'tokenStore'>;
}

export interface OpenedPortalClient {
  client: B24Client;
  connection: Connection;
  /** Where refreshed tokens go (absent for webhooks). */
  tokens?: { kind: 'profile' | 'tokens-file' | 'database' | 'custom'; path?: string };
  close(): Promise<void>;
}

function chooseTokenStore(
  options: OpenPortalClientOptions,
  connection: Connection,
  tokensPath: string | undefined,
  tokenDatabase: PostgresDatabase | undefined,
): { store: TokenStore; tokens: NonNullable<OpenedPortalClient['tokens']> } {
  const clock = options.clientOptions?.clock;
  const storeOptions = clock === undefined ? {} : { clock };
  if (options.tokenStore !== undefined) return { store: options.tokenStore, tokens: { kind: 'custom' } };
  if (tokenDatabase !== undefined)
    return { store: new PostgresTokenStore(tokenDatabase, storeOptions), tokens: { kind: 'database', path: tokenDatabase.name } };
  if (connection.credentialsFile !== undefined) {
    return { store: new CredentialsFileTokenStore(connection.credentialsFile, storeOptions), tokens: { kind: 'profile', path: connection.credentialsFile } };
  }
  if (tokensPath === undefined) throw userStateMissing('B24_TOKENS_FILE', 'refreshed OAuth tokens');
  return { store: new TokensFileTokenStore(tokensPath, storeOptions), tokens: { kind: 'tokens-file', path: tokensPath } };
}

/** The Redis limiter store the connection asks for, connected (the client closes it), unless the caller brings a limiter. */
async function openRedisLimiterStore(connection: Connection, clientOptions: OpenPortalClientOptions['clientOptions']): Promise<LimiterStore | undefined> {
  const redis = connection.limiter.redis;
  if (connection.limiter.store !== 'redis' || redis === undefined) return undefined;
  if (clientOptions?.limiter !== undefined || clientOptions?.limiterStore !== undefined) return undefined;
  const store = new RedisLimiterStore({ url: redis.url, ...(redis.prefix === undefined ? {} : { prefix: redis.prefix }) });
  try {
    await store.connect();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/**
 * Resolves and builds the client; throws `ConnectionConfigError` (exit 2) for bad settings, a token or
 * credentials file others may read, or a missing place for the per-user files, and `LimiterStoreError`
 * (exit 2) when the Redis limiter store cannot be reached. Sends nothing.
 */
export async function openPortalClient(options: OpenPortalClientOptions): Promise<OpenedPortalClient> {
  const env = options.env ?? {};
  const credentialsFile = options.credentialsFile ?? (env.B24_CREDENTIALS?.trim() || undefined);
  // A file of secrets others may read is refused whenever it is named, used for this connection or not.
  if (credentialsFile !== undefined && existsSync(credentialsFile)) assertPrivateFile(credentialsFile);
  const resolved = resolveConnection({
    env,
    defaultRateLimiter: options.defaultRateLimiter ?? 'sqlite',
    ...(options.connection === undefined ? {} : { options: options.connection }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.profile === undefined || credentialsFile === undefined ? {} : { credentialsFile }),
  });
  const clientId = resolved.auth.mode === 'oauth' ? (resolved.auth.clientId ?? '') : '';
  const databaseUrl = env.B24_DATABASE_URL?.trim() ?? '';
  const tokensInDatabase = resolved.auth.mode === 'oauth' && options.tokenStore === undefined && isPostgresUrl(databaseUrl);
  // In the shared database a profile's tokens are keyed like any other: every host finds them whatever it names the profile.
  const connection: Connection = {
    ...resolved,
    tokenKey: options.tokenKey ?? (tokensInDatabase ? undefined : resolved.profile) ?? `${resolved.portalKey}|${clientId}`,
  };
  const paths = resolveUserStatePaths(env);
  let limiterPath: string | undefined;
  if (connection.limiter.store === 'sqlite') {
    limiterPath = options.limiterPath ?? paths.limiterPath;
    if (limiterPath === undefined) throw userStateMissing('B24_LIMITER_DB', 'the shared limiter store');
  }
  let chosen: ReturnType<typeof chooseTokenStore> | undefined;
  let tokenDatabase: PostgresDatabase | undefined;
  let limiterStore: LimiterStore | undefined;
  try {
    if (tokensInDatabase) {
      const opened = openStateDatabase(databaseUrl);
      if (!(opened instanceof PostgresDatabase)) throw new Error(`${redactDatabaseUrl(databaseUrl)} did not open on PostgreSQL`);
      tokenDatabase = opened;
    }
    if (connection.auth.mode === 'oauth') {
      chosen = chooseTokenStore(options, connection, options.tokensPath ?? paths.tokensPath, tokenDatabase);
      // Read once now, so a file others may read (or a broken one) is refused before any request.
      await chosen.store.load(connection.tokenKey);
    }
    limiterStore = await openRedisLimiterStore(connection, options.clientOptions);
  } catch (error) {
    tokenDatabase?.close();
    throw error;
  }
  const client = new B24Client({
    ...options.clientOptions,
    connection,
    ...(limiterPath === undefined ? {} : { limiterPath }),
    ...(limiterStore === undefined ? {} : { limiterStore }),
    ...(chosen === undefined ? {} : { tokenStore: chosen.store }),
  });
  if (tokenDatabase !== undefined) {
    // Callers close the client (not always the opened result): its close ends the token database's connection too.
    const database = tokenDatabase;
    const closeClient = client.close.bind(client);
    client.close = () => closeClient().finally(() => database.close());
  }
  return { client, connection, ...(chosen === undefined ? {} : { tokens: chosen.tokens }), close: () => client.close() };
}
