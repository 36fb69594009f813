import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isWriteMethod } from '../../src/client/is-write-method.ts';

describe('isWriteMethod', () => {
  const reads = [
    'crm.lead.list',
    'crm.lead.get',
    'crm.item.list',
    'crm.deal.fields',
    'tasks.task.list',
    'user.get',
    'user.current',
    'server.time',
    'profile',
    'event.offline.list',
    'crm.status.list',
  ];
  const writes = [
    'crm.lead.add',
    'crm.lead.update',
    'crm.item.delete',
    'im.message.add',
    'tasks.task.complete',
    'event.bind',
    'event.offline.get',
    'event.offline.clear',
    'some.unknown.verb',
  ];
  for (const method of reads) it(`${method} is a read`, () => assert.equal(isWriteMethod(method), false));
  for (const method of writes) it(`${method} is a write (unknown verbs too: never re-sent blindly)`, () => assert.equal(isWriteMethod(method), true));
});
