/**
 * Where the per-user files shared by every b24chain process of a user on this host live: the
 * limiter's SQLite store (one budget per portal for the whole host, not one per state database) and
 * the tokens file (OAuth tokens refreshed for connections from the environment). From the
 * environment map passed in (never `process.env` here):
 *   B24_LIMITER_DB / B24_TOKENS_FILE, else $XDG_STATE_HOME/b24chain/…, else $HOME/.local/state/b24chain/….
 */
import { isAbsolute, join } from 'node:path';
import { ConnectionConfigError } from '../errors/index.ts';

export interface UserStatePaths {
  /** The shared limiter store, or undefined when no folder can be named (no HOME). */
  limiterPath: string | undefined;
  /** The tokens file, or undefined when no folder can be named. */
  tokensPath: string | undefined;
}

function setting(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** `$XDG_STATE_HOME/b24chain` (an absolute path only, as the XDG spec says), else `$HOME/.local/state/b24chain`. */
export function userStateFolder(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const xdg = setting(env, 'XDG_STATE_HOME');
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'b24chain');
  const home = setting(env, 'HOME') ?? setting(env, 'USERPROFILE');
  return home === undefined ? undefined : join(home, '.local', 'state', 'b24chain');
}

export function resolveUserStatePaths(env: Readonly<Record<string, string | undefined>>): UserStatePaths {
  const folder = userStateFolder(env);
  return {
    limiterPath: setting(env, 'B24_LIMITER_DB') ?? (folder === undefined ? undefined : join(folder, 'limiter.db')),
    tokensPath: setting(env, 'B24_TOKENS_FILE') ?? (folder === undefined ? undefined : join(folder, 'tokens.json')),
  };
}

/** The per-user file `name` is needed and no folder could be named. */
export function userStateMissing(setting: 'B24_LIMITER_DB' | 'B24_TOKENS_FILE', what: string): ConnectionConfigError {
  return new ConnectionConfigError({
    setting,
    code: 'MISSING_SETTING',
    detail: `is not set and neither is HOME or XDG_STATE_HOME, so there is no place for ${what}`,
    hint: `Set ${setting} to a file path (or HOME)${setting === 'B24_LIMITER_DB' ? ', or use B24_RATE_LIMITER=memory' : ''}.`,
  });
}
