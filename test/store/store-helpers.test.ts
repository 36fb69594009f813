import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../src/store/index.ts';
import { DeadLetterStore, InboxStore, openStateDatabase, ReservationStore, RunStore } from '../../src/store/index.ts';
import { rowMapper } from '../../src/store/map-row.ts';
import { ManualClock } from '../../src/util/clock.ts';

/** Counts the statements the database prepares, by SQL text. */
function countPrepares(database: Database): Map<string, number> {
  const counts = new Map<string, number>();
  const prepare = database.prepare.bind(database);
  database.prepare = ((sql: string) => {
    counts.set(sql, (counts.get(sql) ?? 0) + 1);
    return prepare(sql);
  }) as Database['prepare'];
  return counts;
}

describe('stores: statements are prepared once per database', () => {
  it('checkpointing many batch responses prepares each statement once', () => {
    const database = openStateDatabase(':memory:');
    const prepares = countPrepares(database);
    const store = new RunStore(database, new ManualClock());
    const run = store.createRun({ portal: 'p', chainName: 'c', chainPath: '/c.yml', chainSha256: 's', inputs: {}, planId: null });
    for (let round = 0; round < 5; round += 1) {
      store.record(
        run.id,
        [{ stepId: 'each', itemKey: `k${round}`, subStepId: 'add', status: 'done', method: 'crm.lead.add', result: round }],
        [{ stepId: 'each', itemKey: `k${round}`, status: 'done' }],
      );
      store.saveCursor(run.id, 'leads', { lastId: round }, round + 1, round * 50, false);
      store.getRun(run.id);
    }
    assert.ok(prepares.size > 0);
    assert.deepEqual(
      [...prepares.values()].filter((count) => count > 1),
      [],
      'no SQL text was prepared twice',
    );
    assert.equal(store.countItems(run.id).each?.done, 5);
    database.close();
  });

  it('two stores over one database share the prepared statements; another database prepares its own', () => {
    const first = openStateDatabase(':memory:');
    const second = openStateDatabase(':memory:');
    const firstPrepares = countPrepares(first);
    const secondPrepares = countPrepares(second);
    for (const database of [first, first, second]) new DeadLetterStore(database).list({ all: true });
    assert.deepEqual([...firstPrepares.values()], [1]);
    assert.deepEqual([...secondPrepares.values()], [1]);
    first.close();
    second.close();
  });
});

describe('stores: time comes from the injected clock', () => {
  it('stamps runs, inbox events, reservation rows and dead letters with the clock, never the wall clock', () => {
    const database = openStateDatabase(':memory:');
    const clock = new ManualClock(1_000);
    const runs = new RunStore(database, clock);
    const run = runs.createRun({ portal: 'p', chainName: 'c', chainPath: '/c.yml', chainSha256: 's', inputs: { status: 'NEW' }, planId: null });
    assert.equal(run.startedAt, 1_000);
    clock.advance(500);
    runs.setStatus(run.id, 'done');
    assert.deepEqual([runs.getRun(run.id)?.updatedAt, runs.getRun(run.id)?.finishedAt], [1_500, 1_500]);

    const inbox = new InboxStore(database, clock);
    const id = inbox.add({ memberId: 'm', domain: 'd', eventName: 'ONCRMLEADADD', data: { FIELDS: { ID: 1 } }, ts: '1' });
    assert.equal(inbox.get(id)?.receivedAt, 1_500);
    clock.advance(100);
    assert.deepEqual(
      inbox.pending(10, 50).map((event) => event.id),
      [id],
      'a fresh event is due at once',
    );

    const reservations = new ReservationStore(database, 'p', '', clock);
    const [row] = reservations.saveReservation('proc', false, [{ identity: { rowId: '7', messageId: 'msg', eventName: 'ONCRMLEADADD' }, payload: { a: 1 } }]);
    assert.deepEqual([row?.firstSeen, row?.lastSeen, row?.payload], [1_600, 1_600, { a: 1 }]);

    const letters = new DeadLetterStore(database, clock);
    const letter = letters.add({
      portal: 'p',
      source: 'offline',
      authConnector: '',
      eventName: 'ONCRMLEADADD',
      rowId: '7',
      messageId: 'msg',
      processId: 'proc',
      payload: { a: 1 },
      error: { code: 'X', message: 'x' },
      attempts: 1,
      firstSeen: 1,
      lastSeen: 2,
    });
    clock.advance(400);
    letters.setStatus(letter, 'dropped');
    assert.equal(letters.get(letter)?.updatedAt, 2_000);
    assert.deepEqual(letters.get(letter)?.error, { code: 'X', message: 'x' });
    assert.equal(letters.get(letter)?.unknownWrites, null);
    database.close();
  });
});

describe('RunStore.deadLetteredItems (the MCP dead-letters resource)', () => {
  it("lists this portal's dead-lettered items, newest first, with their error", () => {
    const database = openStateDatabase(':memory:');
    const clock = new ManualClock(10_000);
    const store = new RunStore(database, clock);
    const mine = store.createRun({ portal: 'p', chainName: 'c', chainPath: '/c.yml', chainSha256: 's', inputs: {}, planId: null });
    const other = store.createRun({ portal: 'q', chainName: 'c', chainPath: '/c.yml', chainSha256: 's', inputs: {}, planId: null });
    const letter = (key: string) => ({ stepId: 'each', itemKey: key, status: 'dead_letter' as const, error: { code: 'NOT_FOUND', message: key } });
    store.record(mine.id, [], [letter('old')]);
    store.record(other.id, [], [letter('theirs')]);
    clock.advance(1_000);
    store.record(mine.id, [], [letter('new'), { stepId: 'each', itemKey: 'fine', status: 'done' }]);
    assert.deepEqual(store.deadLetteredItems('p'), [
      { runId: mine.id, stepId: 'each', itemKey: 'new', error: { code: 'NOT_FOUND', message: 'new' }, updatedAt: 11_000 },
      { runId: mine.id, stepId: 'each', itemKey: 'old', error: { code: 'NOT_FOUND', message: 'old' }, updatedAt: 10_000 },
    ]);
    assert.equal(store.deadLetteredItems('p', 1).length, 1);
    database.close();
  });
});

describe('rowMapper', () => {
  interface Row {
    chain_name: string;
    inputs_json: string;
    flags_json: string | null;
    finished: number;
    ignored: string;
  }
  const toRecord = rowMapper<Row, { chainName: string; inputs: unknown; flags: string[]; finished: boolean }>({
    chainName: 'chain_name',
    inputs: { json: 'inputs_json' },
    flags: { json: 'flags_json', fallback: [] },
    finished: (row) => row.finished === 1,
  });

  for (const [name, row, expected] of [
    [
      'columns, JSON and a function',
      { chain_name: 'c', inputs_json: '{"a":1}', flags_json: '["--x"]', finished: 1, ignored: 'x' },
      { chainName: 'c', inputs: { a: 1 }, flags: ['--x'], finished: true },
    ],
    [
      'a NULL JSON column takes the fallback',
      { chain_name: 'c', inputs_json: 'null', flags_json: null, finished: 0, ignored: 'x' },
      { chainName: 'c', inputs: null, flags: [], finished: false },
    ],
  ] as const) {
    it(name, () => assert.deepEqual(toRecord(row), expected, 'columns not named are left out'));
  }
});
