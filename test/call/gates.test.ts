import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GuardedCallRequest } from '../../src/call/index.ts';
import { packsForMethod } from '../../src/protocol/packs.ts';
import { startCallFixture, type CallFixture } from './helpers/call-fixture.ts';

const lead = JSON.stringify({ fields: { TITLE: 'Gate test lead' } });
const batchOf = (cmd: unknown): string => JSON.stringify({ halt: 0, cmd });

describe('chain call: every gate refuses before any HTTP request', () => {
  let fixture: CallFixture;
  before(async () => {
    fixture = await startCallFixture();
  });
  after(() => fixture.close());

  const cases: Array<[string, GuardedCallRequest, string]> = [
    ['--params that is not JSON', { method: 'crm.lead.add', paramsText: '{"fields": {"TITLE": "x",}}', confirmWrite: true }, 'PARAMS_INVALID_JSON'],
    ['--params that is not an object', { method: 'crm.lead.list', paramsText: '[1, 2]' }, 'PARAMS_NOT_OBJECT'],
    ['no method and no plan', { paramsText: '{}' }, 'METHOD_MISSING'],
    ['a method name the portal cannot have', { method: 'crm lead list' }, 'METHOD_NAME_INVALID'],
    ['an unknown pack', { method: 'user.current', packsText: 'core,bogus' }, 'PACK_UNKNOWN'],
    ['a method outside the packs', { method: 'im.message.add', paramsText: '{"DIALOG_ID": 1, "MESSAGE": "hi"}', confirmWrite: true }, 'METHOD_NOT_ALLOWED'],
    ['any method with --packs none', { method: 'user.current', packsText: 'none' }, 'METHOD_NOT_ALLOWED'],
    ['a malformed allowlist', { method: 'user.current', allowlistText: 'crm.lead.get,bad pattern!' }, 'ALLOWLIST_INVALID'],
    [
      'a batch command outside the packs',
      { method: 'batch', paramsText: batchOf({ a: 'user.current', b: 'im.message.add?DIALOG_ID=1&MESSAGE=hi' }), confirmWrite: true },
      'METHOD_NOT_ALLOWED',
    ],
    ['a nested batch', { method: 'batch', paramsText: batchOf({ inner: 'batch?cmd[a]=user.current' }) }, 'BATCH_NESTED'],
    ['an empty batch', { method: 'batch', paramsText: '{"cmd": {}}' }, 'BATCH_EMPTY'],
    ['a batch of 51 commands', { method: 'batch', paramsText: batchOf(Array.from({ length: 51 }, () => 'user.current')) }, 'BATCH_TOO_LONG'],
    ['a write without --confirm-write', { method: 'crm.lead.add', paramsText: lead }, 'CONFIRMATION_REQUIRED'],
    ['a delete with only --confirm-write', { method: 'crm.lead.delete', paramsText: '{"id": 1}', confirmWrite: true }, 'CONFIRMATION_REQUIRED'],
    [
      'a batch hiding crm.lead.delete, with only --confirm-write',
      { method: 'batch', paramsText: batchOf({ list: 'crm.lead.list', gone: 'crm.lead.delete?id=1' }), confirmWrite: true },
      'CONFIRMATION_REQUIRED',
    ],
    ['event.offline.get without clear=0 (it deletes what it returns)', { method: 'event.offline.get', paramsText: '{"limit": 5}' }, 'CONFIRMATION_REQUIRED'],
    ['a write under --require-plan', { method: 'crm.lead.add', paramsText: lead, confirmWrite: true, requirePlan: true }, 'PLAN_REQUIRED'],
    [
      '--idempotency-key with --no-idempotency',
      { method: 'crm.lead.add', paramsText: lead, confirmWrite: true, idempotencyKey: 'k1', idempotency: false },
      'CALL_ARGUMENTS_CONFLICT',
    ],
    ['an empty --idempotency-key', { method: 'crm.lead.add', paramsText: lead, confirmWrite: true, idempotencyKey: '  ' }, 'IDEMPOTENCY_KEY_EMPTY'],
    ['METHOD together with --execute-plan', { method: 'crm.lead.add', executePlanId: 'plan_x', confirmWrite: true }, 'CALL_ARGUMENTS_CONFLICT'],
    ['--params together with --execute-plan', { executePlanId: 'plan_x', paramsText: lead, confirmWrite: true }, 'CALL_ARGUMENTS_CONFLICT'],
    ['a plan that does not exist', { executePlanId: 'plan_doesnotexist', confirmWrite: true }, 'PLAN_NOT_FOUND'],
  ];

  for (const [name, request, code] of cases) {
    it(`refuses ${name} (${code}, exit 2) and writes a refusal audit row`, async () => {
      const before = await fixture.requests();
      const auditBefore = fixture.stores.audit.list().length;
      const outcome = await fixture.call(request);
      assert.equal(outcome.status, 'refused');
      assert.equal(outcome.exitCode, 2);
      assert.equal(outcome.errors[0]?.code, code, JSON.stringify(outcome.errors));
      assert.match(String(outcome.errors[0]?.message), new RegExp(`\\(${code}\\)\\.`));
      assert.equal(await fixture.requests(), before, 'no HTTP request was sent');
      const rows = fixture.stores.audit.list();
      assert.equal(rows.length, auditBefore + 1);
      assert.equal(rows.at(-1)?.outcome, 'refused');
      assert.equal(rows.at(-1)?.errorCode, code);
    });
  }

  it('says where --params breaks, by line and column', async () => {
    const outcome = await fixture.call({ method: 'crm.lead.list', paramsText: '{\n  "filter": {"ID": 1\n}' });
    assert.match(String(outcome.errors[0]?.message), /at line 3, column 2 \(offset 24\): unexpected end of input, expected "," or "}"/);
  });

  it('names the confirmations a batch needs: writes and a hidden delete need both flags', async () => {
    const params = batchOf({ add: 'crm.lead.add?fields[TITLE]=x', gone: 'crm.lead.delete?id=1' });
    const outcome = await fixture.call({ method: 'batch', paramsText: params });
    assert.equal(outcome.risk, 'destructive');
    assert.deepEqual((outcome.errors[0]?.details as { missing: string[] }).missing, ['--confirm-write', '--confirm-destructive']);
    assert.match(String(outcome.errors[0]?.message), /destructive command "gone" \(crm\.lead\.delete\) needs --confirm-destructive/);
  });

  it('names the packs that would allow a refused method', async () => {
    const outcome = await fixture.call({ method: 'im.message.add', paramsText: '{}', confirmWrite: true });
    assert.match(String(outcome.errors[0]?.message), /im\.message\.add is outside the selected packs \(core\)/);
    assert.match(String(outcome.errors[0]?.hint), /--packs core,comms/);
    assert.match(String(outcome.errors[0]?.hint), /--method-allowlist im\.message\.add/);
  });
});

describe('chain call: what the gates let through', () => {
  let fixture: CallFixture;
  before(async () => {
    fixture = await startCallFixture();
  });
  after(() => fixture.close());

  const allowed: Array<[string, GuardedCallRequest, 'ok' | 'failed']> = [
    ['a read in the default pack', { method: 'user.current' }, 'ok'],
    ['a method outside the packs named in --method-allowlist', { method: 'server.time', allowlistText: 'server.*' }, 'ok'],
    ['--packs none with an exact allowlist', { method: 'server.time', packsText: 'none', allowlistText: 'server.time' }, 'ok'],
    ['a method outside the packs with --allow-unlisted', { method: 'server.time', allowUnlisted: true }, 'ok'],
    ['pack words people use ("workgroups" → collab) plus core', { method: 'user.current', packsText: 'workgroups,core' }, 'ok'],
    // A read once clear=0; the portal then refuses it to a webhook (WRONG_AUTH_TYPE): sent, and exit 1.
    ['event.offline.get with clear=0, without any confirmation', { method: 'event.offline.get', paramsText: '{"clear": 0}' }, 'failed'],
    ['a write with --confirm-write', { method: 'crm.lead.add', paramsText: lead, confirmWrite: true }, 'ok'],
    ['a batch of reads without any confirmation', { method: 'batch', paramsText: batchOf({ me: 'user.current', leads: 'crm.lead.list?select[]=ID' }) }, 'ok'],
  ];

  for (const [name, request, status] of allowed) {
    it(`sends ${name}`, async () => {
      const before = await fixture.requests();
      const outcome = await fixture.call(request);
      assert.equal(outcome.status, status, JSON.stringify(outcome.errors));
      assert.equal(outcome.exitCode, status === 'ok' ? 0 : 1);
      assert.equal(await fixture.requests(), before + 1, 'exactly one HTTP request');
      const row = fixture.stores.audit.list().at(-1);
      assert.equal(row?.requestId, outcome.requestId);
      assert.equal(row?.outcome, status === 'ok' ? 'ok' : 'error');
    });
  }
});

describe('chain call: --no-audit', () => {
  let fixture: CallFixture;
  before(async () => {
    fixture = await startCallFixture();
  });
  after(() => fixture.close());

  it('writes no audit row for the call, sent or refused', async () => {
    await fixture.call({ method: 'user.current', audit: false });
    await fixture.call({ method: 'crm.lead.add', paramsText: lead, audit: false });
    assert.equal(fixture.stores.audit.list().length, 0);
    await fixture.call({ method: 'user.current' });
    assert.equal(fixture.stores.audit.list().length, 1);
  });
});

describe('chain call: catalog methods a suffix rule would call reads need their confirmation', () => {
  let fixture: CallFixture;
  before(async () => {
    fixture = await startCallFixture();
  });
  after(() => fixture.close());

  const cases: Array<[string, '--confirm-write' | '--confirm-destructive']> = [
    ['bizproc.workflow.kill', '--confirm-destructive'],
    ['bizproc.workflow.terminate', '--confirm-destructive'],
    ['disk.folder.uploadfile', '--confirm-write'],
    ['disk.folder.addsubfolder', '--confirm-write'],
    ['disk.file.copyto', '--confirm-write'],
    ['disk.file.moveto', '--confirm-write'],
    ['tasks.api.scrum.kanban.deleteTask', '--confirm-destructive'],
    ['tasks.api.scrum.kanban.addTask', '--confirm-write'],
    ['tasks.api.scrum.sprint.start', '--confirm-write'],
    ['tasks.api.scrum.sprint.complete', '--confirm-write'],
    ['tasks.task.complete', '--confirm-write'],
    ['timeman.open', '--confirm-write'],
    ['timeman.close', '--confirm-write'],
    ['bizproc.workflow.start', '--confirm-write'],
    ['bizproc.task.complete', '--confirm-write'],
    ['imbot.command.answer', '--confirm-write'],
    ['telephony.externalCall.finish', '--confirm-write'],
    ['landing.block.addCard', '--confirm-write'],
    ['ai.engine.unregister', '--confirm-destructive'],
    ['event.offline.error', '--confirm-write'],
    ['event.offline.clear', '--confirm-destructive'],
  ];

  for (const [method, flag] of cases) {
    it(`${method} is refused without ${flag}, before any request`, async () => {
      const before = await fixture.requests();
      const packsText = packsForMethod(method).join(',');
      const outcome = await fixture.call({ method, packsText, paramsText: '{}' });
      assert.equal(outcome.errors[0]?.code, 'CONFIRMATION_REQUIRED');
      assert.deepEqual((outcome.errors[0]?.details as { missing: string[] }).missing, [flag]);
      const other = flag === '--confirm-write' ? { confirmDestructive: true } : { confirmWrite: true };
      const stillRefused = await fixture.call({ method, packsText, paramsText: '{}', ...other });
      assert.equal(stillRefused.errors[0]?.code, 'CONFIRMATION_REQUIRED', 'the other confirmation does not cover it');
      assert.equal(await fixture.requests(), before);
    });
  }
});
