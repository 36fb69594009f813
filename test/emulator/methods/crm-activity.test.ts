import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHarness, rowsOf, type Harness } from './method-harness.ts';

function withDeal(): Harness {
  const harness = createHarness();
  harness.call('crm.deal.add', { fields: { TITLE: 'Deal' } });
  return harness;
}

const CALL = {
  OWNER_TYPE_ID: 2,
  OWNER_ID: 1,
  TYPE_ID: 2,
  SUBJECT: 'Call the client',
  RESPONSIBLE_ID: 1,
  COMMUNICATIONS: [{ VALUE: '+15550001', ENTITY_ID: 1, ENTITY_TYPE_ID: 3 }],
  START_TIME: '2026-03-02T10:00:00+00:00',
};

describe('crm.activity.*', () => {
  it('adds an activity bound to its owner, gets and lists it with strings', () => {
    const harness = withDeal();
    assert.equal(harness.call('crm.activity.add', { fields: CALL }).result, 1);
    const activity = harness.call('crm.activity.get', { id: 1 }).result as Record<string, unknown>;
    assert.equal(activity.OWNER_ID, '1');
    assert.equal(activity.SUBJECT, 'Call the client');
    assert.equal(activity.COMPLETED, 'N');
    assert.equal(activity.START_TIME, '2026-03-02T10:00:00+00:00');
    assert.deepEqual(activity.COMMUNICATIONS, [{ ID: '1', TYPE: 'PHONE', VALUE: '+15550001', ENTITY_ID: '1', ENTITY_TYPE_ID: '3' }]);
    const listed = harness.call('crm.activity.list', { filter: { OWNER_TYPE_ID: 2, OWNER_ID: 1 }, select: ['ID', 'SUBJECT'] });
    assert.deepEqual(listed.result, [{ ID: '1', SUBJECT: 'Call the client' }]);
    assert.equal(listed.total, 1);
  });

  it('updates and deletes', () => {
    const harness = withDeal();
    harness.call('crm.activity.add', { fields: CALL });
    assert.equal(harness.call('crm.activity.update', { id: 1, fields: { COMPLETED: 'Y' } }).result, true);
    assert.deepEqual(rowsOf(harness.call('crm.activity.list', { filter: { COMPLETED: 'Y' }, select: ['ID'] })), [{ ID: '1' }]);
    assert.equal(harness.call('crm.activity.delete', { id: 1 }).result, true);
    assert.equal(harness.fail('crm.activity.get', { id: 1 }).description, 'Not found');
  });

  const refusals: Array<[string, Record<string, unknown>, string]> = [
    ['a missing TYPE_ID', { ...CALL, TYPE_ID: undefined }, 'The field TYPE_ID is not defined or invalid.'],
    ['missing COMMUNICATIONS', { ...CALL, COMMUNICATIONS: [] }, 'The field COMMUNICATIONS is not defined or invalid.'],
    ['a missing RESPONSIBLE_ID', { ...CALL, RESPONSIBLE_ID: 0 }, 'The field RESPONSIBLE_ID is not defined or invalid.'],
    [
      'an owner that does not exist',
      { ...CALL, OWNER_ID: 99 },
      'Could not build binding. Please ensure that owner info and communications are defined correctly.',
    ],
  ];
  for (const [name, fields, description] of refusals) {
    it(`refuses ${name} with an empty code`, () => {
      const error = withDeal().fail('crm.activity.add', { fields });
      assert.equal(error.code, '');
      assert.equal(error.description, description);
    });
  }
});

describe('crm.activity.todo.add', () => {
  it('adds a to-do and answers {id}', () => {
    const harness = withDeal();
    assert.deepEqual(
      harness.call('crm.activity.todo.add', { ownerTypeId: 2, ownerId: 1, deadline: '2026-03-10T12:00:00+00:00', title: 'Send the offer' }).result,
      { id: 1 },
    );
    const activity = harness.call('crm.activity.get', { id: 1 }).result as Record<string, unknown>;
    assert.equal(activity.PROVIDER_ID, 'CRM_TODO');
    assert.equal(activity.SUBJECT, 'Send the offer');
  });

  it('refuses a missing deadline (100) and an unknown owner (OWNER_NOT_FOUND)', () => {
    const harness = withDeal();
    assert.equal(harness.fail('crm.activity.todo.add', { ownerTypeId: 2, ownerId: 1 }).code, '100');
    assert.equal(harness.fail('crm.activity.todo.add', { ownerTypeId: 2, ownerId: 9, deadline: '2026-03-10' }).code, 'OWNER_NOT_FOUND');
  });
});

describe('crm.timeline.comment.add', () => {
  it('adds a comment to a record and returns its id', () => {
    const harness = withDeal();
    assert.equal(harness.call('crm.timeline.comment.add', { fields: { ENTITY_ID: 1, ENTITY_TYPE: 'deal', COMMENT: 'Called, no answer' } }).result, 1);
    assert.equal(harness.portal.crm.comments.get(1)?.COMMENT, 'Called, no answer');
  });

  const refusals: Array<[string, Record<string, unknown>, string]> = [
    ['FIELDS in upper case (only lowercase fields is accepted)', { FIELDS: { ENTITY_ID: 1, ENTITY_TYPE: 'deal', COMMENT: 'x' } }, '100'],
    ['a missing COMMENT', { fields: { ENTITY_ID: 1, ENTITY_TYPE: 'deal' } }, '100'],
    ['an upper-case ENTITY_TYPE', { fields: { ENTITY_ID: 1, ENTITY_TYPE: 'DEAL', COMMENT: 'x' } }, 'OWNER_NOT_FOUND'],
    ['an owner that does not exist', { fields: { ENTITY_ID: 5, ENTITY_TYPE: 'deal', COMMENT: 'x' } }, 'OWNER_NOT_FOUND'],
    ['an empty comment', { fields: { ENTITY_ID: 1, ENTITY_TYPE: 'deal', COMMENT: '  ' } }, 'INVALID_ARG_VALUE'],
  ];
  for (const [name, params, code] of refusals) {
    it(`refuses ${name} with ${code}`, () => {
      const harness = withDeal();
      assert.equal(harness.fail('crm.timeline.comment.add', params).code, code);
      assert.equal(harness.portal.crm.comments.size, 0);
    });
  }
});
