/**
 * One worker per application queue (DESIGN.md §8, §11), as a user sees it: a second `chain worker` on
 * the queue a live worker holds is refused before any request (exit 2, WORKER_RUNNING, naming pid, host
 * and since when, and how to stop it); after the first one is killed with SIGKILL a new worker takes the
 * queue over at once. The first worker is frozen with SIGSTOP after its first progress line, so nothing
 * it sends can be mistaken for the second worker's requests.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { openStateDatabase } from '../../src/store/index.ts';
import { fetchStats } from '../helpers/emulator-process.ts';
import {
  addLeads,
  applicationEnv,
  contactsByOrigin,
  handlerPath,
  queueRows,
  runEventsCli,
  startEventsCli,
  temporaryDatabase,
  useEventsPortal,
} from './helpers/events-fixture.ts';
import { bindEvents, claimWorkerQueue, loadHandler, runWorker, workerLeaseResource, type WorkerEvent } from '../../src/events/index.ts';
import { SqliteLeaseStore } from '../../src/store/lease-store.ts';

/** Resolves with the child at the first stderr line of `type` (a `--json` progress event), after `act` ran on it. */
function onFirst(type: string, act: (child: ChildProcess) => void): { onLine: (line: string, child: ChildProcess) => void; seen: Promise<void> } {
  let resolveSeen: () => void = () => undefined;
  const seen = new Promise<void>((resolve) => (resolveSeen = resolve));
  let done = false;
  return {
    seen,
    onLine: (line, child) => {
      if (done || !line.startsWith('{') || (JSON.parse(line) as { type?: string }).type !== type) return;
      done = true;
      act(child);
      resolveSeen();
    },
  };
}

async function caughtError(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  assert.fail('expected an error');
}

async function requestCount(url: string): Promise<number> {
  return (await fetchStats(url)).httpRequests as number;
}

function leaseRow(database: string): { owner_id: string | null; pid: number; fencing_token: number } | undefined {
  const state = openStateDatabase(database);
  try {
    return state.prepare(`SELECT owner_id, pid, fencing_token FROM leases WHERE resource LIKE 'worker:%'`).get() as
      | { owner_id: string | null; pid: number; fencing_token: number }
      | undefined;
  } finally {
    state.close();
  }
}

describe('chain worker: one worker per application queue', () => {
  const portal = useEventsPortal();
  const queueResource = (): string => workerLeaseResource(portal.client.portalKey, portal.client.applicationKey);

  it('keys the lease by portal and application: two applications of one portal each work their own queue', () => {
    const state = openStateDatabase(temporaryDatabase('worker-lease-apps'));
    const leases = new SqliteLeaseStore(state);
    const owner = (id: string) => ({ ownerId: id, pid: process.pid, host: hostname() });
    try {
      assert.ok(portal.client.applicationKey, 'the events portal connects as an application');
      const first = claimWorkerQueue(leases, owner('a'), { portal: 'portal.example', application: 'app.one' });
      const other = claimWorkerQueue(leases, owner('b'), { portal: 'portal.example', application: 'app.two' });
      const refused = (() => {
        try {
          claimWorkerQueue(leases, owner('c'), { portal: 'portal.example', application: 'app.one' });
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      assert.equal((refused as { code?: string } | undefined)?.code, 'WORKER_RUNNING');
      assert.equal((refused as { subject?: string }).subject, 'worker:portal.example|app.one');
      first.release();
      other.release();
    } finally {
      state.close();
    }
  });

  it("refuses a second worker on a live worker's queue with exit 2 before any request, and names how to stop the first", async () => {
    const database = temporaryDatabase('worker-lease');
    const env = applicationEnv(portal.emulator, database);
    await bindEvents(portal.client, { events: ['ONCRMLEADADD'], offline: true });
    await addLeads(portal.emulator, 20);
    // Frozen when it goes idle (its queue drained, about to sleep): no request of its can be in flight,
    // so every request counted from here on would be the second worker's.
    const frozen = onFirst('idle', (child) => child.kill('SIGSTOP'));
    const first = startEventsCli(['worker', '--handler', handlerPath, '--confirm-write', '--poll-interval', '10m', '--json'], env, frozen.onLine);
    await frozen.seen;
    try {
      await addLeads(portal.emulator, 5);
      const before = await requestCount(portal.emulator.url);
      for (const flags of [['--json'], []]) {
        const second = await runEventsCli(['worker', '--handler', handlerPath, '--confirm-write', '--once', ...flags], env);
        assert.equal(second.code, 2, second.stderr);
        const pid = first.child.pid as number;
        const text = flags.length > 0 ? JSON.stringify(JSON.parse(second.stdout)) : second.stderr;
        assert.match(
          text,
          new RegExp(`worked by another worker, pid ${pid} on ${hostname()} since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z; nothing was sent \\(WORKER_RUNNING\\)`),
        );
        assert.match(text, new RegExp(`kill -INT ${pid}\` on ${hostname()}`));
      }
      assert.equal(await requestCount(portal.emulator.url), before, 'the second worker sent nothing');
      assert.equal((await queueRows(portal.client)).length, 5, 'and touched nothing in the queue');
    } finally {
      first.child.kill('SIGCONT');
      first.child.kill('SIGINT');
    }
    const stopped = await first.done;
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(leaseRow(database)?.owner_id, null, 'the first worker released the queue when it stopped');
    const after = await runEventsCli(['worker', '--handler', handlerPath, '--confirm-write', '--once'], env);
    assert.equal(after.code, 0, after.stderr);
  });

  it('takes the queue over at once after the first worker was killed with SIGKILL, and drains it', async () => {
    const database = temporaryDatabase('worker-takeover');
    const env = applicationEnv(portal.emulator, database);
    await bindEvents(portal.client, { events: ['ONCRMLEADADD'], offline: true });
    const leads = await addLeads(portal.emulator, 120);
    const killed = onFirst('reserved', (child) => child.kill('SIGKILL'));
    const first = startEventsCli(['worker', '--handler', handlerPath, '--confirm-write', '--poll-interval', '200ms', '--json'], env, killed.onLine);
    const dead = await first.done;
    assert.equal(dead.signal, 'SIGKILL', dead.stderr);
    const orphan = leaseRow(database);
    assert.equal(orphan?.pid, first.child.pid, 'the killed worker still holds the lease row');
    assert.notEqual(orphan?.owner_id, null);

    const second = await runEventsCli(['worker', '--handler', handlerPath, '--confirm-write', '--once', '--json'], env);

    assert.equal(second.code, 0, second.stderr);
    assert.equal(leaseRow(database)?.fencing_token, (orphan?.fencing_token ?? 0) + 1, 'taken over: the fencing token grew');
    assert.deepEqual([...(await contactsByOrigin(portal.emulator)).keys()].sort(), leads.map((id) => `lead-${id}`).sort(), 'a contact for every lead');
    assert.deepEqual(await queueRows(portal.client), [], 'the queue is drained, nothing left reserved');
  });

  it('stops before reserving more rows once another process took its queue over (LEASE_LOST), settling what it had', async () => {
    const state = openStateDatabase(temporaryDatabase('worker-lease-lost'));
    try {
      await bindEvents(portal.client, { events: ['ONCRMLEADADD'], offline: true });
      await addLeads(portal.emulator, 30);
      // Another process that sees this worker as dead (its pid "gone") takes the queue while the first reservation is handled.
      const rival = new SqliteLeaseStore(state, { pidAlive: () => false });
      const events: WorkerEvent[] = [];
      const onEvent = (event: WorkerEvent): void => {
        events.push(event);
        if (event.type === 'reserved') assert.equal(rival.acquire(queueResource(), { ownerId: 'rival', pid: 1, host: 'elsewhere' }).acquired, true);
      };

      const handler = await loadHandler(handlerPath);
      const error = await caughtError(() => runWorker({ client: portal.client, database: state, handler, once: true, confirmWrite: true, limit: 10, onEvent }));

      assert.equal((error as { code?: string }).code, 'LEASE_LOST', String(error));
      assert.match(String(error), /worker:.*no longer owns it; it was taken over by pid 1 on elsewhere \(LEASE_LOST\)/);
      assert.deepEqual(
        events.filter((event) => event.type === 'reserved').map((event) => event.type === 'reserved' && event.rows),
        [10],
        'one reservation, none after the takeover',
      );
      assert.ok(
        events.some((event) => event.type === 'cleared' && event.rows === 10),
        'the reservation in flight was settled',
      );
      assert.equal((await queueRows(portal.client)).length, 20, 'the rest is left for the new owner');
      assert.equal(rival.holder(queueResource())?.ownerId, 'rival', "and the loser did not release the new owner's lease");
    } finally {
      state.close();
    }
  });
});
