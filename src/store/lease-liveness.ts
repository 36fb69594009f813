/**
 * Is the holder of a lease still alive (DESIGN.md §11)? A pure decision: on this host the holder is gone
 * as soon as its pid is; from another host only a heartbeat older than `staleAfterMs` says so. A holder on
 * this host whose pid lives but whose heartbeat stopped long ago (pid reused after a reboot) is gone too.
 */
import { hostname } from 'node:os';
import { RefusalError } from '../errors/index.ts';

export interface LeaseHolderView {
  pid: number;
  host: string;
  heartbeatAt: number;
}

export interface LivenessContext {
  now: number;
  host: string;
  staleAfterMs: number;
  pidAlive: (pid: number) => boolean;
}

/** Heartbeats are written every 5 s; a holder silent for 30 s is presumed dead. */
export const defaultHeartbeatMs = 5_000;
export const defaultStaleAfterMs = 30_000;

export function isLeaseHolderAlive(holder: LeaseHolderView, context: LivenessContext): boolean {
  const fresh = context.now - holder.heartbeatAt < context.staleAfterMs;
  if (holder.host !== context.host) return fresh;
  return fresh && context.pidAlive(holder.pid);
}

/** `kill(pid, 0)`: no signal is sent; EPERM means the process exists under another user. */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The lease host: `B24_HOST_ID` when set (hosts of a fleet whose names may clash; tests simulate two
 * hosts on one machine with it), else the machine's name. A holder on another host is judged by its
 * heartbeat alone, so hosts sharing a PostgreSQL state store need clocks in sync (NTP).
 */
export function thisHost(): string {
  return process.env.B24_HOST_ID?.trim() || hostname();
}

/** How often a holder beats: every 5 s, or a third of a shorter `B24_LEASE_STALE_MS`, so a live holder never looks stale. */
export function leaseHeartbeatMs(env: Readonly<Record<string, string | undefined>> = process.env): number {
  return Math.min(defaultHeartbeatMs, Math.floor(leaseStaleAfterMs(env) / 3));
}

/**
 * How long a holder on another host may stay silent before its lease is taken over: `B24_LEASE_STALE_MS`
 * (a fleet takes over a dead host's run within seconds), else 30 s. At least two heartbeats (10 s) is wise.
 */
export function leaseStaleAfterMs(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const text = env.B24_LEASE_STALE_MS?.trim();
  if (text === undefined || text === '') return defaultStaleAfterMs;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1000) {
    throw new RefusalError(`B24_LEASE_STALE_MS: "${text}" is not a whole number of milliseconds of at least 1000 (LEASE_STALE_INVALID).`, {
      code: 'LEASE_STALE_INVALID',
      hint: 'Give e.g. B24_LEASE_STALE_MS=15000, or unset it for 30 s.',
      subject: 'B24_LEASE_STALE_MS',
    });
  }
  return value;
}
