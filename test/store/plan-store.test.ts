import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRefusalError } from '../../src/errors/refusal-error.ts';
import { openStateDatabase, PlanStore, type CallPlanRequest } from '../../src/store/index.ts';
import { ManualClock } from '../../src/util/clock.ts';

const minute = 60_000;

function setUp(): { plans: PlanStore; clock: ManualClock } {
  const clock = new ManualClock();
  return { plans: new PlanStore(openStateDatabase(':memory:'), { clock }), clock };
}

const request: CallPlanRequest = {
  portal: 'portal-a.bitrix24.com',
  method: 'crm.lead.add',
  params: { fields: { TITLE: 'Planned lead' }, auth: 'access-token-value' },
  packs: ['core'],
  allowlist: ['crm.lead.*'],
  risk: 'write',
};

function refusedWith(code: string) {
  return (error: unknown): boolean => isRefusalError(error) && error.code === code && error.message.includes(`(${code}).`);
}

describe('plan store: call plans', () => {
  it('stores the method, params, packs, allowlist and risk, bound to the portal, for 30 minutes', () => {
    const { plans, clock } = setUp();
    const plan = plans.createCallPlan(request);
    assert.match(plan.id, /^plan_[A-Za-z0-9_-]{16}$/);
    assert.equal(plan.kind, 'call');
    assert.equal(plan.portal, 'portal-a.bitrix24.com');
    assert.equal(plan.risk, 'write');
    assert.deepEqual(plan.body, {
      method: 'crm.lead.add',
      params: { fields: { TITLE: 'Planned lead' } },
      packs: ['core'],
      allowlist: ['crm.lead.*'],
      allowUnlisted: false,
    });
    assert.equal(plan.expiresAt - clock.now(), 30 * minute);
    assert.deepEqual(plans.find(plan.id), plan);
  });

  it('never stores credentials given as an auth parameter', () => {
    const database = openStateDatabase(':memory:');
    const plan = new PlanStore(database).createCallPlan(request);
    const body = database.prepare('SELECT body FROM plans WHERE id = ?').pluck().get(plan.id) as string;
    assert.equal(body.includes('access-token-value'), false);
  });

  it('runs once: the second consume is refused, and a check after it too', () => {
    const { plans } = setUp();
    const plan = plans.createCallPlan(request);
    assert.equal(plans.consume(plan.id, request.portal).id, plan.id);
    assert.throws(() => plans.consume(plan.id, request.portal), refusedWith('PLAN_CONSUMED'));
    assert.throws(() => plans.check(plan.id, request.portal), refusedWith('PLAN_CONSUMED'));
  });

  it('a check changes nothing: a plan refused for a missing flag stays usable', () => {
    const { plans } = setUp();
    const plan = plans.createCallPlan(request);
    plans.check(plan.id, request.portal);
    plans.check(plan.id, request.portal);
    assert.equal(plans.find(plan.id)?.consumedAt, null);
    assert.equal(plans.consume(plan.id, request.portal).consumedAt !== null, true);
  });

  it('runs only on the portal it was made for, and that refusal does not consume it', () => {
    const { plans } = setUp();
    const plan = plans.createCallPlan(request);
    assert.throws(() => plans.consume(plan.id, 'portal-b.bitrix24.com'), refusedWith('PLAN_PORTAL_MISMATCH'));
    assert.equal(plans.consume(plan.id, request.portal).id, plan.id);
  });

  it('expires after its time to live, and a custom one is honoured', () => {
    const { plans, clock } = setUp();
    const plan = plans.createCallPlan(request);
    const short = plans.createCallPlan({ ...request, ttlMs: minute });
    clock.advance(minute);
    assert.throws(() => plans.consume(short.id, request.portal), refusedWith('PLAN_EXPIRED'));
    clock.advance(29 * minute - 1);
    assert.equal(plans.check(plan.id, request.portal).id, plan.id);
    clock.advance(1);
    assert.throws(() => plans.consume(plan.id, request.portal), refusedWith('PLAN_EXPIRED'));
    assert.equal(plans.deleteExpired(), 2);
    assert.throws(() => plans.check(plan.id, request.portal), refusedWith('PLAN_NOT_FOUND'));
  });

  it('refuses an unknown id and a plan of the other kind', () => {
    const { plans } = setUp();
    assert.throws(() => plans.consume('plan_nope', request.portal), refusedWith('PLAN_NOT_FOUND'));
    const chainPlan = plans.createChainPlan({
      portal: request.portal,
      chainHash: 'abc',
      chainName: 'lead-to-deal',
      inputs: {},
      packs: ['core'],
      risk: 'write',
      counts: [],
    });
    assert.throws(() => plans.consume(chainPlan.id, request.portal, 'call'), refusedWith('PLAN_KIND_MISMATCH'));
    assert.equal(plans.find(chainPlan.id)?.consumedAt, null);
  });

  it('of two stores sharing a database that consume the same plan, exactly one wins', () => {
    const database = openStateDatabase(':memory:');
    const first = new PlanStore(database);
    const second = new PlanStore(database);
    const plan = first.createCallPlan(request);
    const outcomes = [first, second].map((store) => {
      try {
        store.consume(plan.id, request.portal);
        return 'taken';
      } catch (error) {
        return isRefusalError(error) ? error.code : 'other';
      }
    });
    assert.deepEqual(outcomes, ['taken', 'PLAN_CONSUMED']);
  });
});

describe('plan store: chain plans', () => {
  it('stores the chain hash, inputs, counts and item keys, and answers which items are planned', () => {
    const { plans } = setUp();
    const plan = plans.createChainPlan({
      portal: request.portal,
      chainHash: 'sha256-of-file',
      chainName: 'lead-to-deal',
      inputs: { status: 'IN_PROCESS' },
      packs: ['core'],
      risk: 'write',
      counts: [
        { step: 'contact', method: 'crm.contact.add', risk: 'write', count: 2 },
        { step: 'deal', method: 'crm.deal.add', risk: 'write', count: 2 },
      ],
      itemKeys: { convert: ['7', '9'] },
    });
    assert.equal(plan.kind, 'chain');
    assert.deepEqual(
      plan.body.counts.map((count) => count.count),
      [2, 2],
    );
    assert.equal(plans.isItemPlanned(plan.id, 'convert', '7'), true);
    assert.equal(plans.isItemPlanned(plan.id, 'convert', '8'), false, 'a lead created since the plan is not covered');
    assert.deepEqual(plans.plannedItemKeys(plan.id, 'convert'), ['7', '9']);
    assert.equal(plans.consume(plan.id, request.portal, 'chain').id, plan.id);
  });
});
