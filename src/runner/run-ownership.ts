/**
 * Run ownership (DESIGN.md §11): a run has at most one live owner. Starting a run checks, in the same
 * transaction that creates it, that no unfinished run of the same chain (its real path, or its content
 * with the same inputs) exists on the portal; resuming takes the run's lease, which succeeds only when
 * the previous owner is gone. Refusals happen before any request (exit 2) and name the live owner.
 */
import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { keepLeaseAlive, type LeaseKeeper } from '../store/index.ts';
import { thisHost } from '../store/index.ts';
import type { Lease, LeaseOwner, LeaseStore } from '../store/index.ts';
import { RunRefusedError } from './run-errors.ts';
import { formatResumeCommand } from './resume-command.ts';
import type { NewRun, RunRecord, RunStore } from '../store/index.ts';

export interface OwnedRun {
  run: RunRecord;
  lease: Lease;
  keeper: LeaseKeeper;
  release(): void;
}

export function runLeaseResource(runId: string): string {
  return `run:${runId}`;
}

/** This process as a lease owner. */
export function processOwner(): LeaseOwner {
  return { ownerId: randomUUID(), pid: process.pid, host: thisHost() };
}

/** The path that identifies a chain file, whatever its spelling (`./x.yml`, `x.yml`, absolute, a symlink). */
export function canonicalChainPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function describeOwner(holder: Lease): string {
  return `pid ${holder.pid} on ${holder.host} since ${new Date(holder.startedAt).toISOString()}`;
}

export function inProgressError(run: RunRecord, holder: Lease): RunRefusedError {
  return new RunRefusedError(`Run ${run.id} of ${run.chainName} is being run right now by ${describeOwner(holder)}; nothing was sent (RUN_IN_PROGRESS).`, {
    code: 'RUN_IN_PROGRESS',
    hint: `Let it finish (chain status ${run.id}), or stop it with Ctrl-C in its terminal or \`kill -INT ${holder.pid}\` on ${holder.host}; it stops after the batches in flight and can be resumed.`,
  });
}

function start(store: RunStore, leases: LeaseStore, owned: () => { run: RunRecord; lease: Lease }): OwnedRun {
  const { run, lease } = owned();
  const keeper = keepLeaseAlive(leases, lease);
  return {
    run,
    lease,
    keeper,
    release: () => {
      keeper.stop();
      leases.release(lease);
      store.useLease(undefined);
    },
  };
}

/**
 * Refuses (before any request) to start a run of a chain that has an unfinished run on the portal: the
 * same file by its real path, or the same content with the same inputs. Names a live owner.
 */
export function refuseUnfinished(store: RunStore, leases: LeaseStore, newRun: NewRun): void {
  const unfinished = store.findUnfinished(newRun.portal, newRun.chainPath, newRun.chainSha256, newRun.inputs);
  if (!unfinished) return;
  const holder = leases.holder(runLeaseResource(unfinished.id));
  if (holder && leases.isAlive(holder)) throw inProgressError(unfinished, holder);
  throw new RunRefusedError(
    `${newRun.chainPath}: run ${unfinished.id} of this chain on this portal is ${unfinished.status === 'running' ? 'interrupted' : unfinished.status.replace('_', ' ')} (RUN_UNFINISHED).`,
    {
      code: 'RUN_UNFINISHED',
      hint: `Continue it with: ${formatResumeCommand(unfinished)}`,
    },
  );
}

/** Creates the run and takes its lease, atomically refusing when the chain has an unfinished run on the portal. */
export function startOwnedRun(store: RunStore, leases: LeaseStore, owner: LeaseOwner, guardUnfinished: boolean, newRun: NewRun): OwnedRun {
  return start(store, leases, () =>
    store.transaction(() => {
      if (guardUnfinished) refuseUnfinished(store, leases, newRun);
      const run = store.createRun(newRun);
      const attempt = leases.acquire(runLeaseResource(run.id), owner);
      if (!attempt.acquired) throw inProgressError(run, attempt.holder);
      store.useLease(() => leases.assertHeld(attempt.lease));
      return { run, lease: attempt.lease };
    }),
  );
}

/** Takes over an existing run for `chain resume`: refused while its owner is alive. */
export function claimRun(store: RunStore, leases: LeaseStore, owner: LeaseOwner, run: RunRecord): OwnedRun {
  return start(store, leases, () =>
    store.transaction(() => {
      const attempt = leases.acquire(runLeaseResource(run.id), owner);
      if (!attempt.acquired) throw inProgressError(run, attempt.holder);
      store.useLease(() => leases.assertHeld(attempt.lease));
      store.setStatus(run.id, 'running');
      return { run: store.getRun(run.id) as RunRecord, lease: attempt.lease };
    }),
  );
}

/** What `chain status` says about who holds a run now. */
export function describeRunOwner(
  leases: LeaseStore,
  run: RunRecord,
): { live: boolean; owner?: { pid: number; host: string; since: string; heartbeatAt: string } } {
  const holder = leases.holder(runLeaseResource(run.id));
  if (!holder) return { live: false };
  return {
    live: leases.isAlive(holder),
    owner: { pid: holder.pid, host: holder.host, since: new Date(holder.startedAt).toISOString(), heartbeatAt: new Date(holder.heartbeatAt).toISOString() },
  };
}
