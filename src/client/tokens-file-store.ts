/**
 * The tokens file: OAuth tokens refreshed for a connection that came from the environment (no
 * profile), so the next process started with the same environment finds them. JSON, mode 0600 in a
 * 0700 folder, keyed by portal and client id; never the state database. Stored tokens win only when
 * they descend from the environment's (`precedence: 'when-newer'`, see `TokenLineage`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { ConnectionConfigError } from '../errors/index.ts';
import { systemClock, type Clock } from '../util/index.ts';
import { assertPrivateFile, withFileLock, writePrivateJson } from './credentials-file.ts';
import type { OAuthTokens, TokenStore } from './token-store.ts';

export interface TokensFileContent {
  version: 1;
  tokens: Record<string, OAuthTokens & { updatedAtMs?: number }>;
}

function invalid(path: string, detail: string, cause?: unknown): ConnectionConfigError {
  return new ConnectionConfigError({
    setting: path,
    code: 'TOKENS_FILE_INVALID',
    detail,
    hint: "Remove the file (the environment's tokens are used again) or point B24_TOKENS_FILE elsewhere.",
    ...(cause instanceof Error ? { cause: new Error(cause.message) } : {}),
  });
}

/** Reads the file; a missing file is an empty one. A file others may read is refused. */
export function readTokensFile(path: string): TokensFileContent {
  if (!existsSync(path)) return { version: 1, tokens: {} };
  assertPrivateFile(path, 'tokens file', 'TOKENS_FILE_PERMISSIONS');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw invalid(path, 'the tokens file is not valid JSON', error);
  }
  const tokens = (parsed as { tokens?: unknown } | null)?.tokens;
  if (tokens === null || typeof tokens !== 'object' || Array.isArray(tokens)) throw invalid(path, 'the tokens file has no "tokens" object');
  return { version: 1, tokens: tokens as TokensFileContent['tokens'] };
}

export class TokensFileTokenStore implements TokenStore {
  readonly precedence = 'when-newer';

  constructor(
    readonly path: string,
    private readonly options: { clock?: Clock; lockTimeoutMs?: number } = {},
  ) {}

  async load(tokenKey: string): Promise<OAuthTokens | undefined> {
    const entry = readTokensFile(this.path).tokens[tokenKey];
    if (entry === undefined || typeof entry.accessToken !== 'string') return undefined;
    const { updatedAtMs: _updatedAtMs, ...tokens } = entry;
    return tokens;
  }

  /** Call under `withLock` for the same key (read, change one entry, write atomically). */
  async save(tokenKey: string, tokens: OAuthTokens): Promise<void> {
    const content = readTokensFile(this.path);
    content.tokens[tokenKey] = { ...tokens, updatedAtMs: (this.options.clock ?? systemClock).now() };
    writePrivateJson(this.path, content);
  }

  withLock<T>(tokenKey: string, work: () => Promise<T>): Promise<T> {
    // One lock per file, not per key: a save rewrites the whole file.
    void tokenKey;
    return withFileLock(`${this.path}.lock`, work, {
      clock: this.options.clock ?? systemClock,
      ...(this.options.lockTimeoutMs === undefined ? {} : { timeoutMs: this.options.lockTimeoutMs }),
    });
  }
}
