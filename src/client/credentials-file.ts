/**
 * The credentials file: named portal profiles and their tokens, JSON, mode 0600, never the state
 * database. Writes are atomic (temporary file + rename). A lock file serialises token refreshes
 * across processes.
 */
import { closeSync, constants, existsSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConnectionConfigError } from '../errors/connection-config-error.ts';
import { systemClock, type Clock } from '../util/clock.ts';

/** One portal's settings; every field optional, the same names as `ConnectionOptions`. */
export interface PortalProfile {
  domain?: string;
  authMode?: 'webhook' | 'oauth';
  webhookUserId?: string | number;
  webhookCode?: string;
  accessToken?: string;
  refreshToken?: string;
  /** Unix ms. */
  expiresAtMs?: number;
  clientId?: string;
  clientSecret?: string;
  oauthUrl?: string;
  serverEndpoint?: string;
  clientEndpoint?: string;
  memberId?: string;
  rateLimiter?: string;
  rate?: number;
  burst?: number;
}

export interface CredentialsFileContent {
  version: 1;
  portals: Record<string, PortalProfile>;
}

function checkPermissions(path: string, platform: string): void {
  if (platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new ConnectionConfigError({
      setting: path,
      code: 'CREDENTIALS_FILE_PERMISSIONS',
      detail: `the credentials file is readable by others (mode ${mode.toString(8)})`,
      hint: `Restrict it: chmod 600 ${path}`,
    });
  }
}

/** Reads the file; a missing file is an empty one. */
export function readCredentialsFile(path: string, platform: string = process.platform): CredentialsFileContent {
  if (!existsSync(path)) return { version: 1, portals: {} };
  checkPermissions(path, platform);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConnectionConfigError({
      setting: path,
      code: 'CREDENTIALS_FILE_INVALID',
      detail: 'the credentials file is not valid JSON',
      hint: 'Fix or remove the file; it holds {"version": 1, "portals": {"NAME": {...}}}.',
      cause: error instanceof Error ? new Error(error.message) : undefined,
    });
  }
  const portals = (parsed as { portals?: unknown } | null)?.portals;
  if (parsed === null || typeof parsed !== 'object' || portals === null || typeof portals !== 'object' || Array.isArray(portals)) {
    throw new ConnectionConfigError({
      setting: path,
      code: 'CREDENTIALS_FILE_INVALID',
      detail: 'the credentials file has no "portals" object',
      hint: 'The file holds {"version": 1, "portals": {"NAME": {"domain": ..., "authMode": ...}}}.',
    });
  }
  return { version: 1, portals: portals as Record<string, PortalProfile> };
}

/** Writes the whole file atomically with mode 0600. */
export function writeCredentialsFile(path: string, content: CredentialsFileContent): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** Changes one profile under the lock the caller holds. */
export function updateProfile(path: string, name: string, change: (profile: PortalProfile) => PortalProfile): void {
  const content = readCredentialsFile(path);
  content.portals[name] = change({ ...(content.portals[name] ?? {}) });
  writeCredentialsFile(path, content);
}

export interface FileLockOptions {
  clock?: Clock;
  /** Give up after this long, ms (default 30 s). */
  timeoutMs?: number;
  /** A lock older than this is left over from a crash and is taken over, ms (default 60 s). */
  staleMs?: number;
  /** Poll step, ms (default 20). */
  pollMs?: number;
}

/** Runs `work` holding an exclusive lock file (`O_CREAT|O_EXCL`), shared by every process on the host. */
export async function withFileLock<T>(lockPath: string, work: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 60_000;
  const pollMs = options.pollMs ?? 20;
  mkdirSync(dirname(lockPath), { recursive: true });
  const started = clock.now();
  for (;;) {
    try {
      const descriptor = openSync(lockPath, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
      writeFileSync(descriptor, `${process.pid} ${Date.now()}\n`);
      closeSync(descriptor);
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lockPath).mtimeMs > staleMs) unlinkSync(lockPath);
      } catch {
        // Gone meanwhile: try again.
      }
      if (clock.now() - started > timeoutMs) {
        throw new ConnectionConfigError({
          setting: lockPath,
          code: 'CREDENTIALS_LOCK_TIMEOUT',
          detail: `another process held the token lock for more than ${timeoutMs} ms`,
          hint: 'If no other b24chain process is running, delete the lock file.',
        });
      }
      await clock.sleep(pollMs);
    }
  }
  try {
    return await work();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // Already removed (taken over as stale): nothing to do.
    }
  }
}
