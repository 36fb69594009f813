/**
 * The same stores on both engines (DESIGN.md §13): every case below runs on the embedded SQLite
 * database and on a real PostgreSQL (B24_DATABASE_URL), through the synchronous facade. Two
 * connections to one PostgreSQL database stand for two hosts; races between processes use real
 * processes (test/store/fixtures/).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { isLeaseLostError, isRefusalError, isStateDatabaseError } from '../../src/errors/index.ts';
import {
  AuditStore,
  DeadLetterStore,
  IdempotencyStore,
  MethodVersionStore,
  openStateDatabase,
  PlanStore,
  type PostgresDatabase,
  PostgresTokenStore,
  ReservationStore,
  RunStore,
  SqliteLeaseStore,
  stateMigrations,
  type Database,
  type DeadLetterInput,
} from '../../src/store/index.ts';
import { ApprovalStore } from '../../src/store/approval-store.ts';
import { InboxStore } from '../../src/store/inbox-store.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { freshDatabaseUrl } from '../helpers/fleet-env.ts';

let postgresUrl = '';
const opened: Database[] = [];
before(async () => {
  postgresUrl = await freshDatabaseUrl('pg_stores');
});
const folder = mkdtempSync(join(tmpdir(), 'b24chain-pg-stores-'));
after(() => {
  for (const database of opened) if (database.open) database.close();
  rmSync(folder, { recursive: true, force: true });
});

/** Each engine hands out connections to one database: SQLite a file per case (label), PostgreSQL the test file's database. */
const engines: Array<{ name: string; connect: (label: string) => Database }> = [
  {
    name: 'sqlite',
    connect: (label: string) => {
      const database = openStateDatabase(join(folder, `${label}.db`));
      opened.push(database);
      return database;
    },
  },
  {
    name: 'postgres',
    connect: () => {
      const database = openStateDatabase(postgresUrl);
      opened.push(database);
      return database;
    },
  },
];

const unique = (prefix: string): string => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

for (const engine of engines) {
  describe(`stores on ${engine.name}`, () => {
    it('migrations: the database is at the latest version, and a second open finds it there', () => {
      const label = unique('migrate');
      const first = engine.connect(label);
      const second = engine.connect(label);
      assert.equal(first.pragma('user_version', { simple: true }), stateMigrations.length);
      assert.equal(second.pragma('user_version', { simple: true }), stateMigrations.length);
    });

    it('leases: two hosts; the second is refused while the first beats, takes over once it is silent, and the old owner can write no more', () => {
      const label = unique('lease');
      const clock = new ManualClock(1_000_000);
      const hostA = new SqliteLeaseStore(engine.connect(label), { clock, host: 'host-a', staleAfterMs: 5_000, pidAlive: () => true });
      const databaseB = engine.connect(label);
      const hostB = new SqliteLeaseStore(databaseB, { clock, host: 'host-b', staleAfterMs: 5_000, pidAlive: () => true });
      const resource = unique('run:lease');
      const first = hostA.acquire(resource, { ownerId: 'a', pid: 11, host: 'host-a' });
      assert.ok(first.acquired);
      const refused = hostB.acquire(resource, { ownerId: 'b', pid: 22, host: 'host-b' });
      assert.equal(refused.acquired, false);
      clock.advance(4_000);
      assert.equal(hostA.renew(first.lease), true);
      clock.advance(4_000);
      assert.equal(hostB.acquire(resource, { ownerId: 'b', pid: 22, host: 'host-b' }).acquired, false, 'renewed 4 s ago: alive');
      clock.advance(6_000);
      const taken = hostB.acquire(resource, { ownerId: 'b', pid: 22, host: 'host-b' });
      assert.ok(taken.acquired);
      assert.equal(taken.tookOverFrom?.host, 'host-a');
      assert.equal(taken.lease.fencingToken, 2);
      assert.equal(hostA.renew(first.lease), false);
      assert.throws(
        () => hostA.assertHeld(first.lease),
        (error) => isLeaseLostError(error),
      );
      hostB.release(taken.lease);
      assert.equal(hostA.holder(resource), undefined);
      const again = hostA.acquire(resource, { ownerId: 'a2', pid: 11, host: 'host-a' });
      assert.equal(again.acquired && again.lease.fencingToken, 3);
    });

    it('runs: checkpoints, settled and pending items, sent sub-steps in the order sent, cursors, counts, newest run first', () => {
      const clock = new ManualClock(5_000);
      const store = new RunStore(engine.connect(unique('runs')), clock);
      const portal = unique('portal');
      const older = store.createRun({ portal, chainName: 'c', chainPath: '/c.yml', chainSha256: 'sha', inputs: { n: 1 }, planId: null });
      clock.advance(10);
      const run = store.createRun({
        portal,
        chainName: 'c',
        chainPath: '/c.yml',
        chainSha256: 'sha',
        inputs: { n: 2 },
        planId: null,
        resumeFlags: ['--confirm-write'],
      });
      assert.deepEqual(run.resumeFlags, ['--confirm-write']);
      store.record(
        run.id,
        [
          { stepId: 'each', itemKey: 'b', subStepId: 'add', status: 'sent', method: 'crm.contact.add', params: { n: 'b' } },
          { stepId: 'each', itemKey: 'a', subStepId: 'add', status: 'sent', method: 'crm.contact.add', params: { n: 'a' } },
          { stepId: 'each', itemKey: 'c', subStepId: 'add', status: 'done', method: 'crm.contact.add', result: 7 },
        ],
        [
          { stepId: 'each', itemKey: 'b', status: 'pending', row: { ID: 'b' } },
          { stepId: 'each', itemKey: 'a', status: 'pending', row: { ID: 'a' } },
          { stepId: 'each', itemKey: 'c', status: 'done' },
        ],
      );
      // The answer for b arrives: params kept from the send (COALESCE), the row dropped once settled.
      store.record(
        run.id,
        [{ stepId: 'each', itemKey: 'b', subStepId: 'add', status: 'done', method: 'crm.contact.add', result: 9 }],
        [{ stepId: 'each', itemKey: 'b', status: 'dead_letter', error: { code: 'X', message: 'y' } }],
      );
      assert.deepEqual(
        store.sentSubSteps(run.id).map((sent) => sent.itemKey),
        ['a'],
      );
      assert.deepEqual([...store.settledItems(run.id, 'each', ['a', 'b', 'c', 'z']).entries()].sort(), [
        ['b', 'dead_letter'],
        ['c', 'done'],
      ]);
      assert.deepEqual(store.pendingItems(run.id, 'each'), [{ key: 'a', row: { ID: 'a' } }]);
      const subSteps = store.subStepsForKeys(run.id, 'each', ['b', 'a']);
      assert.deepEqual(subSteps.get('b')?.[0]?.params, { n: 'b' });
      assert.equal(subSteps.get('b')?.[0]?.result, 9);
      assert.deepEqual(store.countItems(run.id), { each: { pending: 1, dead_letter: 1, done: 1 } });
      store.saveCursor(run.id, 'list', { lastId: 50 }, 1, 50, false);
      store.saveCursor(run.id, 'list', { lastId: 100 }, 2, 100, true);
      assert.deepEqual(store.cursor(run.id, 'list'), { cursor: { lastId: 100 }, pages: 2, rows: 100, finished: true });
      store.saveStepResult(run.id, 'me', 'sent', { method: 'user.current', params: {} });
      store.saveStepResult(run.id, 'me', 'done', { ID: 1 });
      assert.deepEqual(store.stepResult(run.id, 'me'), { status: 'done', result: { ID: 1 } });
      assert.deepEqual(store.sentSteps(run.id), []);
      assert.equal(store.findUnfinished(portal, '/c.yml')?.id, run.id);
      assert.deepEqual(
        store
          .listRuns(50)
          .filter((listed) => listed.portal === portal)
          .map((listed) => listed.id),
        [run.id, older.id],
      );
      assert.equal(store.deadLetteredItems(portal)[0]?.itemKey, 'b');
      // One key twice in one checkpoint (sent, then answered) leaves what upserting in order would.
      store.record(
        run.id,
        [
          { stepId: 'each', itemKey: 'd', subStepId: 'add', status: 'sent', method: 'crm.contact.add', params: { n: 'd' } },
          { stepId: 'each', itemKey: 'd', subStepId: 'add', status: 'done', method: 'crm.contact.add', result: 11 },
        ],
        [
          { stepId: 'each', itemKey: 'd', status: 'pending', row: { ID: 'd' } },
          { stepId: 'each', itemKey: 'd', status: 'pending' },
        ],
      );
      const d = store.subStepsForKeys(run.id, 'each', ['d']).get('d')?.[0];
      assert.deepEqual([d?.status, d?.params, d?.result], ['done', { n: 'd' }, 11]);
      assert.deepEqual(store.pendingItems(run.id, 'each'), [
        { key: 'a', row: { ID: 'a' } },
        { key: 'd', row: { ID: 'd' } },
      ]);
      store.setStatus(run.id, 'done');
      assert.equal(store.getRun(run.id)?.finishedAt, clock.now());
      assert.equal(store.findUnfinished(portal, '/other.yml', 'sha', { n: 2 }), undefined);
    });

    it('plans: of two hosts consuming one plan exactly one wins; chain plans keep their item keys once', () => {
      const label = unique('plans');
      const hostA = new PlanStore(engine.connect(label));
      const hostB = new PlanStore(engine.connect(label));
      const portal = unique('portal');
      const plan = hostA.createCallPlan({ portal, method: 'crm.lead.add', params: { fields: { TITLE: 'x' } }, packs: ['crm'], risk: 'write' });
      assert.equal(hostB.consume(plan.id, portal, 'call').id, plan.id);
      assert.throws(
        () => hostA.consume(plan.id, portal, 'call'),
        (error) => isRefusalError(error) && error.code === 'PLAN_CONSUMED',
      );
      const chain = hostA.createChainPlan({
        portal,
        chainHash: 'h',
        chainName: 'c',
        inputs: {},
        packs: [],
        risk: 'write',
        counts: [{ step: 's', method: 'crm.lead.add', risk: 'write', count: 2 }],
        itemKeys: { s: ['2', '1', '2'] },
      });
      assert.deepEqual(hostB.plannedItemKeys(chain.id, 's'), ['1', '2']);
      assert.equal(hostB.isItemPlanned(chain.id, 's', '1'), true);
      assert.equal(hostB.isItemPlanned(chain.id, 's', '3'), false);
      const approvals = new ApprovalStore(engine.connect(label));
      const stored = hostB.find(chain.id);
      assert.ok(stored);
      approvals.decide(stored, 'approved', 'tester', 'terminal');
      assert.throws(
        () => approvals.decide(stored, 'rejected', 'tester', 'terminal'),
        (error) => isRefusalError(error) && error.code === 'PLAN_ALREADY_DECIDED',
      );
      approvals.saveTargets(chain.id, [
        {
          target: 'crm.lead 1',
          readMethod: 'crm.lead.get',
          readParams: { id: 1 },
          recordPath: [],
          modifiedField: 'DATE_MODIFY',
          modifiedAt: 't1',
          fieldHashes: {},
        },
      ]);
      approvals.saveTargets(chain.id, [
        {
          target: 'crm.lead 1',
          readMethod: 'crm.lead.get',
          readParams: { id: 1 },
          recordPath: [],
          modifiedField: 'DATE_MODIFY',
          modifiedAt: 't2',
          fieldHashes: {},
        },
      ]);
      assert.deepEqual(
        approvals.targetsOf(chain.id).map((target) => target.modifiedAt),
        ['t2'],
      );
      assert.deepEqual(approvals.recentPlanIds({ portal, kind: 'chain' }), [chain.id]);
    });

    it('reservations: rows in the order saved, attempts carried to the next process_id, dead letters written with the row update', () => {
      const database = engine.connect(unique('reservations'));
      const clock = new ManualClock(1_000);
      const portal = unique('portal');
      const reservations = new ReservationStore(database, portal, '', clock);
      const letters = new DeadLetterStore(database, clock);
      const rows = ['30', '10', '20'].map((rowId) => ({ identity: { rowId, messageId: `m${rowId}`, eventName: 'ONCRMLEADADD' }, payload: { rowId } }));
      const saved = reservations.saveReservation('p1', false, rows);
      assert.deepEqual(
        saved.map((row) => row.rowId),
        ['30', '10', '20'],
      );
      reservations.update('p1', [{ rowId: '10', status: 'failed', attempts: 2, error: 'boom' }]);
      assert.deepEqual(
        reservations.rowsOf('p1').map((row) => row.rowId),
        ['30', '10', '20'],
        'an update keeps the order',
      );
      clock.advance(5);
      const again = reservations.saveReservation('p2', true, [rows[1] as (typeof rows)[number]]);
      assert.equal(again[0]?.attempts, 2);
      assert.equal(again[0]?.firstSeen, 1_000);
      const letter: DeadLetterInput = {
        portal,
        source: 'offline',
        authConnector: '',
        eventName: 'ONCRMLEADADD',
        rowId: '10',
        messageId: 'm10',
        processId: 'p2',
        payload: { rowId: '10' },
        error: { code: 'HANDLER_FAILED', message: 'boom' },
        attempts: 3,
        firstSeen: 1_000,
        lastSeen: 1_005,
      };
      const ids = reservations.update('p2', [{ rowId: '10', status: 'dead' }], [letter], letters);
      assert.equal(ids.length, 1);
      assert.equal(letters.get(ids[0] as number)?.rowId, '10');
      assert.equal(letters.list({ portal })[0]?.id, ids[0]);
      reservations.update('p2', [{ rowId: '10', status: 'cleared' }]);
      assert.equal(reservations.closeIfSettled('p2'), true);
      assert.deepEqual(
        reservations.openReservations().map((open) => open.processId),
        ['p1'],
      );
      assert.deepEqual(reservations.countRows(), { reserved: 2, failed: 1, cleared: 1 });
    });

    it('audit, inbox and the method registry: ids grow, camelCase columns read back, JSONL export pages', async () => {
      const database = engine.connect(unique('misc'));
      const audit = new AuditStore(database);
      const first = audit.record({ portal: 'p', method: 'crm.lead.add', outcome: 'ok', params: { fields: { TITLE: 'secret value' } } });
      const second = audit.record({ portal: 'p', method: 'crm.lead.get', outcome: 'error', errorCode: 'NOT_FOUND' });
      assert.ok(second.id > first.id);
      assert.deepEqual(
        audit.list({ portal: 'p' }).map((row) => row.method),
        ['crm.lead.add', 'crm.lead.get'],
      );
      const lines: string[] = [];
      const sink = { write: (text: string) => lines.push(text) > 0 } as unknown as NodeJS.WritableStream;
      assert.equal(await audit.exportJsonl(sink), 2);
      assert.doesNotMatch(lines.join(''), /secret value/);
      const inbox = new InboxStore(database);
      const id = inbox.add({ memberId: 'm', domain: 'd', eventName: 'ONAPPTEST', data: { a: 1 }, ts: '1' });
      assert.deepEqual(
        inbox.pending(10).map((event) => event.id),
        [id],
      );
      inbox.setStatus(id, 'done');
      assert.deepEqual(inbox.counts(), { pending: 0, done: 1, dead: 0 });
      const registry = new MethodVersionStore(database);
      registry.save('p', ['Tasks.Task.Add', 'tasks.task.get'], 'rest.scope.list', 100);
      registry.save('p', ['tasks.task.add'], 'rest.scope.list', 200);
      assert.deepEqual(registry.load('p', 300), { methods: ['tasks.task.add'], source: 'rest.scope.list', refreshedAt: 200 });
    });
  });
}

describe('PostgreSQL facade', () => {
  it('a statement blocked by another session past the timeout fails with STATE_DB_TIMEOUT instead of hanging', { timeout: 60_000 }, async () => {
    const database = openStateDatabase(postgresUrl, { statementTimeoutMs: 1_500 });
    opened.push(database);
    const store = new RunStore(database);
    const run = store.createRun({ portal: 'locked', chainName: 'c', chainPath: '/l.yml', chainSha256: 's', inputs: {}, planId: null });
    const holder = new pg.Client({ connectionString: postgresUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('UPDATE runs SET updated_at = 1 WHERE id = $1', [run.id]);
      const started = Date.now();
      assert.throws(
        () => store.setStatus(run.id, 'done'),
        (error) => isStateDatabaseError(error) && error.code === 'STATE_DB_TIMEOUT' && !/password/.test(error.message),
      );
      assert.ok(Date.now() - started < 10_000);
      assert.equal(database.open, false, 'the connection is closed after a timeout');
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
  });

  it('a transaction that fails to serialise (write skew with another host) is run again, and then commits', () => {
    const mine = openStateDatabase(postgresUrl) as PostgresDatabase;
    const other = openStateDatabase(postgresUrl) as PostgresDatabase;
    opened.push(mine, other);
    mine.exec('CREATE TABLE IF NOT EXISTS skew (k INTEGER PRIMARY KEY, v INTEGER NOT NULL)');
    mine.prepare('INSERT INTO skew (k, v) VALUES (1, 0), (2, 0) ON CONFLICT (k) DO UPDATE SET v = 0').run();
    // The other host reads row 1 and writes row 2; this one reads row 2 and writes row 1, and the other commits first.
    other.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    other.query('SELECT v FROM skew WHERE k = 1');
    other.query('UPDATE skew SET v = 20 WHERE k = 2');
    let attempts = 0;
    const seen = mine.transaction(() => {
      attempts += 1;
      const value = mine.prepare('SELECT v FROM skew WHERE k = ?').pluck().get(2);
      mine.prepare('UPDATE skew SET v = ? WHERE k = 1').run(Number(value) + 1);
      if (attempts === 1) other.query('COMMIT');
      return value;
    })();
    assert.equal(attempts, 2, 'the first attempt failed with 40001 at COMMIT and was run again');
    assert.equal(seen, 20, 'the second attempt read what the other host committed');
    assert.deepEqual(mine.prepare('SELECT v FROM skew ORDER BY k').pluck().all(), [21, 20]);
  });

  it('token lock: a holder on another connection makes the wait poll (the event loop keeps running) and give up with TOKEN_LOCK_TIMEOUT', async () => {
    const holderDatabase = openStateDatabase(postgresUrl) as PostgresDatabase;
    const waiterDatabase = openStateDatabase(postgresUrl) as PostgresDatabase;
    opened.push(holderDatabase, waiterDatabase);
    const holder = new PostgresTokenStore(holderDatabase);
    const waiter = new PostgresTokenStore(waiterDatabase, { lockTimeoutMs: 600, pollMs: 20 });
    let releaseHolder: () => void = () => undefined;
    const holding = holder.withLock('portal|client', () => new Promise<void>((resolve) => (releaseHolder = resolve)));
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 10);
    try {
      await assert.rejects(
        waiter.withLock('portal|client', async () => 'never'),
        (error) => isStateDatabaseError(error) && error.code === 'TOKEN_LOCK_TIMEOUT',
      );
      assert.ok(ticks >= 10, `timers ran while waiting (${ticks})`);
      assert.equal(await waiter.withLock('another|key', async () => 'free'), 'free', 'other keys are not held');
    } finally {
      clearInterval(ticker);
      releaseHolder();
      await holding;
    }
    assert.equal(await waiter.withLock('portal|client', async () => 'taken'), 'taken', 'released with the work');
  });

  it('stored tokens that are not JSON are refused without quoting them', async () => {
    const database = openStateDatabase(postgresUrl) as PostgresDatabase;
    opened.push(database);
    database.prepare('INSERT INTO oauth_tokens (token_key, tokens, updated_at) VALUES (?, ?, ?)').run('broken|key', '{"accessToken":"tok-secret-123', 1);
    await assert.rejects(
      new PostgresTokenStore(database).load('broken|key'),
      (error) => isStateDatabaseError(error) && error.code === 'STATE_DB_TOKENS_INVALID' && !error.message.includes('tok-secret-123'),
    );
  });

  it('a connection the server ended is opened again for the next statement outside a transaction', () => {
    const database = openStateDatabase(postgresUrl) as PostgresDatabase;
    const admin = openStateDatabase(postgresUrl) as PostgresDatabase;
    opened.push(database, admin);
    const store = new RunStore(database);
    const run = store.createRun({ portal: 'reconnect', chainName: 'c', chainPath: '/r.yml', chainSha256: 's', inputs: {}, planId: null });
    const backend = database.query('SELECT pg_backend_pid() AS pid').rows[0]?.pid;
    admin.query('SELECT pg_terminate_backend($1)', [backend]);
    // The first statement after the loss may report it; the next one runs on a new connection.
    try {
      store.getRun(run.id);
    } catch (error) {
      assert.ok(isStateDatabaseError(error) && error.code === 'STATE_DB_QUERY', String(error));
    }
    assert.equal(store.getRun(run.id)?.id, run.id);
    assert.notEqual(database.query('SELECT pg_backend_pid() AS pid').rows[0]?.pid, backend);
  });

  it('a URL that cannot be reached is refused with STATE_DB_OPEN, its password masked', () => {
    const url = new URL(postgresUrl);
    url.port = '1';
    url.password = 'hunter2-secret';
    assert.throws(
      () => openStateDatabase(url.toString()),
      (error) => isStateDatabaseError(error) && error.code === 'STATE_DB_OPEN' && !error.message.includes('hunter2-secret') && error.message.includes(':***@'),
    );
  });
});

describe('PostgreSQL: processes racing', () => {
  const storeFixtures = new URL('../store/fixtures/', import.meta.url);

  function start(script: string, args: string[]) {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, storeFixtures)), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    return {
      child,
      exit,
      errors: () => errors,
      nextLine: async (): Promise<string> => {
        const next = await lines.next();
        if (next.done === true) throw new Error(`ended early: ${errors}`);
        return next.value;
      },
    };
  }

  it('six processes opening a new database at once: all open it, it is migrated once', { timeout: 120_000 }, async () => {
    const url = await freshDatabaseUrl('open_race');
    const racers = Array.from({ length: 6 }, () => start('open-racer.ts', ['state', url]));
    assert.deepEqual(await Promise.all(racers.map((racer) => racer.nextLine())), Array(6).fill('ready'));
    for (const racer of racers) racer.child.stdin.end('go\n');
    for (const racer of racers) {
      assert.equal(await racer.exit, 0, racer.errors());
    }
    const database = openStateDatabase(url);
    try {
      assert.equal(database.pragma('user_version', { simple: true }), stateMigrations.length);
    } finally {
      database.close();
    }
  });

  it('two processes racing one idempotency key: one owns it and creates the entity, the other sees it in flight, then a replay', {
    timeout: 120_000,
  }, async () => {
    const setup = openStateDatabase(postgresUrl);
    setup.exec('CREATE TABLE IF NOT EXISTS racer_entities (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL)');
    setup.close();
    const params = { title: 'Raced lead', fields: { TITLE: 'Raced lead' } };
    const racers = [0, 1].map(() => start('idempotency-racer.ts', [postgresUrl, 'race.bitrix24.com', 'crm.lead.add', 'race-key', JSON.stringify(params)]));
    assert.deepEqual(await Promise.all(racers.map((racer) => racer.nextLine())), ['ready', 'ready']);
    for (const racer of racers) racer.child.stdin.write('go\n');
    const decisions = (await Promise.all(racers.map((racer) => racer.nextLine()))).map((line) => (JSON.parse(line) as { outcome: string }).outcome);
    assert.deepEqual([...decisions].sort(), ['fresh', 'in_flight']);
    const owner = racers[decisions.indexOf('fresh')];
    assert.ok(owner);
    owner.child.stdin.write('complete\n');
    assert.equal(await owner.nextLine(), 'completed');
    for (const racer of racers) racer.child.stdin.end();
    assert.deepEqual(await Promise.all(racers.map((racer) => racer.exit)), [0, 0]);
    const database = openStateDatabase(postgresUrl);
    try {
      assert.equal(database.prepare('SELECT count(*) FROM racer_entities').pluck().get(), 1);
      const third = new IdempotencyStore(database).begin({ portal: 'race.bitrix24.com', method: 'crm.lead.add', key: 'race-key', params });
      assert.equal(third.outcome, 'replay');
    } finally {
      database.close();
    }
  });
});
