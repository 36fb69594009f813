/** Collapsing a checkpoint's rows to one per key, as upserting them in order would leave them. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { collapseItems, collapseSubSteps, type SubStepRow } from '../../src/store/record-checkpoint.ts';

const step = (status: string, params: string | null, result: string | null): SubStepRow => ({
  stepId: 's',
  itemKey: 'k',
  subStepId: 'add',
  status,
  method: 'crm.contact.add',
  params,
  result,
  error: null,
});

describe('record-checkpoint: collapsing rows of one key', () => {
  it('a sub-step sent then answered: the answer, with the params of the send', () => {
    assert.deepEqual(collapseSubSteps([step('sent', '{"n":1}', null), step('done', null, '7')]), [step('done', '{"n":1}', '7')]);
  });

  it('keeps one row per key, others untouched, in first-seen order', () => {
    const other = { ...step('sent', '{}', null), itemKey: 'j' };
    assert.deepEqual(
      collapseSubSteps([step('sent', '{}', null), other, step('done', '{"x":1}', '1')]).map((row) => [row.itemKey, row.status, row.params]),
      [
        ['k', 'done', '{"x":1}'],
        ['j', 'sent', '{}'],
      ],
    );
  });

  it('an item stays pending with its first row; once settled the row is dropped', () => {
    const pending = { stepId: 's', itemKey: 'k', status: 'pending', row: '{"ID":1}', error: null };
    assert.deepEqual(collapseItems([pending, { ...pending, row: null }]), [pending]);
    assert.deepEqual(collapseItems([pending, { ...pending, status: 'done', row: null }]), [{ ...pending, status: 'done', row: null }]);
  });
});
