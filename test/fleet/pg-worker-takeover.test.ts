/**
 * A worker queue continues on another host (issue 14): `chain worker` with B24_DATABASE_URL is killed
 * with SIGKILL once it reserved rows (placed by its `reserved` progress line); a worker on "another
 * host" (own HOME, working directory and B24_HOST_ID) is refused while the dead one's heartbeat is fresh
 * (WORKER_RUNNING, nothing sent), then takes the queue over from PostgreSQL — the saved reservation and
 * the lease with a grown fencing token — and drains it: one contact per lead.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateDatabase } from '../../src/store/index.ts';
import { bindEvents } from '../../src/events/index.ts';
import {
  addLeads,
  applicationEnv,
  contactsByOrigin,
  handlerPath,
  queueRows,
  runEventsCli,
  startEventsCli,
  useEventsPortal,
} from '../events/helpers/events-fixture.ts';
import { freshDatabaseUrl } from '../helpers/fleet-env.ts';

function workerLease(url: string): { owner_id: string | null; host: string; fencing_token: number } | undefined {
  const state = openStateDatabase(url);
  try {
    return state.prepare(`SELECT owner_id, host, fencing_token FROM leases WHERE resource LIKE 'worker:%'`).get() as
      | { owner_id: string | null; host: string; fencing_token: number }
      | undefined;
  } finally {
    state.close();
  }
}

describe('chain worker: a queue left by a dead host is taken over from PostgreSQL', () => {
  const portal = useEventsPortal();

  it('host B is refused while host A looks alive, then takes the queue over and drains it', { timeout: 170_000 }, async () => {
    const url = await freshDatabaseUrl('worker_takeover');
    const host = (id: string) => {
      const cwd = mkdtempSync(join(tmpdir(), `b24chain-${id}-cwd-`));
      const env = {
        ...applicationEnv(portal.emulator, ''),
        B24_DB: undefined,
        HOME: mkdtempSync(join(tmpdir(), `b24chain-${id}-home-`)),
        B24_DATABASE_URL: url,
        B24_HOST_ID: id,
        B24_LEASE_STALE_MS: '3000',
      };
      return { cwd, env };
    };
    const hostA = host('host-a');
    const hostB = host('host-b');
    await bindEvents(portal.client, { events: ['ONCRMLEADADD'], offline: true });
    const leads = await addLeads(portal.emulator, 120);

    let killed = false;
    const first = startEventsCli(
      ['worker', '--handler', handlerPath, '--confirm-write', '--poll-interval', '200ms', '--json'],
      hostA.env,
      (line, child) => {
        if (!killed && line.startsWith('{') && (JSON.parse(line) as { type?: string }).type === 'reserved') {
          killed = true;
          child.kill('SIGKILL');
        }
      },
      { cwd: hostA.cwd },
    );
    const dead = await first.done;
    assert.equal(dead.signal, 'SIGKILL', dead.stderr);
    const orphan = workerLease(url);
    assert.equal(orphan?.host, 'host-a');
    assert.notEqual(orphan?.owner_id, null, 'the dead worker still holds the queue');

    for (const deadline = Date.now() + 60_000; ; ) {
      const second = await runEventsCli(['worker', '--handler', handlerPath, '--confirm-write', '--once', '--json'], hostB.env, { cwd: hostB.cwd });
      if (second.code === 0) break;
      assert.equal(second.code, 2, `${second.stdout}${second.stderr}`);
      assert.match(second.stdout + second.stderr, /WORKER_RUNNING/);
      assert.match(second.stdout + second.stderr, /on host-a/);
      assert.ok(Date.now() < deadline, 'host A stopped looking alive within the stale bound');
    }
    const taken = workerLease(url);
    assert.equal(taken?.host, 'host-b');
    assert.equal(taken?.fencing_token, (orphan?.fencing_token ?? 0) + 1, 'taken over: the fencing token grew');
    const contacts = await contactsByOrigin(portal.emulator);
    assert.deepEqual([...contacts.keys()].sort(), leads.map((id) => `lead-${id}`).sort(), 'a contact for every lead');
    assert.deepEqual([...new Set(contacts.values())], [1], 'and only one');
    assert.deepEqual(await queueRows(portal.client), [], 'the queue is drained, nothing left reserved');
    for (const { cwd } of [hostA, hostB]) assert.equal(existsSync(join(cwd, '.b24chain')), false, 'no state file on either host');
  });
});
