import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractRows, keysetPageParams, lastRowReference, planList } from '../../src/protocol/list-methods.ts';

describe('planList', () => {
  it('uses keyset for crm.lead.list: order by ID, filter >ID, start -1, ID added to select', () => {
    const plan = planList('crm.lead.list', { filter: { STATUS_ID: 'NEW' }, select: ['TITLE'] });
    assert.equal(plan.mode, 'keyset');
    if (plan.mode !== 'keyset') return;
    assert.deepEqual(keysetPageParams(plan, '250', false), {
      filter: { STATUS_ID: 'NEW', '>ID': '250' },
      select: ['TITLE', 'ID'],
      order: { ID: 'ASC' },
      start: -1,
    });
    assert.deepEqual(keysetPageParams(plan, null, true).start, 0);
    assert.equal(lastRowReference(plan.shape, 'p3'), '$result[p3][49][ID]');
  });

  it('knows crm.item.list (items, id, >id) and tasks.task.list (tasks, id rows, ID in filter and order)', () => {
    const item = planList('crm.item.list', { entityTypeId: 2 });
    assert.ok(item.mode === 'keyset');
    if (item.mode !== 'keyset') return;
    assert.deepEqual(keysetPageParams(item, 7, false), { entityTypeId: 2, filter: { '>id': 7 }, order: { id: 'ASC' }, start: -1 });
    assert.equal(lastRowReference(item.shape, 'p0'), '$result[p0][items][49][id]');
    const tasks = planList('tasks.task.list', { select: ['TITLE'] });
    assert.ok(tasks.mode === 'keyset');
    if (tasks.mode !== 'keyset') return;
    assert.deepEqual(keysetPageParams(tasks, '9', false).order, { ID: 'ASC' });
    assert.equal(lastRowReference(tasks.shape, 'p1'), '$result[p1][tasks][49][id]');
  });

  it('turns a lower bound on the id in the filter into the starting point', () => {
    const plan = planList('crm.deal.list', { FILTER: { '>=ID': '100', STAGE_ID: 'NEW' } });
    assert.ok(plan.mode === 'keyset' && plan.startAfter === 99);
    if (plan.mode !== 'keyset') return;
    assert.deepEqual(plan.baseParams.filter, { STAGE_ID: 'NEW' });
  });

  it('resumes from a cursor', () => {
    const plan = planList('crm.lead.list', {}, { mode: 'keyset', lastId: '4000' });
    assert.ok(plan.mode === 'keyset' && plan.startAfter === '4000');
    const offset = planList('user.get', {}, { mode: 'offset', start: 150 });
    assert.ok(offset.mode === 'offset' && offset.start === 150);
  });

  it('falls back to start offsets, saying why', () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['crm.lead.list', { order: { DATE_CREATE: 'DESC' } }, /order/],
      ['crm.lead.list', { order: { ID: 'DESC' } }, /order/],
      ['user.get', {}, /not known/],
      ['crm.lead.list', { start: 100 }, /start=100/],
    ];
    for (const [method, params, reason] of cases) {
      const plan = planList(method, params);
      assert.equal(plan.mode, 'offset', `${method} ${JSON.stringify(params)}`);
      if (plan.mode === 'offset') assert.match(plan.reason, reason);
    }
  });
});

describe('extractRows', () => {
  it('reads bare arrays, {items}, {tasks}, and learns an unknown key', () => {
    assert.deepEqual(extractRows([{ ID: '1' }])?.rows, [{ ID: '1' }]);
    assert.deepEqual(extractRows({ items: [] }, 'items')?.rows, []);
    assert.deepEqual(extractRows({ tasks: [{ id: '1' }] }, 'tasks')?.rows, [{ id: '1' }]);
    assert.deepEqual(extractRows({ things: [1] }), { rows: [1], rowsKey: 'things' });
    assert.equal(extractRows(5), undefined);
  });
});
