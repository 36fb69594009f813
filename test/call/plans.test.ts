import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../src/emulator/index.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { countLeads, startCallFixture, type CallFixture } from './helpers/call-fixture.ts';

const minute = 60_000;

describe('chain call: plans', () => {
  let fixture: CallFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('a plan survives an attempt without its confirmation flag, then executes exactly once', async () => {
    fixture = await startCallFixture();
    const params = JSON.stringify({ fields: { TITLE: 'Planned once' } });
    const planned = await fixture.call({ method: 'crm.lead.add', paramsText: params, planOnly: true });
    assert.equal(planned.status, 'planned');
    assert.equal(planned.exitCode, 0);
    const plan = planned.plan;
    assert.ok(plan !== undefined);
    assert.deepEqual(plan.confirmations, ['--confirm-write']);
    assert.deepEqual(plan.argv, ['chain', 'call', '--execute-plan', plan.id, '--confirm-write', '--packs', 'core']);
    assert.equal(await fixture.requests(), 0, 'making a plan sends nothing');

    const missingFlag = await fixture.call({ executePlanId: plan.id });
    assert.equal(missingFlag.errors[0]?.code, 'CONFIRMATION_REQUIRED');
    assert.match(String(missingFlag.errors[0]?.hint), /plan was not used and stays valid/);
    assert.equal(await fixture.requests(), 0);
    assert.equal(fixture.stores.plans.find(plan.id)?.consumedAt, null, 'the refusal left the plan usable');

    const executed = await fixture.call({ executePlanId: plan.id, confirmWrite: true });
    assert.equal(executed.status, 'ok', JSON.stringify(executed.errors));
    assert.equal(executed.planId, plan.id);
    assert.equal(executed.method, 'crm.lead.add');
    assert.equal(await fixture.requests(), 1);

    const again = await fixture.call({ executePlanId: plan.id, confirmWrite: true });
    assert.equal(again.errors[0]?.code, 'PLAN_CONSUMED');
    assert.equal(await countLeads(fixture.emulator, 'Planned once'), 1);

    const rows = fixture.stores.audit.list().filter((row) => row.planId === plan.id);
    assert.deepEqual(
      rows.map((row) => row.outcome),
      ['refused', 'ok', 'refused'],
    );
    assert.deepEqual(
      rows.map((row) => row.errorCode),
      ['CONFIRMATION_REQUIRED', null, 'PLAN_CONSUMED'],
    );
  });

  it('a plan made for one portal is refused on another, before any request to either', async () => {
    fixture = await startCallFixture();
    const other = await startEmulator({ seed: 'demo' });
    try {
      const planned = await fixture.call({ method: 'crm.lead.add', paramsText: '{"fields": {"TITLE": "Portal A only"}}', planOnly: true });
      const planId = planned.plan?.id ?? '';
      const onOther = fixture.clientFor(other);
      const refused = await fixture.call({ executePlanId: planId, confirmWrite: true }, { client: onOther.client });
      assert.equal(refused.errors[0]?.code, 'PLAN_PORTAL_MISMATCH');
      assert.equal(refused.portal, onOther.client.portalKey);
      assert.notEqual(onOther.client.portalKey, fixture.client.portalKey);
      assert.equal((await other.stats()).httpRequests, 0);
      assert.equal(await fixture.requests(), 0);
      const home = await fixture.call({ executePlanId: planId, confirmWrite: true });
      assert.equal(home.status, 'ok', 'still usable on its own portal');
    } finally {
      await other.close();
    }
  });

  it('runs only with the packs and allowlist it was made with', async () => {
    fixture = await startCallFixture();
    const planned = await fixture.call({ method: 'server.time', packsText: 'core,comms', allowlistText: 'server.time', planOnly: true });
    const planId = planned.plan?.id ?? '';
    assert.deepEqual(planned.plan?.argv.slice(2), ['--execute-plan', planId, '--packs', 'core,comms', '--method-allowlist', 'server.time']);
    const otherPacks = await fixture.call({ executePlanId: planId, packsText: 'core', allowlistText: 'server.time' });
    assert.equal(otherPacks.errors[0]?.code, 'PLAN_PACKS_MISMATCH');
    assert.match(String(otherPacks.errors[0]?.hint), /--packs core,comms --method-allowlist server\.time/);
    const noAllowlist = await fixture.call({ executePlanId: planId, packsText: 'comms,core' });
    assert.equal(noAllowlist.errors[0]?.code, 'PLAN_ALLOWLIST_MISMATCH');
    assert.equal(await fixture.requests(), 0);
    const executed = await fixture.call({ executePlanId: planId, packsText: 'comms,core', allowlistText: 'server.time' });
    assert.equal(executed.status, 'ok', 'pack order does not matter');
  });

  it('expires after 30 minutes', async () => {
    const clock = new ManualClock();
    fixture = await startCallFixture({ clock });
    const planned = await fixture.call({ method: 'crm.lead.add', paramsText: '{"fields": {"TITLE": "Late"}}', planOnly: true });
    assert.equal(Date.parse(planned.plan?.expiresAt ?? '') - clock.now(), 30 * minute);
    clock.advance(30 * minute);
    const late = await fixture.call({ executePlanId: planned.plan?.id ?? '', confirmWrite: true });
    assert.equal(late.errors[0]?.code, 'PLAN_EXPIRED');
    assert.equal(await fixture.requests(), 0);
  });

  it('prints both confirmation flags for a batch that writes and hides a delete, and refuses plans the packs forbid', async () => {
    fixture = await startCallFixture();
    const params = JSON.stringify({ cmd: { add: 'crm.lead.add?fields[TITLE]=x', gone: 'crm.lead.delete?id=1' } });
    const planned = await fixture.call({ method: 'batch', paramsText: params, planOnly: true, idempotencyKey: 'cleanup-1' });
    assert.equal(planned.risk, 'destructive');
    assert.match(planned.plan?.command ?? '', /--confirm-write --confirm-destructive --packs core --idempotency-key cleanup-1$/);
    const forbidden = await fixture.call({ method: 'im.message.add', paramsText: '{}', planOnly: true });
    assert.equal(forbidden.errors[0]?.code, 'METHOD_NOT_ALLOWED');
    assert.equal(fixture.stores.audit.list().length, 1, 'plans are not calls: only the refusal is audited');
  });

  it('with --require-plan, a write runs through a plan and a read runs directly', async () => {
    fixture = await startCallFixture();
    const planned = await fixture.call({ method: 'crm.lead.add', paramsText: '{"fields": {"TITLE": "Required plan"}}', planOnly: true, requirePlan: true });
    const executed = await fixture.call({ executePlanId: planned.plan?.id ?? '', confirmWrite: true, requirePlan: true });
    assert.equal(executed.status, 'ok');
    const read = await fixture.call({ method: 'user.current', requirePlan: true });
    assert.equal(read.status, 'ok');
  });
});
