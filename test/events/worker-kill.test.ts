/**
 * The worker as a user runs it (a child process), killed with SIGKILL at several points and started
 * again. Kills are placed by progress lines the worker prints (`--json`: one event per line), never by
 * the wall clock: after the first reservation is saved, after verdicts are saved but before the clear,
 * after a clear, after a failure is marked, after a dead letter is written.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import { DeadLetterStore } from '../../src/events/index.ts';
import { bindEvents } from '../../src/events/index.ts';
import { openStateDatabase } from '../../src/store/index.ts';
import {
  addLeads,
  applicationEnv,
  contactsByOrigin,
  handlerPath,
  portalCall,
  queueRows,
  startEventsCli,
  temporaryDatabase,
  useEventsPortal,
} from './helpers/events-fixture.ts';

function killAfter(type: string, nth: number, signal: NodeJS.Signals = 'SIGKILL'): (line: string, child: ChildProcess) => void {
  let seen = 0;
  return (line, child) => {
    if (!line.startsWith('{') || (JSON.parse(line) as { type?: string }).type !== type) return;
    seen += 1;
    if (seen === nth) child.kill(signal);
  };
}

describe('chain worker survives SIGKILL and stops cleanly on SIGTERM', () => {
  const portal = useEventsPortal();

  it("applies every lead's effect once and leaves no reservation behind after kills at five points", async () => {
    const database = temporaryDatabase('worker-kill');
    const env = applicationEnv(portal.emulator, database);
    await bindEvents(portal.client, { events: ['ONCRMLEADADD'], offline: true });
    const leads = await addLeads(portal.emulator, 400);
    const deleted = [leads[3], leads[120], leads[333]] as string[];
    for (const id of deleted) await portalCall(portal.emulator, 'crm.lead.delete', { id });
    const args = ['worker', '--handler', handlerPath, '--once', '--confirm-write', '--max-retries', '1', '--json'];
    const plan: Array<[string, number]> = [
      ['reserved', 1],
      ['processed', 2],
      ['cleared', 1],
      ['marked', 1],
      ['dead_letter', 1],
    ];

    let kills = 0;
    for (const [type, nth] of plan) {
      const result = await startEventsCli(args, env, killAfter(type, nth)).done;
      if (result.signal === 'SIGKILL') kills += 1;
      else assert.equal(result.code, 0, `the worker ended with ${result.code}: ${result.stderr}`);
    }
    assert.ok(kills >= 4, `killed ${kills} times`);
    const last = await startEventsCli(args, env).done;
    assert.equal(last.code, 0, last.stderr);

    const contacts = await contactsByOrigin(portal.emulator);
    const expected = leads
      .filter((id) => !deleted.includes(id))
      .map((id) => `lead-${id}`)
      .sort();
    assert.deepEqual([...contacts.keys()].sort(), expected, 'a contact for every lead that exists');
    assert.deepEqual([...new Set(contacts.values())], [1], 'exactly one each');
    assert.deepEqual(await queueRows(portal.client), [], 'the queue is empty');
    const reserved = await portal.client.call('event.offline.list', { filter: { '>=PROCESS_ID': '0' } }, { write: false });
    assert.deepEqual(reserved.result, [], 'no reservation left behind');
    const state = openStateDatabase(database);
    try {
      const letters = new DeadLetterStore(state).list();
      assert.deepEqual(
        letters.map((letter) => String((letter.payload as { EVENT_DATA: { FIELDS: { ID: number } } }).EVENT_DATA.FIELDS.ID)).sort(),
        [...deleted].sort(),
        'one dead letter per deleted lead',
      );
      const open = state.prepare(`SELECT COUNT(*) AS count FROM event_reservations WHERE status = 'open'`).get() as { count: number };
      assert.equal(open.count, 0, 'every saved reservation settled');
    } finally {
      state.close();
    }
  });

  it('on SIGTERM finishes the reservation in flight, clears it, and exits 0', async () => {
    const database = temporaryDatabase('worker-term');
    const env = applicationEnv(portal.emulator, database);
    await bindEvents(portal.client, { events: ['ONCRMLEADADD'], offline: true });
    await addLeads(portal.emulator, 200);

    const result = await startEventsCli(
      ['worker', '--handler', handlerPath, '--confirm-write', '--poll-interval', '200ms', '--json'],
      env,
      killAfter('reserved', 1, 'SIGTERM'),
    ).done;

    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as { status: string; stoppedBy: string; done: number; cleared: number };
    assert.equal(summary.stoppedBy, 'signal');
    assert.ok(summary.done >= 50 && summary.done === summary.cleared, `the rows in flight were finished and cleared: ${result.stdout}`);
    const rows = await queueRows(portal.client);
    assert.equal(rows.length, 200 - summary.done, 'the rest waits in the queue');
    assert.ok(
      rows.every((row) => row.PROCESS_ID === ''),
      'and none of it is left reserved',
    );
    assert.equal((await contactsByOrigin(portal.emulator)).size, summary.done);
  });
});
