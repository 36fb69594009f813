/** Which records a write changes, so a plan can be refused as stale: one case per rule. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findPlanTargets } from '../../src/mcp/index.ts';

const cases: Array<{ name: string; method: string; params: Record<string, unknown>; expected: Array<[string, string, Record<string, unknown>, string]> }> = [
  {
    name: 'a legacy CRM update by id',
    method: 'crm.lead.update',
    params: { id: 42, fields: { TITLE: 'x' } },
    expected: [['crm.lead 42', 'crm.lead.get', { id: 42 }, 'DATE_MODIFY']],
  },
  {
    name: 'a legacy CRM delete by ID, any case',
    method: 'CRM.Deal.Delete',
    params: { ID: '7' },
    expected: [['crm.deal 7', 'crm.deal.get', { id: '7' }, 'DATE_MODIFY']],
  },
  {
    name: 'a universal item update',
    method: 'crm.item.update',
    params: { entityTypeId: 2, id: 5, fields: {} },
    expected: [['crm.item 2/5', 'crm.item.get', { entityTypeId: 2, id: 5 }, 'updatedTime']],
  },
  {
    name: 'an activity delete',
    method: 'crm.activity.delete',
    params: { id: 3 },
    expected: [['crm.activity 3', 'crm.activity.get', { id: 3 }, 'LAST_UPDATED']],
  },
  {
    name: 'a task update by taskId',
    method: 'tasks.task.update',
    params: { taskId: 9, fields: {} },
    expected: [['tasks.task 9', 'tasks.task.get', { taskId: 9 }, 'changedDate']],
  },
  { name: 'an add changes no existing record', method: 'crm.lead.add', params: { fields: { TITLE: 'x' } }, expected: [] },
  { name: 'an id from a batch reference cannot be read ahead', method: 'crm.lead.update', params: { id: '$result[add]', fields: {} }, expected: [] },
  {
    name: 'each update and delete of a batch, once',
    method: 'batch',
    params: { halt: 0, cmd: { a: 'crm.lead.update?id=1&fields[TITLE]=x', b: 'crm.lead.delete?id=1', c: 'crm.contact.delete?id=2', d: 'crm.lead.list' } },
    expected: [
      ['crm.lead 1', 'crm.lead.get', { id: '1' }, 'DATE_MODIFY'],
      ['crm.contact 2', 'crm.contact.get', { id: '2' }, 'DATE_MODIFY'],
    ],
  },
];

describe('findPlanTargets', () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const targets = findPlanTargets(testCase.method, testCase.params).map((target) => [
        target.target,
        target.readMethod,
        target.readParams,
        target.modifiedField,
      ]);
      assert.deepEqual(targets, testCase.expected);
    });
  }
});
