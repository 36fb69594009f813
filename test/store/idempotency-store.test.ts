import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isRefusalError } from '../../src/errors/refusal-error.ts';
import { hashParams, IdempotencyStore, naturalKey, openStateDatabase } from '../../src/store/index.ts';
import { ManualClock } from '../../src/util/clock.ts';

const hour = 3_600_000;
const portal = 'portal-a.bitrix24.com';

function setUp(): { store: IdempotencyStore; clock: ManualClock } {
  const clock = new ManualClock();
  return { store: new IdempotencyStore(openStateDatabase(':memory:'), { clock }), clock };
}

describe('idempotency store: begin', () => {
  it('fresh → in_flight for a second caller → replay of the stored result once completed', () => {
    const { store } = setUp();
    const params = { fields: { TITLE: 'Lead', ORIGIN_ID: 'x-1' } };
    const first = store.begin({ portal, method: 'crm.lead.add', key: 'k1', params });
    assert.equal(first.outcome, 'fresh');
    assert.equal(store.begin({ portal, method: 'crm.lead.add', key: 'k1', params }).outcome, 'in_flight');
    if (first.outcome !== 'fresh') return;
    assert.equal(store.complete(first.claim, 42), true);
    const again = store.begin({ portal, method: 'CRM.LEAD.ADD', key: 'k1', params: { fields: { ORIGIN_ID: 'x-1', TITLE: 'Lead' } } });
    assert.equal(again.outcome, 'replay', 'same parameters in another key order, method in another case');
    if (again.outcome === 'replay') assert.equal(again.result, 42);
  });

  it('the same key with different parameters is a conflict, whether in flight or done', () => {
    const { store } = setUp();
    const first = store.begin({ portal, method: 'crm.lead.add', key: 'k', params: { fields: { TITLE: 'A' } } });
    assert.equal(store.begin({ portal, method: 'crm.lead.add', key: 'k', params: { fields: { TITLE: 'B' } } }).outcome, 'conflict');
    if (first.outcome === 'fresh') store.complete(first.claim, { id: 1 });
    const conflict = store.begin({ portal, method: 'crm.lead.add', key: 'k', params: { fields: { TITLE: 'B' } } });
    assert.equal(conflict.outcome, 'conflict');
    if (conflict.outcome === 'conflict') assert.equal(conflict.record.paramsHash, hashParams({ fields: { TITLE: 'A' } }));
  });

  it('keys are separate per portal and per method', () => {
    const { store } = setUp();
    const params = { fields: { TITLE: 'A' } };
    assert.equal(store.begin({ portal, method: 'crm.lead.add', key: 'k', params }).outcome, 'fresh');
    assert.equal(store.begin({ portal: 'portal-b', method: 'crm.lead.add', key: 'k', params }).outcome, 'fresh');
    assert.equal(store.begin({ portal, method: 'crm.deal.add', key: 'k', params }).outcome, 'fresh');
  });

  it('a record lives 24 hours after completion, then the key is fresh again', () => {
    const { store, clock } = setUp();
    const params = { a: 1 };
    const first = store.begin({ portal, method: 'm.add', key: 'k', params });
    clock.advance(hour);
    if (first.outcome === 'fresh') store.complete(first.claim, 'done');
    clock.advance(24 * hour - 1);
    assert.equal(store.begin({ portal, method: 'm.add', key: 'k', params }).outcome, 'replay');
    clock.advance(1);
    assert.equal(store.begin({ portal, method: 'm.add', key: 'k', params: { a: 2 } }).outcome, 'fresh');
  });

  it('abandon gives the key back; a lost claim can neither complete nor abandon', () => {
    const { store, clock } = setUp();
    const first = store.begin({ portal, method: 'm.add', key: 'k', params: {} });
    assert.equal(first.outcome, 'fresh');
    if (first.outcome !== 'fresh') return;
    assert.equal(store.abandon(first.claim), true);
    const second = store.begin({ portal, method: 'm.add', key: 'k', params: {} });
    assert.equal(second.outcome, 'fresh');
    assert.equal(store.complete(first.claim, 'stale'), false, 'the first caller no longer holds the key');
    assert.equal(store.abandon(first.claim), false);
    clock.advance(25 * hour);
    assert.equal(store.deleteExpired(), 1);
  });

  it('refuses an empty key', () => {
    const { store } = setUp();
    assert.throws(
      () => store.begin({ portal, method: 'm.add', key: ' ', params: {} }),
      (error: unknown) => isRefusalError(error) && error.code === 'IDEMPOTENCY_KEY_EMPTY',
    );
  });

  it('ignores credentials in the parameter hash', () => {
    assert.equal(hashParams({ a: 1, auth: 'token-one' }), hashParams({ a: 1, auth: 'token-two' }));
    assert.notEqual(hashParams({ a: 1 }), hashParams({ a: '1' }));
    assert.notEqual(hashParams({ list: [1, 2] }), hashParams({ list: [2, 1] }));
  });
});

describe('idempotency store: natural keys', () => {
  const cases: Array<[label: string, method: string, params: Record<string, unknown>, expected: string | undefined]> = [
    ['inside fields', 'crm.contact.add', { fields: { ORIGINATOR_ID: 'b24chain', ORIGIN_ID: 'lead-5', NAME: 'A' } }, 'ORIGINATOR_ID=b24chain&ORIGIN_ID=lead-5'],
    ['at the top level', 'crm.lead.add', { ORIGINATOR_ID: 'erp', ORIGIN_ID: 77 }, 'ORIGINATOR_ID=erp&ORIGIN_ID=77'],
    ['in any key case', 'crm.lead.add', { FIELDS: { originator_id: 'erp', Origin_Id: 'z' } }, 'ORIGINATOR_ID=erp&ORIGIN_ID=z'],
    [
      'crm.item.add camelCase, with the entity type',
      'crm.item.add',
      { entityTypeId: 2, fields: { originatorId: 'erp', originId: 'd-1' } },
      'entityTypeId=2&ORIGINATOR_ID=erp&ORIGIN_ID=d-1',
    ],
    ['ORIGIN_ID alone', 'crm.lead.add', { fields: { ORIGIN_ID: 'o' } }, 'ORIGINATOR_ID=&ORIGIN_ID=o'],
    ['no ORIGIN_ID', 'crm.lead.add', { fields: { ORIGINATOR_ID: 'erp', TITLE: 'x' } }, undefined],
    ['an empty ORIGIN_ID', 'crm.lead.add', { fields: { ORIGIN_ID: '  ' } }, undefined],
    ['an update names the record, not the request', 'crm.lead.update', { id: 5, fields: { ORIGIN_ID: 'o' } }, undefined],
  ];
  for (const [label, method, params, expected] of cases) {
    it(label, () => assert.equal(naturalKey(method, params), expected));
  }
});

describe('idempotency store: two processes racing the same key', () => {
  const folder = mkdtempSync(join(tmpdir(), 'b24chain-idempotency-'));
  after(() => rmSync(folder, { recursive: true, force: true }));
  const racer = fileURLToPath(new URL('./fixtures/idempotency-racer.ts', import.meta.url));

  function startRacer(databasePath: string, params: Record<string, unknown>): { child: ChildProcessWithoutNullStreams; nextLine: () => Promise<string> } {
    const child = spawn(process.execPath, ['--import', 'tsx', racer, databasePath, portal, 'crm.lead.add', 'race-key', JSON.stringify(params)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const nextLine = async (): Promise<string> => {
      const next = await lines.next();
      if (next.done === true) throw new Error(`racer ended early: ${errors}`);
      return next.value;
    };
    return { child, nextLine };
  }

  it('exactly one process owns the key and creates the entity; the other sees it in flight, then a replay', { timeout: 30_000 }, async () => {
    const databasePath = join(folder, 'race.db');
    openStateDatabase(databasePath).close(); // migrated once, so the racers only race on the key
    const params = { title: 'Raced lead', fields: { TITLE: 'Raced lead' } };
    const racers = [startRacer(databasePath, params), startRacer(databasePath, params)];
    const exits = racers.map(({ child }) => new Promise<number | null>((resolve) => child.on('exit', resolve)));
    assert.deepEqual(await Promise.all(racers.map(({ nextLine }) => nextLine())), ['ready', 'ready']);
    for (const { child } of racers) child.stdin.write('go\n');
    const decisions = (await Promise.all(racers.map(({ nextLine }) => nextLine()))).map((line) => (JSON.parse(line) as { outcome: string }).outcome);
    assert.deepEqual([...decisions].sort(), ['fresh', 'in_flight']);

    const owner = racers[decisions.indexOf('fresh')];
    assert.ok(owner);
    owner.child.stdin.write('complete\n');
    assert.equal(await owner.nextLine(), 'completed');
    assert.deepEqual(await Promise.all(exits), [0, 0]);

    const database = openStateDatabase(databasePath);
    try {
      assert.equal(database.prepare('SELECT count(*) FROM racer_entities').pluck().get(), 1);
      const third = new IdempotencyStore(database).begin({ portal, method: 'crm.lead.add', key: 'race-key', params });
      assert.equal(third.outcome, 'replay');
      if (third.outcome === 'replay') assert.deepEqual(third.result, { id: 1 });
    } finally {
      database.close();
    }
  });
});
