import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { registerTestMethods } from '../helpers/test-methods.ts';
import { http } from '../helpers/http.ts';
import { buildQuery } from '../../src/protocol/php-query.ts';

let emulator: RunningEmulator;
let added: Map<number, unknown>;

before(async () => {
  emulator = await startEmulator({ rate: 1000, burst: 1000 });
  added = registerTestMethods(emulator).added;
});
after(async () => emulator.close());
beforeEach(async () => {
  await emulator.reset();
  added.clear();
});

const batch = (body: unknown) => http(`${emulator.webhookUrl}batch`, { json: body });

describe('leaky bucket', () => {
  it('admits the burst, then answers 503 QUERY_LIMIT_EXCEEDED without executing', async () => {
    let now = 1_800_000_000_000;
    const limited = await startEmulator({ rate: 2, burst: 5, clock: { now: () => now } });
    const { added: writes } = registerTestMethods(limited);
    try {
      const statuses: number[] = [];
      for (let index = 0; index < 7; index += 1) statuses.push((await http(`${limited.webhookUrl}test.add`, { json: { fields: { N: index } } })).status);
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 503, 503]);
      assert.equal(writes.size, 5, 'refused requests are not executed');
      const refused = await http(`${limited.webhookUrl}test.echo`);
      assert.deepEqual(refused.body, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
      now += 1000; // drains 2
      assert.equal((await http(`${limited.webhookUrl}test.echo`)).status, 200);
      assert.equal((await http(`${limited.webhookUrl}test.echo`)).status, 200);
      assert.equal((await http(`${limited.webhookUrl}test.echo`)).status, 503);
      assert.equal((await limited.stats()).refusals.QUERY_LIMIT_EXCEEDED, 4);
    } finally {
      await limited.close();
    }
  });

  it('counts a batch as one request and keeps one bucket per portal', async () => {
    const now = 1_800_000_000_000;
    const limited = await startEmulator({ rate: 1, burst: 2, clock: { now: () => now } });
    registerTestMethods(limited);
    try {
      const cmd = Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`c${index}`, 'test.echo']));
      assert.equal((await http(`${limited.webhookUrl}batch`, { json: { cmd } })).status, 200);
      assert.equal((await http(`${limited.webhookUrl}batch`, { json: { cmd } })).status, 200);
      assert.equal((await http(`${limited.webhookUrl}test.echo`)).status, 503);
      const other = (await http(`${limited.url}/_emulator/apps`, { json: { kind: 'webhook', portal: 'new' } })).body;
      assert.equal((await http(`${other.webhookUrl}test.echo`)).status, 200, 'another portal has its own bucket');
    } finally {
      await limited.close();
    }
  });
});

describe('operating budget', () => {
  it('lets the call that crosses the limit finish, then answers 429 until the oldest minute expires', async () => {
    let now = 1_800_000_000_000;
    const timed = await startEmulator({ operatingLimitSeconds: 0.3, executionMs: { methods: { 'test.echo': 110 } }, clock: { now: () => now } });
    registerTestMethods(timed);
    try {
      const operating: number[] = [];
      for (let index = 0; index < 3; index += 1) {
        const answer = await http(`${timed.webhookUrl}test.echo`);
        assert.equal(answer.status, 200);
        operating.push(answer.body.time.operating);
        now += 1000;
      }
      assert.deepEqual(operating, [0.11, 0.22, 0.33]);
      const blocked = await http(`${timed.webhookUrl}test.echo`);
      assert.deepEqual([blocked.status, blocked.body.error], [429, 'OPERATION_TIME_LIMIT']);
      assert.equal('time' in blocked.body, false, 'a 429 body carries no time');
      assert.equal((await http(`${timed.webhookUrl}test.list`)).status, 200, 'other methods are unaffected');
      now += 600_000;
      assert.equal((await http(`${timed.webhookUrl}test.echo`)).status, 200);
    } finally {
      await timed.close();
    }
  });

  it('reports operating_reset_at as the first call of the oldest minute plus 600 s', async () => {
    const now = 1_800_000_030_000;
    const timed = await startEmulator({ executionMs: { read: 150 }, clock: { now: () => now } });
    registerTestMethods(timed);
    try {
      const answer = await http(`${timed.webhookUrl}test.echo`);
      assert.equal(answer.body.time.operating_reset_at, Math.floor(now / 1000) + 600);
      assert.equal(answer.body.time.processing, 0.15);
    } finally {
      await timed.close();
    }
  });

  for (const mode of ['measured', 'documented'] as const) {
    it(`charges a batch as ${mode}`, async () => {
      const now = 1_800_000_000_000;
      const timed = await startEmulator({ batchCharging: mode, executionMs: { read: 110 }, clock: { now: () => now } });
      registerTestMethods(timed);
      try {
        const answer = await http(`${timed.webhookUrl}batch`, { json: { cmd: { a: 'test.echo', b: 'test.list' } } });
        const times = answer.body.result.result_time;
        if (mode === 'measured') {
          assert.equal(times.a.operating, 0.22, 'the whole batch figure in every result_time');
          assert.equal(times.b.operating, 0.22);
          assert.equal(answer.body.time.operating, 0.22);
        } else {
          assert.equal(times.a.operating, 0.11);
          assert.equal(times.b.operating, 0.11);
        }
      } finally {
        await timed.close();
      }
    });
  }
});

describe('batch', () => {
  it('keeps results by name and returns empty maps as []', async () => {
    const answer = await batch({ cmd: { one: 'test.echo?x=1', two: 'test.echo?y[]=a' } });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.result.result, { one: { x: '1' }, two: { y: ['a'] } });
    assert.deepEqual(answer.body.result.result_error, []);
    assert.deepEqual(answer.body.result.result_total, []);
    assert.deepEqual(answer.body.result.result_next, []);
    assert.ok(answer.body.result.result_time.one.start);
  });

  it('turns maps keyed 0..n-1 into lists (cmd sent as an array)', async () => {
    const answer = await batch({ cmd: ['test.echo?a=1', 'test.fail?code=X'] });
    assert.deepEqual(answer.body.result.result, [{ a: '1' }]);
    assert.deepEqual(answer.body.result.result_error, { 1: { error: 'X', error_description: 'Not found' } });
    const both = await batch({ cmd: ['test.fail?code=A', 'test.fail?code=B'] });
    assert.ok(Array.isArray(both.body.result.result_error));
  });

  it('substitutes raw values for whole references and text for embedded ones (swallowing the rest of a word, as \\S* does)', async () => {
    const cmd = {
      first: `test.add?${buildQuery({ fields: { TITLE: 'a' } })}`,
      list: 'test.list?count=60',
      raw: `test.echo?${buildQuery({ id: '$result[first]', row: '$result[list][1]', next: '$next[list]', total: '$total[list]' })}`,
      text: `test.echo?${buildQuery({ title: 'lead-$result[first]-x', id: 'ID=$result[list][49][ID]' })}`,
    };
    const answer = await batch({ cmd });
    const result = answer.body.result.result;
    assert.deepEqual(result.raw, { id: 1, row: { ID: '2' }, next: 50, total: 60 });
    assert.deepEqual(result.text, { title: 'lead-1', id: 'ID=50' }, 'the server pattern $result(\\S*) eats "-x"');
    assert.deepEqual(answer.body.result.result_total, { list: 60 });
    assert.deepEqual(answer.body.result.result_next, { list: 50 });
  });

  it('silently substitutes the deepest value found for a path that does not resolve', async () => {
    const cmd = {
      short: 'test.list?count=3',
      chained: `test.echo?${buildQuery({ filter: { '>ID': '$result[short][49][ID]' } })}`,
    };
    const answer = await batch({ cmd });
    assert.deepEqual(answer.body.result.result.chained.filter['>ID'], [{ ID: '1' }, { ID: '2' }, { ID: '3' }]);
    assert.deepEqual(answer.body.result.result_error, []);
  });

  it('halt=1 stops at the first failure; later commands appear in no map', async () => {
    const cmd = { a: 'test.add?fields[T]=1', b: 'test.fail?code=E', c: 'test.add?fields[T]=2' };
    const halted = await batch({ cmd, halt: 1 });
    assert.deepEqual(Object.keys(halted.body.result.result), ['a']);
    assert.deepEqual(Object.keys(halted.body.result.result_error), ['b']);
    assert.equal(added.size, 1);
    const carried = await batch({ cmd, halt: 0 });
    assert.deepEqual(Object.keys(carried.body.result.result), ['a', 'c']);
  });

  it('answers commands past 50 with ERROR_BATCH_LENGTH_EXCEEDED inside a 200 and refuses nested batch', async () => {
    const cmd = Object.fromEntries(Array.from({ length: 52 }, (_, index) => [`c${index}`, 'test.echo']));
    cmd.c1 = 'batch?cmd[x]=test.echo';
    const answer = await batch({ cmd });
    assert.equal(answer.status, 200);
    const errors = answer.body.result.result_error;
    assert.equal(errors.c50.error, 'ERROR_BATCH_LENGTH_EXCEEDED');
    assert.equal(errors.c51.error, 'ERROR_BATCH_LENGTH_EXCEEDED');
    assert.equal(errors.c1.error, 'ERROR_BATCH_METHOD_NOT_ALLOWED');
    assert.equal(Object.keys(answer.body.result.result).length, 49);
  });

  it('applies auth, scope and app-only checks to every command', async () => {
    const limited = (await http(`${emulator.url}/_emulator/apps`, { json: { kind: 'webhook', scopes: ['task'] } })).body;
    const answer = await http(`${limited.webhookUrl}batch`, { json: { cmd: { a: 'test.add?fields[x]=1', b: 'test.apponly', c: 'test.echo' } } });
    assert.equal(answer.body.result.result_error.a.error, 'insufficient_scope');
    assert.equal(answer.body.result.result_error.b.error, 'WRONG_AUTH_TYPE');
    assert.deepEqual(answer.body.result.result.c, {});
  });

  it('accepts cmd encoded twice in a form body', async () => {
    const form = `cmd[a]=${encodeURIComponent('test.echo?t=John%26Martin')}&halt=0`;
    const answer = await http(`${emulator.webhookUrl}batch`, { form });
    assert.deepEqual(answer.body.result.result.a, { t: 'John&Martin' });
  });
});

describe('fault injection', () => {
  it('answers a share of requests with 500/502/503, deterministically for a seed', async () => {
    const run = async (): Promise<number[]> => {
      await emulator.reset();
      await emulator.setFaults({
        seed: 7,
        rules: [
          { rate: 0.3, status: 502 },
          { method: 'test.echo', rate: 0.2, status: 500 },
        ],
      });
      const statuses: number[] = [];
      for (let index = 0; index < 30; index += 1) statuses.push((await http(`${emulator.webhookUrl}test.echo`)).status);
      return statuses;
    };
    const first = await run();
    assert.deepEqual(await run(), first);
    assert.ok(first.includes(502) && first.includes(200));
    const html = await http(`${emulator.webhookUrl}test.echo`);
    if (html.status === 502) assert.match(html.text, /Bad Gateway/);
  });

  it('drops a connection before executing, or after executing without answering', async () => {
    await emulator.setFaults({
      rules: [
        { method: 'test.add', rate: 1, drop: 'before', times: 1 },
        { method: 'test.add', rate: 1, drop: 'after' },
      ],
    });
    await assert.rejects(http(`${emulator.webhookUrl}test.add`, { json: { fields: { n: 1 } } }));
    assert.equal(added.size, 0, 'dropped before: not executed');
    await emulator.setFaults({ rules: [{ method: 'test.add', rate: 1, drop: 'after', times: 1 }] });
    await assert.rejects(http(`${emulator.webhookUrl}test.add`, { json: { fields: { n: 2 } } }));
    assert.equal(added.size, 1, 'dropped after: executed');
    assert.equal((await emulator.stats()).droppedConnections, 2);
    assert.equal((await http(`${emulator.webhookUrl}test.add`, { json: { fields: { n: 3 } } })).status, 200, 'times limits a rule');
  });

  it('answers 200 with an HTML page when asked for garbage, and clears faults on reset', async () => {
    await emulator.setFaults({ rules: [{ rate: 1, garbage: true }] });
    const answer = await http(`${emulator.webhookUrl}test.echo`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body, undefined);
    await emulator.reset();
    assert.equal((await http(`${emulator.webhookUrl}test.echo`)).body.result !== undefined, true);
  });

  it('refuses a malformed fault configuration with 400 and keeps serving', async () => {
    const answer = await http(`${emulator.url}/_emulator/faults`, { json: { rules: [{ rate: 3 }] } });
    assert.equal(answer.status, 400);
    assert.equal((await http(`${emulator.webhookUrl}test.echo`)).status, 200);
  });
});

describe('TLS', () => {
  it('serves HTTPS with a self-signed certificate whose PEM path it reports', async () => {
    const secure = await startEmulator({ tls: true });
    try {
      assert.match(secure.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(secure.certificatePath);
      const { Agent } = await import('undici');
      const { readFileSync } = await import('node:fs');
      const dispatcher = new Agent({ connect: { ca: readFileSync(secure.certificatePath, 'utf8') } });
      const { request } = await import('undici');
      const answer = await request(`${secure.url}/_emulator/stats`, { dispatcher });
      assert.equal(answer.statusCode, 200);
      await answer.body.json();
      await dispatcher.close();
    } finally {
      await secure.close();
    }
  });
});
