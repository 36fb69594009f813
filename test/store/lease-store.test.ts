import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openStateDatabase } from '../../src/store/index.ts';
import { SqliteLeaseStore, type LeaseOwner } from '../../src/store/lease-store.ts';
import { isLeaseHolderAlive } from '../../src/store/lease-liveness.ts';
import { RunStore } from '../../src/store/index.ts';
import { claimRun, startOwnedRun } from '../../src/runner/run-ownership.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { isLeaseLostError } from '../../src/errors/index.ts';

const ownerA: LeaseOwner = { ownerId: 'a', pid: 101, host: 'here' };
const ownerB: LeaseOwner = { ownerId: 'b', pid: 202, host: 'here' };

function setup(alive: Set<number>) {
  const database = openStateDatabase(':memory:');
  const clock = new ManualClock();
  const leases = new SqliteLeaseStore(database, { clock, host: 'here', staleAfterMs: 30_000, pidAlive: (pid) => alive.has(pid) });
  return { database, clock, leases };
}

describe('leases (DESIGN.md §11)', () => {
  for (const [name, holder, context, expected] of [
    ['this host, pid alive, fresh heartbeat', { pid: 1, host: 'h', heartbeatAt: 0 }, { now: 1_000, host: 'h', alive: true }, true],
    ['this host, pid dead: gone at once', { pid: 1, host: 'h', heartbeatAt: 0 }, { now: 1_000, host: 'h', alive: false }, false],
    ['this host, pid alive but silent past the bound (pid reused)', { pid: 1, host: 'h', heartbeatAt: 0 }, { now: 31_000, host: 'h', alive: true }, false],
    ['other host, fresh heartbeat', { pid: 1, host: 'x', heartbeatAt: 0 }, { now: 29_000, host: 'h', alive: false }, true],
    ['other host, silent past the bound', { pid: 1, host: 'x', heartbeatAt: 0 }, { now: 30_000, host: 'h', alive: true }, false],
  ] as const) {
    it(`liveness: ${name}`, () => {
      assert.equal(isLeaseHolderAlive(holder, { now: context.now, host: context.host, staleAfterMs: 30_000, pidAlive: () => context.alive }), expected);
    });
  }

  it('refuses a second owner while the first lives, takes over when it died, and grows the fencing token', () => {
    const alive = new Set([101, 202]);
    const { leases } = setup(alive);
    const first = leases.acquire('run:x', ownerA);
    assert.ok(first.acquired);
    const refused = leases.acquire('run:x', ownerB);
    assert.equal(refused.acquired, false);
    assert.equal(refused.acquired ? undefined : refused.holder.pid, 101);
    alive.delete(101);
    const taken = leases.acquire('run:x', ownerB);
    assert.ok(taken.acquired);
    assert.equal(taken.acquired && taken.tookOverFrom?.pid, 101);
    assert.equal(taken.acquired && taken.lease.fencingToken, 2);
    assert.throws(
      () => leases.assertHeld(first.acquired ? first.lease : (undefined as never)),
      (error) => isLeaseLostError(error),
    );
    assert.equal(leases.renew(first.acquired ? first.lease : (undefined as never)), false, 'the old owner cannot renew');
  });

  it('a released lease is free, and its fencing token still grows', () => {
    const { leases } = setup(new Set([101, 202]));
    const first = leases.acquire('worker:p:q', ownerA);
    assert.ok(first.acquired);
    leases.release(first.lease);
    assert.equal(leases.holder('worker:p:q'), undefined);
    const second = leases.acquire('worker:p:q', ownerB);
    assert.ok(second.acquired);
    assert.equal(second.lease.fencingToken, 2);
  });

  it('a run owner that lost its lease cannot write another checkpoint', () => {
    const alive = new Set([101, 202]);
    const { database, leases } = setup(alive);
    const storeA = new RunStore(database);
    const ownedA = startOwnedRun(storeA, leases, ownerA, true, {
      portal: 'p',
      chainName: 'c',
      chainPath: '/c.yml',
      chainSha256: 's',
      inputs: {},
      planId: null,
    });
    storeA.record(ownedA.run.id, [], [{ stepId: 's', itemKey: '1', status: 'done' }]);
    alive.delete(101);
    const storeB = new RunStore(database);
    const ownedB = claimRun(storeB, leases, ownerB, ownedA.run);
    assert.throws(
      () => storeA.record(ownedA.run.id, [], [{ stepId: 's', itemKey: '2', status: 'done' }]),
      (error) => isLeaseLostError(error),
    );
    assert.throws(
      () => storeA.setStatus(ownedA.run.id, 'done'),
      (error) => isLeaseLostError(error),
    );
    storeB.record(ownedA.run.id, [], [{ stepId: 's', itemKey: '2', status: 'done' }]);
    assert.deepEqual(storeB.countItems(ownedA.run.id), { s: { done: 2 } });
    ownedA.release();
    ownedB.release();
  });

  it('refuses to start a second run of the same chain content and inputs while one is unfinished', () => {
    const { database, leases } = setup(new Set([101, 202]));
    const store = new RunStore(database);
    const owned = startOwnedRun(store, leases, ownerA, true, {
      portal: 'p',
      chainName: 'c',
      chainPath: '/a/c.yml',
      chainSha256: 's',
      inputs: { x: 1 },
      planId: null,
    });
    assert.throws(
      () =>
        startOwnedRun(new RunStore(database), leases, ownerB, true, {
          portal: 'p',
          chainName: 'c',
          chainPath: '/b/copy.yml',
          chainSha256: 's',
          inputs: { x: 1 },
          planId: null,
        }),
      /RUN_IN_PROGRESS/,
    );
    const other = startOwnedRun(new RunStore(database), leases, ownerB, true, {
      portal: 'p',
      chainName: 'c',
      chainPath: '/b/copy.yml',
      chainSha256: 's',
      inputs: { x: 2 },
      planId: null,
    });
    owned.release();
    other.release();
  });
});
