/**
 * Heartbeats for a held lease: renewed every `intervalMs` (an unref'd timer, so it never keeps a
 * process alive); when a renewal finds the lease taken over, `lost` aborts and the owner stops.
 */
import { leaseHeartbeatMs } from './lease-liveness.ts';
import type { Lease, LeaseStore } from './lease-store.ts';

export interface LeaseKeeper {
  /** Aborted when the lease was lost; the reason is the error to report. */
  lost: AbortSignal;
  stop(): void;
}

export function keepLeaseAlive(leases: LeaseStore, lease: Lease, intervalMs = leaseHeartbeatMs()): LeaseKeeper {
  const controller = new AbortController();
  const timer = setInterval(() => {
    try {
      if (!leases.renew(lease)) {
        clearInterval(timer);
        leases.assertHeld(lease);
      }
    } catch (error) {
      clearInterval(timer);
      controller.abort(error);
    }
  }, intervalMs);
  timer.unref();
  return {
    lost: controller.signal,
    stop: () => clearInterval(timer),
  };
}
