/**
 * Is the holder of a lease still alive (DESIGN.md §11)? A pure decision: on this host the holder is gone
 * as soon as its pid is; from another host only a heartbeat older than `staleAfterMs` says so. A holder on
 * this host whose pid lives but whose heartbeat stopped long ago (pid reused after a reboot) is gone too.
 */
import { hostname } from 'node:os';

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

export function thisHost(): string {
  return hostname();
}
