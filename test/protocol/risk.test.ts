import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildQuery } from '../../src/protocol/php-query.ts';
import { methodCatalog } from '../../src/protocol/method-catalog.ts';
import { batchCommandMethods, classifyByVerbs, classifyMethodRisk, hasNestedBatch, parseBatchCommands, type RiskClass } from '../../src/protocol/risk.ts';

/** A naive rule (what the seed's client did): only these last segments are writes. */
const naiveWriteSuffixes = new Set(['add', 'update', 'delete', 'set', 'register', 'unbind', 'bind', 'create']);

describe('risk classes of catalog methods a suffix rule would call reads', () => {
  const cases: Array<[string, RiskClass]> = [
    ['bizproc.workflow.kill', 'destructive'],
    ['bizproc.workflow.terminate', 'destructive'],
    ['disk.folder.uploadfile', 'write'],
    ['disk.folder.addsubfolder', 'write'],
    ['disk.file.copyto', 'write'],
    ['disk.file.moveto', 'write'],
    ['tasks.api.scrum.kanban.deleteTask', 'destructive'],
    ['tasks.api.scrum.kanban.addTask', 'write'],
    ['tasks.api.scrum.sprint.start', 'write'],
    ['tasks.api.scrum.sprint.complete', 'write'],
    ['tasks.task.complete', 'write'],
    ['timeman.open', 'write'],
    ['timeman.close', 'write'],
    ['bizproc.workflow.start', 'write'],
    ['bizproc.task.complete', 'write'],
    ['imbot.command.answer', 'write'],
    ['telephony.externalCall.finish', 'write'],
    ['telephony.externalCall.attachRecord', 'write'],
    ['disk.file.uploadversion', 'write'],
    ['landing.block.addCard', 'write'],
    ['ai.engine.unregister', 'destructive'],
    ['event.offline.error', 'write'],
    ['event.offline.clear', 'destructive'],
  ];
  for (const [method, expected] of cases) {
    it(`${method} is ${expected}`, () => {
      assert.equal(classifyMethodRisk(method), expected);
      assert.equal(classifyMethodRisk(method.toUpperCase()), expected, 'method names are case-insensitive');
    });
  }

  it('covers every catalog write or destructive method whose last segment a suffix rule misses', () => {
    const missedBySuffix = methodCatalog
      .filter((entry) => entry.risk !== 'read')
      .filter((entry) => !naiveWriteSuffixes.has(entry.method.split('.').pop()?.toLowerCase() ?? ''))
      .map((entry) => entry.method);
    const covered = new Set(cases.map(([method]) => method));
    assert.deepEqual(
      missedBySuffix.filter((method) => !covered.has(method)),
      [],
    );
    assert.ok(missedBySuffix.length >= 15, `expected at least 15 such methods, found ${missedBySuffix.length}`);
  });
});

describe('risk classes: the whole catalog', () => {
  for (const entry of methodCatalog) {
    if (entry.method === 'batch' || entry.method === 'event.offline.get') continue;
    it(`${entry.method} keeps its catalog class (${entry.risk})`, () => {
      assert.equal(classifyMethodRisk(entry.method, {}), entry.risk);
    });
  }

  it('the verb rules alone never rate a catalog write or destructive method lower than the catalog', () => {
    const rank: Record<RiskClass, number> = { read: 0, write: 1, destructive: 2 };
    const lowered = methodCatalog
      .filter((entry) => rank[classifyByVerbs(entry.method)] < rank[entry.risk])
      .map((entry) => `${entry.method}: ${classifyByVerbs(entry.method)} < ${entry.risk}`);
    assert.deepEqual(lowered, []);
  });
});

describe('risk classes: verb rules for methods outside the catalog', () => {
  const cases: Array<[string, RiskClass]> = [
    ['crm.contact.add', 'write'],
    ['crm.lead.delete', 'destructive'],
    ['crm.lead.get', 'read'],
    ['crm.lead.fields', 'read'],
    ['crm.address.list', 'read'],
    ['tasks.api.scrum.kanban.getStages', 'read'],
    ['tasks.api.scrum.kanban.deleteStage', 'destructive'],
    ['disk.folder.deletetree', 'destructive'],
    ['disk.file.markdeleted', 'destructive'],
    ['crm.item.recyclebin.list', 'destructive'],
    ['placement.unbind', 'destructive'],
    ['disk.folder.getchildren', 'read'],
    ['crm.duplicate.findbycomm', 'read'],
    ['imopenlines.session.open', 'write'],
    ['tasks.task.delegate', 'write'],
    ['tasks.task.defer', 'write'],
    ['tasks.task.renew', 'write'],
    ['tasks.task.approve', 'write'],
    ['tasks.task.pause', 'write'],
    ['tasks.task.attachfiles', 'write'],
    ['crm.lead.productrows.set', 'write'],
    ['im.chat.leave', 'write'],
    ['crm.automation.trigger.execute', 'write'],
    ['task.stages.movetask', 'write'],
    ['bizproc.activity.log', 'write'],
    ['something.entirely.unknown', 'write'],
  ];
  for (const [method, expected] of cases) {
    it(`${method} is ${expected}`, () => assert.equal(classifyMethodRisk(method), expected));
  }
});

describe('risk classes: parameter rules only raise', () => {
  const cases: Array<[string, Record<string, unknown> | undefined, RiskClass]> = [
    ['no clear parameter', undefined, 'destructive'],
    ['clear=1', { clear: 1 }, 'destructive'],
    ['clear="1"', { clear: '1' }, 'destructive'],
    ['clear=0', { clear: 0 }, 'read'],
    ['clear="0"', { clear: '0' }, 'read'],
    ['clear=false', { clear: false }, 'read'],
    ['CLEAR=0 (key case ignored)', { CLEAR: '0', limit: 50 }, 'read'],
    ['clear=0 and CLEAR=1', { clear: 0, CLEAR: 1 }, 'destructive'],
  ];
  for (const [label, params, expected] of cases) {
    it(`event.offline.get with ${label} is ${expected}`, () => assert.equal(classifyMethodRisk('event.offline.get', params), expected));
  }

  it('a clear parameter does not lower a method that is destructive anyway', () => {
    assert.equal(classifyMethodRisk('event.offline.clear', { clear: 0 }), 'destructive');
  });
});

describe('risk classes: batch takes its highest command', () => {
  it('a crm.lead.delete hidden among reads makes the batch destructive', () => {
    const params = {
      halt: 0,
      cmd: {
        leads: `crm.lead.list?${buildQuery({ filter: { STATUS_ID: 'NEW' }, select: ['ID'] })}`,
        gone: `crm.lead.delete?${buildQuery({ id: 5 })}`,
      },
    };
    assert.equal(classifyMethodRisk('batch', params), 'destructive');
    assert.deepEqual(batchCommandMethods(params), ['crm.lead.list', 'crm.lead.delete']);
  });

  it('reads only → read; one write → write; cmd as an array of strings', () => {
    assert.equal(classifyMethodRisk('batch', { cmd: ['user.current', 'crm.lead.list?start=-1'] }), 'read');
    assert.equal(classifyMethodRisk('batch', { cmd: ['user.current', `crm.lead.add?${buildQuery({ fields: { TITLE: 'x' } })}`] }), 'write');
    assert.equal(classifyMethodRisk('BATCH', { CMD: { a: 'event.offline.get?clear=0' } }), 'read');
    assert.equal(classifyMethodRisk('batch', { cmd: { a: 'event.offline.get?limit=10' } }), 'destructive', 'parameter rules apply inside');
  });

  it('an empty batch is a read', () => {
    assert.equal(classifyMethodRisk('batch', {}), 'read');
    assert.equal(classifyMethodRisk('batch'), 'read');
  });

  it('parses each command query the way PHP parse_str does', () => {
    const [command] = parseBatchCommands({ cmd: { c0: `crm.lead.add?${buildQuery({ fields: { TITLE: 'A & B', PHONE: [{ VALUE: '+1' }] } })}` } });
    assert.deepEqual(command, { name: 'c0', method: 'crm.lead.add', params: { fields: { TITLE: 'A & B', PHONE: [{ VALUE: '+1' }] } }, malformed: false });
  });

  it('detects a nested batch and classifies what it hides', () => {
    const inner = `batch?${buildQuery({ cmd: { x: `crm.lead.delete?${buildQuery({ id: 1 })}` } })}`;
    const params = { cmd: { outer: 'user.current', nested: inner } };
    assert.equal(hasNestedBatch(params), true);
    assert.deepEqual(batchCommandMethods(params), ['user.current', 'batch']);
    assert.equal(classifyMethodRisk('batch', params), 'destructive');
    assert.equal(hasNestedBatch({ cmd: ['BATCH.json?cmd[0]=user.current'] }), true);
    assert.equal(hasNestedBatch({ cmd: ['user.current', 'batchx.get'] }), false);
  });

  it('reports commands it cannot read as malformed with no method, so a pack check refuses them', () => {
    const params = { cmd: { a: 42, b: '?id=1', c: 'user.get' } };
    assert.deepEqual(batchCommandMethods(params), ['', '', 'user.get']);
    assert.equal(classifyMethodRisk('batch', params), 'write', 'an unreadable command counts as an unknown verb');
    assert.deepEqual(
      parseBatchCommands({ cmd: 'crm.lead.delete?id=1' }).map((command) => command.malformed),
      [true],
    );
  });
});
