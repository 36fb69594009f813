/**
 * The credentials file: named portal profiles and their tokens, JSON, mode 0600, never the state
 * database. Writes are atomic (temporary file + rename). A lock file serialises token refreshes
 * across processes.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { ConnectionConfigError } from '../errors/index.ts';
import { systemClock, type Clock } from '../util/index.ts';

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

/** Refuses a file of secrets that group or others may read (exit 2: a configuration problem). */
export function assertPrivateFile(path: string, what = 'credentials file', code = 'CREDENTIALS_FILE_PERMISSIONS', platform: string = process.platform): void {
  if (platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new ConnectionConfigError({
      setting: path,
      code,
      detail: `the ${what} is readable or writable by others (mode ${mode.toString(8).padStart(3, '0')})`,
      hint: `It holds secrets: restrict it with chmod 600 ${path}`,
    });
  }
}

/** Writes JSON atomically (temporary file + rename) with mode 0600; a folder it creates gets 0700. */
export function writePrivateJson(path: string, content: unknown): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** Reads the file; a missing file is an empty one. */
export function readCredentialsFile(path: string, platform: string = process.platform): CredentialsFileContent {
  if (!existsSync(path)) return { version: 1, portals: {} };
  assertPrivateFile(path, 'credentials file', 'CREDENTIALS_FILE_PERMISSIONS', platform);
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
  writePrivateJson(path, content);
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
  /** A lock whose holder cannot be checked (another host, an unreadable file) and older than this is left over from a crash and is taken over, ms (default 60 s). */
  staleMs?: number;
  /** Poll step, ms (default 20). */
  pollMs?: number;
  /** Whether a pid is alive on this host (default: `process.kill(pid, 0)`). */
  isAlive?: (pid: number) => boolean;
}

interface LockHolder {
  pid: number;
  host: string;
  nonce: string;
}

/** `pid host nonce` (older locks hold `pid timestamp`: no host, so only the age can free them). */
function parseHolder(text: string): LockHolder | undefined {
  const [pid, host, nonce] = text.trim().split(/\s+/);
  const number = Number(pid);
  if (!Number.isInteger(number) || number <= 0 || host === undefined || nonce === undefined) return undefined;
  return { pid: number, host, nonce };
}

function readLock(lockPath: string): string | undefined {
  try {
    return readFileSync(lockPath, 'utf8');
  } catch {
    return undefined;
  }
}

/** `process.kill(pid, 0)`: ESRCH means gone; EPERM means alive under another user. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/** Removes the lock only if it still holds `expected`; moved aside first so a fresh lock is never deleted. */
function takeOver(lockPath: string, expected: string): void {
  const aside = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return; // Gone meanwhile: try again.
  }
  if (readLock(aside) !== expected) {
    // Another process replaced the dead lock between our read and our move: put its lock back.
    try {
      linkSync(aside, lockPath);
    } catch {
      // A third process holds the lock now; the moved one's holder keeps its work.
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // Nothing to clean.
  }
}

/**
 * Runs `work` holding an exclusive lock file (`O_CREAT|O_EXCL`), shared by every process on the host.
 * The file names its holder (`pid host nonce`): a lock whose process is dead on this host is taken
 * over at once; a lock from another host or without a holder only after `staleMs`.
 */
export async function withFileLock<T>(lockPath: string, work: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 60_000;
  const pollMs = options.pollMs ?? 20;
  const isAlive = options.isAlive ?? isProcessAlive;
  const host = hostname();
  const mine = `${process.pid} ${host} ${randomBytes(8).toString('hex')}\n`;
  mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
  const started = clock.now();
  for (;;) {
    try {
      const descriptor = openSync(lockPath, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
      writeFileSync(descriptor, mine);
      closeSync(descriptor);
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      const content = readLock(lockPath);
      if (content === undefined) continue; // Released meanwhile: try again at once.
      const holder = parseHolder(content);
      if (holder !== undefined && holder.host === host && holder.pid !== process.pid && !isAlive(holder.pid)) {
        takeOver(lockPath, content);
        continue;
      }
      let age = 0;
      try {
        age = Date.now() - statSync(lockPath).mtimeMs;
      } catch {
        continue;
      }
      if (age > staleMs) {
        takeOver(lockPath, content);
        continue;
      }
      if (clock.now() - started > timeoutMs) {
        const who = holder === undefined ? 'another process' : `process ${holder.pid} on ${holder.host}`;
        throw new ConnectionConfigError({
          setting: lockPath,
          code: 'CREDENTIALS_LOCK_TIMEOUT',
          detail: `${who} held the token lock for more than ${timeoutMs} ms`,
          hint: 'If no other b24chain process is running, delete the lock file.',
        });
      }
      await clock.sleep(pollMs);
    }
  }
  try {
    return await work();
  } finally {
    // Only our own lock: after a takeover (we were presumed dead) the file belongs to someone else.
    if (readLock(lockPath) === mine) {
      try {
        unlinkSync(lockPath);
      } catch {
        // Already removed.
      }
    }
  }
}
