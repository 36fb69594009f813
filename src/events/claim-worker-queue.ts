/**
 * One worker per application queue (DESIGN.md §8, §11): the worker holds the lease
 * `worker:<portal>` (`worker:<portal>|<client id>` for an application: each application has its own
 * offline queue on a portal) while it runs. A second worker on the same queue is refused before any request and
 * told who holds it; a holder that died (pid gone on this host, or silent past the stale bound) is taken
 * over at once. The lease is renewed in the background and checked before every pass and reservation,
 * so a worker that lost it stops before reserving more rows.
 */
import { isLeaseLostError } from '../errors/index.ts';
import { keepLeaseAlive } from '../store/index.ts';
import type { Lease, LeaseOwner, LeaseStore } from '../store/index.ts';
import { EventsRefusedError } from './event-errors.ts';

export interface WorkerQueueClaim {
  lease: Lease;
  /** Aborted when a heartbeat found the lease taken over; the reason is the `LeaseLostError`. */
  lost: AbortSignal;
  /** Throws `LeaseLostError` unless this worker still holds the queue. */
  assertHeld(): void;
  release(): void;
}

export function workerLeaseResource(portal: string, application?: string): string {
  return application === undefined ? `worker:${portal}` : `worker:${portal}|${application}`;
}

/** The queue a worker works: a portal's, of one application when it has a client id. */
export interface WorkerQueue {
  portal: string;
  application?: string;
}

export function workerRunningError(queue: WorkerQueue, holder: Lease): EventsRefusedError {
  const { portal } = queue;
  const since = new Date(holder.startedAt).toISOString();
  return new EventsRefusedError(
    `chain worker: the offline queue of ${portal} is worked by another worker, pid ${holder.pid} on ${holder.host} since ${since}; nothing was sent (WORKER_RUNNING).`,
    {
      code: 'WORKER_RUNNING',
      hint: `One worker per application queue: let it run, or stop it with Ctrl-C in its terminal or \`kill -INT ${holder.pid}\` on ${holder.host} (it settles the reservation in flight first), then start this one again.`,
      subject: workerLeaseResource(portal, queue.application),
      details: { pid: holder.pid, host: holder.host, since },
    },
  );
}

/** Takes the queue's lease for `owner` and keeps it alive; refused (`WORKER_RUNNING`) while a live worker holds it. */
export function claimWorkerQueue(leases: LeaseStore, owner: LeaseOwner, queue: WorkerQueue, heartbeatMs?: number): WorkerQueueClaim {
  const attempt = leases.acquire(workerLeaseResource(queue.portal, queue.application), owner);
  if (!attempt.acquired) throw workerRunningError(queue, attempt.holder);
  const lease = attempt.lease;
  const keeper = keepLeaseAlive(leases, lease, heartbeatMs);
  let released = false;
  return {
    lease,
    lost: keeper.lost,
    assertHeld: () => {
      if (keeper.lost.aborted && isLeaseLostError(keeper.lost.reason)) throw keeper.lost.reason;
      leases.assertHeld(lease);
    },
    release: () => {
      if (released) return;
      released = true;
      keeper.stop();
      leases.release(lease);
    },
  };
}
