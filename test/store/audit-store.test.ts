import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { registerSecret } from '../../src/errors/redact-secrets.ts';
import { AuditStore, openStateDatabase, parameterNames } from '../../src/store/index.ts';
import { ManualClock } from '../../src/util/clock.ts';

const folder = mkdtempSync(join(tmpdir(), 'b24chain-audit-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const webhookCode = 'k3x9webhookcode7q2';
const accessToken = 'at-4f9a8b7c6d5e4f3a2b1c';
registerSecret(webhookCode);
registerSecret(accessToken);

describe('audit store', () => {
  it('records parameter names (top level and fields) and never their values', () => {
    const path = join(folder, 'names.db');
    const database = openStateDatabase(path);
    const audit = new AuditStore(database, { clock: new ManualClock() });
    const row = audit.record({
      portal: 'portal-a.bitrix24.com',
      method: 'crm.lead.add',
      risk: 'write',
      outcome: 'ok',
      durationMs: 12.4,
      idempotencyKey: 'ORIGINATOR_ID=erp&ORIGIN_ID=1',
      params: { fields: { TITLE: 'Secret Deal Title', PHONE: [{ VALUE: '+1 555 0100' }] }, auth: accessToken, token: webhookCode },
      packs: ['core'],
    });
    assert.deepEqual(row.parameterNames, ['fields', 'fields.TITLE', 'fields.PHONE', 'auth', 'token']);
    assert.equal(row.durationMs, 12);
    assert.equal(row.outcome, 'ok');
    assert.match(row.requestId, /^[0-9a-f-]{36}$/);
    database.close();
    const file = readFileSync(path).toString('latin1') + readWal(path);
    for (const value of ['Secret Deal Title', '+1 555 0100', accessToken, webhookCode]) assert.equal(file.includes(value), false, value);
    assert.ok(file.includes('fields.TITLE'));
  });

  it('redacts secrets from every free-form text it is given', () => {
    const audit = new AuditStore(openStateDatabase(':memory:'));
    const row = audit.record({
      portal: 'portal-a.bitrix24.com',
      method: `https://portal-a.bitrix24.com/rest/1/${webhookCode}/crm.lead.add`,
      outcome: 'error',
      errorCode: `expired_token ${accessToken}`,
      idempotencyKey: `key-${webhookCode}`,
      requestId: `request-${accessToken}`,
      params: { [`x-${webhookCode}`]: 1 },
    });
    const text = JSON.stringify(row);
    assert.equal(text.includes(webhookCode), false);
    assert.equal(text.includes(accessToken), false);
    assert.equal(row.risk, null, 'a refusal before classification has no risk');
  });

  it('keeps one row per call and per refusal, with every column the issue lists', () => {
    const clock = new ManualClock(Date.parse('2026-01-02T03:04:05.000Z'));
    const audit = new AuditStore(openStateDatabase(':memory:'), { clock });
    audit.record({ portal: 'p', method: 'crm.lead.delete', risk: 'destructive', outcome: 'refused', errorCode: 'CONFIRMATION_REQUIRED', packs: ['core'] });
    clock.advance(1000);
    audit.record({
      portal: 'p',
      method: 'crm.lead.add',
      risk: 'write',
      outcome: 'replayed',
      planId: 'plan_x',
      idempotencyKey: 'k',
      requestId: 'r-2',
      durationMs: 3,
    });
    const rows = audit.list();
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[1], {
      id: 2,
      time: '2026-01-02T03:04:06.000Z',
      requestId: 'r-2',
      portal: 'p',
      method: 'crm.lead.add',
      risk: 'write',
      outcome: 'replayed',
      errorCode: null,
      durationMs: 3,
      planId: 'plan_x',
      idempotencyKey: 'k',
      parameterNames: [],
      packs: [],
    });
    assert.equal(rows[0]?.errorCode, 'CONFIRMATION_REQUIRED');
  });

  it('lists since a time and the latest N rows, oldest first', () => {
    const clock = new ManualClock(1_000_000);
    const audit = new AuditStore(openStateDatabase(':memory:'), { clock });
    for (let index = 0; index < 5; index += 1) {
      audit.record({ portal: index % 2 === 0 ? 'p' : 'q', method: `m.${index}`, outcome: 'ok' });
      clock.advance(10);
    }
    assert.deepEqual(
      audit.list({ since: 1_000_020 }).map((row) => row.method),
      ['m.2', 'm.3', 'm.4'],
    );
    assert.deepEqual(
      audit.list({ limit: 2 }).map((row) => row.method),
      ['m.3', 'm.4'],
    );
    assert.deepEqual(
      audit.list({ portal: 'q' }).map((row) => row.method),
      ['m.1', 'm.3'],
    );
  });

  it('exports JSON lines, one row each, in order, across pages', async () => {
    const audit = new AuditStore(openStateDatabase(':memory:'));
    for (let index = 0; index < 1203; index += 1) audit.record({ portal: 'p', method: `m.${index}`, outcome: 'ok' });
    const stream = new PassThrough({ highWaterMark: 1024 });
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const count = await audit.exportJsonl(stream);
    assert.equal(count, 1203);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { method: string });
    assert.equal(lines.length, 1203);
    assert.equal(lines[0]?.method, 'm.0');
    assert.equal(lines[1202]?.method, 'm.1202');
  });

  it('parameterNames lists names only', () => {
    assert.deepEqual(parameterNames({ id: 5, FIELDS: { TITLE: 'x' }, filter: { '>ID': 1 } }), ['id', 'FIELDS', 'FIELDS.TITLE', 'filter']);
    assert.deepEqual(parameterNames(undefined), []);
  });
});

function readWal(path: string): string {
  try {
    return readFileSync(`${path}-wal`).toString('latin1');
  } catch {
    return '';
  }
}
