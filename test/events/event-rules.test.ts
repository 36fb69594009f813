/** The worker's and the receiver's pure rules, table-driven. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildQuery } from '../../src/protocol/php-query.ts';
import {
  checkEventRow,
  digestApplicationToken,
  matchesApplicationToken,
  parseDuration,
  parseEventForm,
  resolveWorkerSettings,
  retryDelayMs,
} from '../../src/events/index.ts';

const goodRow = {
  ID: '17',
  TIMESTAMP_X: '2026-01-05T10:00:00+00:00',
  EVENT_NAME: 'ONCRMLEADADD',
  EVENT_DATA: { FIELDS: { ID: 5 } },
  EVENT_ADDITIONAL: { user_id: 1 },
  MESSAGE_ID: 'a'.repeat(32),
};

describe('checkEventRow', () => {
  it('hands a well-formed row over with the fields the handler reads', () => {
    assert.deepEqual(checkEventRow(goodRow), {
      ok: true,
      identity: { rowId: '17', messageId: 'a'.repeat(32), eventName: 'ONCRMLEADADD' },
      event: {
        ID: '17',
        EVENT_NAME: 'ONCRMLEADADD',
        EVENT_DATA: { FIELDS: { ID: 5 } },
        MESSAGE_ID: 'a'.repeat(32),
        TIMESTAMP_X: '2026-01-05T10:00:00+00:00',
        EVENT_ADDITIONAL: { user_id: 1 },
      },
    });
  });

  const malformed: Array<[string, unknown, string]> = [
    ['EVENT_DATA false (the docs sample)', { ...goodRow, EVENT_DATA: false }, 'EVENT_DATA is boolean false, expected an object'],
    ['EVENT_DATA a list', { ...goodRow, EVENT_DATA: [1] }, 'EVENT_DATA is an array, expected an object'],
    ['no ID', { ...goodRow, ID: undefined }, 'ID is missing, expected a positive integer'],
    ['a text ID', { ...goodRow, ID: 'abc' }, 'ID is "abc", expected a positive integer'],
    ['a short MESSAGE_ID', { ...goodRow, MESSAGE_ID: 'abc' }, 'MESSAGE_ID is "abc", expected 32 hexadecimal characters'],
    ['no EVENT_NAME', { ...goodRow, EVENT_NAME: '' }, 'EVENT_NAME is "", expected an event name'],
    ['not an object', 'garbage', 'the row is "garbage", not an object'],
  ];
  for (const [name, row, problem] of malformed) {
    it(`calls a row with ${name} malformed: ${problem}`, () => {
      const checked = checkEventRow(row);
      assert.equal(checked.ok, false);
      if (!checked.ok) assert.equal(checked.problem, problem);
    });
  }

  it('keeps what identifies a malformed row, so it can still be cleared', () => {
    const checked = checkEventRow({ ...goodRow, EVENT_DATA: null });
    assert.deepEqual(checked.identity, { rowId: '17', messageId: 'a'.repeat(32), eventName: 'ONCRMLEADADD' });
  });
});

describe('worker settings', () => {
  const durations: Array<[string, number]> = [
    ['3s', 3000],
    ['500ms', 500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['10', 10_000],
    ['1.5s', 1500],
  ];
  for (const [text, ms] of durations) it(`reads --poll-interval ${text} as ${ms} ms`, () => assert.equal(parseDuration(text), ms));

  it('refuses values that name the bad option', () => {
    assert.throws(() => parseDuration('soon'), /--poll-interval "soon": expected a duration such as 3s, 500ms or 2m \(WORKER_OPTION_INVALID\)/);
    assert.throws(() => resolveWorkerSettings({ limit: 0 }), /--limit 0: expected a whole number from 1 to 1000/);
    assert.throws(() => resolveWorkerSettings({ maxRetries: -1 }), /--max-retries -1/);
    assert.throws(() => resolveWorkerSettings({ authConnector: 'has space' }), /--auth-connector "has space"/);
  });

  it('defaults to --limit 50 --max-retries 5 --poll-interval 3s', () => {
    const settings = resolveWorkerSettings();
    assert.deepEqual([settings.limit, settings.maxRetries, settings.pollIntervalMs, settings.once, settings.authConnector], [50, 5, 3000, false, '']);
  });

  it('backs retries off from the poll interval, doubling, to at most 5 minutes', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((attempts) => retryDelayMs(attempts, 3000)),
      [3000, 6000, 12_000, 24_000],
    );
    assert.equal(retryDelayMs(30, 3000), 300_000);
  });
});

describe('online events', () => {
  it('checks the application token against a stored digest only', () => {
    const digest = digestApplicationToken('secret-token');
    assert.match(digest, /^[0-9a-f]{64}$/);
    assert.equal(matchesApplicationToken('secret-token', digest), true);
    assert.equal(matchesApplicationToken('secret-tokem', digest), false);
    assert.equal(matchesApplicationToken('', digest), false);
    assert.equal(matchesApplicationToken('x'.repeat(10_000), digest), false);
  });

  it('reads the form the portal posts: nested keys, all strings', () => {
    const body = buildQuery({
      event: 'onCrmDealAdd',
      event_handler_id: '185',
      data: { FIELDS: { ID: '7405' } },
      ts: '1766047124',
      auth: { member_id: 'm1', domain: 'p.example.test', application_token: 't1' },
    });
    assert.deepEqual(parseEventForm(body), {
      ok: true,
      event: {
        eventName: 'ONCRMDEALADD',
        data: { FIELDS: { ID: '7405' } },
        ts: '1766047124',
        memberId: 'm1',
        domain: 'p.example.test',
        applicationToken: 't1',
      },
    });
  });

  const bad: Array<[string, string]> = [
    ['', 'the form has no event'],
    ['event=ONCRMLEADADD', 'the form has no auth[member_id]'],
    ['event=ONCRMLEADADD&auth[member_id]=m1', 'the form has no auth[application_token]'],
  ];
  for (const [body, problem] of bad) it(`refuses ${JSON.stringify(body)}: ${problem}`, () => assert.deepEqual(parseEventForm(body), { ok: false, problem }));
});
