import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRefusalError } from '../../src/errors/refusal-error.ts';
import { findCatalogEntry, methodCatalog, packNames } from '../../src/protocol/method-catalog.ts';
import { listPacks, methodAllowedByPacks, methodMatchesAnyPattern, packForWord, packsForMethod, resolvePackNames } from '../../src/protocol/packs.ts';
import { scopeForMethod } from '../../src/protocol/scopes.ts';

describe('packs: which methods a selection allows', () => {
  const cases: Array<[method: string, packs: string[], allowed: boolean]> = [
    ['crm.lead.add', ['core'], true],
    ['CRM.Lead.Add', ['core'], true],
    ['batch', ['core'], true],
    ['event.offline.get', ['core'], true],
    ['tasks.task.list', ['core'], true],
    ['tasks.api.scrum.sprint.start', ['core'], false],
    ['tasks.api.scrum.sprint.start', ['boards'], true],
    ['im.message.add', ['core'], false],
    ['im.message.add', ['core', 'comms'], true],
    ['imbot.register', ['comms'], true],
    ['bizproc.workflow.kill', ['core'], false],
    ['crm.automation.trigger.add', ['automation'], true],
    ['calendar.event.add', ['collab'], true],
    ['calendar.event.add', ['services'], true],
    ['disk.folder.uploadfile', ['content'], true],
    ['landing.block.addCard', ['sites'], true],
    ['ai.engine.unregister', ['platform'], true],
    ['sign.b2e.personal.tail', ['compliance'], true],
    ['server.time', ['diagnostics'], true],
    ['server.timezone', ['diagnostics'], false],
    ['method.get', ['core'], false],
    ['crm', ['core'], false],
    ['crmx.lead.add', ['core'], false],
    ['user.get', ['none'], false],
    ['batch', ['none'], false],
    ['user.get', [], false],
    ['user.get', ['no-such-pack'], false],
    ['', ['core'], false],
  ];
  for (const [method, packs, allowed] of cases) {
    it(`${method || '(empty)'} with [${packs.join(',')}] is ${allowed ? 'allowed' : 'refused'}`, () => {
      assert.equal(methodAllowedByPacks(method, packs), allowed);
    });
  }

  it('every catalog method is allowed by its own pack', () => {
    const refused = methodCatalog.filter((entry) => !methodAllowedByPacks(entry.method, [entry.pack])).map((entry) => entry.method);
    assert.deepEqual(refused, []);
  });

  it('lists every pack that allows a method', () => {
    assert.deepEqual(packsForMethod('calendar.event.add'), ['collab', 'services']);
    assert.deepEqual(packsForMethod('crm.automation.trigger.add'), ['core', 'automation']);
    assert.deepEqual(packsForMethod('unknown.method'), []);
  });

  it('matches allowlist patterns case-insensitively, with * anywhere', () => {
    assert.equal(methodMatchesAnyPattern('crm.lead.add', ['crm.deal.*', 'crm.lead.add']), true);
    assert.equal(methodMatchesAnyPattern('CRM.DEAL.LIST', ['crm.deal.*']), true);
    assert.equal(methodMatchesAnyPattern('crm.dealx.list', ['crm.deal.*']), false);
    assert.equal(methodMatchesAnyPattern('crm.lead.delete', ['crm.*.list']), false);
    assert.equal(methodMatchesAnyPattern('crm.lead.list', ['crm.*.list']), true);
    assert.equal(methodMatchesAnyPattern('crmXlead', ['crm.lead']), false, 'a dot is a dot, not any character');
  });
});

describe('packs: resolving --packs / B24_PACKS', () => {
  const cases: Array<[input: string, expected: string[]]> = [
    ['core', ['core']],
    [' core , comms ', ['core', 'comms']],
    ['CORE,core', ['core']],
    ['none', ['none']],
    ['workgroups', ['collab']],
    ['Workgroups,projects,live feed', ['collab']],
    ['scrum', ['boards']],
    ['CoPilot', ['platform']],
    ['BitrixGPT,AI prompts', ['platform']],
    ['open lines, contact-center connectors', ['comms']],
    ['news feed', ['collab']],
    ['landing pages', ['sites']],
    ['time tracking,work time,calendar', ['services']],
    ['orders,payments,products', ['commerce']],
    ['e-signature,consents', ['compliance']],
  ];
  for (const [input, expected] of cases) {
    it(`"${input}" → ${expected.join(',')}`, () => assert.deepEqual(resolvePackNames(input), expected));
  }

  const refusals: Array<[input: string, code: string]> = [
    ['', 'PACK_LIST_EMPTY'],
    [' , ', 'PACK_LIST_EMPTY'],
    ['core,bogus,other', 'PACK_UNKNOWN'],
    ['none,core', 'PACK_NONE_COMBINED'],
  ];
  for (const [input, code] of refusals) {
    it(`"${input}" is refused with ${code}`, () => {
      assert.throws(
        () => resolvePackNames(input),
        (error: unknown) => isRefusalError(error) && error.code === code && error.message.includes(`(${code}).`),
      );
    });
  }

  it('names every unknown word and the packs to choose from', () => {
    assert.throws(
      () => resolvePackNames('core,bogus,other'),
      (error: unknown) =>
        isRefusalError(error) && /"bogus", "other"/.test(error.message) && /core, comms, automation/.test(error.message) && error.message.startsWith('packs: '),
    );
  });

  it('maps each vocabulary word to exactly one pack', () => {
    for (const pack of listPacks()) {
      for (const word of pack.vocabulary) assert.equal(packForWord(word), pack.name, `${word} should mean ${pack.name}`);
    }
  });
});

describe('packs: listing', () => {
  it('lists the twelve packs of packs.md in order with their patterns and scopes', () => {
    const packs = listPacks();
    assert.deepEqual(
      packs.map((pack) => pack.name),
      [...packNames],
    );
    const core = packs.find((pack) => pack.name === 'core');
    assert.deepEqual(core?.patterns, ['batch', 'user.*', 'department.*', 'crm.*', 'tasks.task.*', 'task.*', 'event.*']);
    assert.deepEqual(core?.scopes, ['basic', 'crm', 'department', 'task', 'user']);
    const diagnostics = packs.find((pack) => pack.name === 'diagnostics');
    assert.deepEqual(diagnostics?.patterns, ['method.get', 'methods', 'events', 'feature.get', 'scope', 'server.time']);
    assert.deepEqual(diagnostics?.scopes, ['basic']);
  });
});

describe('method catalog', () => {
  it('has each method once, a docs page for each, and finds them case-insensitively', () => {
    const names = methodCatalog.map((entry) => entry.method.toLowerCase());
    assert.equal(new Set(names).size, names.length);
    for (const entry of methodCatalog) assert.match(entry.docsPath, /^(api-reference|settings)\/[a-z0-9./_-]+\.md$/);
    assert.equal(findCatalogEntry('TASKS.API.SCRUM.KANBAN.DELETETASK')?.risk, 'destructive');
    assert.equal(findCatalogEntry('crm.contact.add'), undefined);
  });
});

describe('scopes', () => {
  const cases: Array<[string, string | undefined]> = [
    ['crm.lead.add', 'crm'],
    ['crm.automation.trigger.add', 'crm'],
    ['tasks.task.add', 'task'],
    ['task.commentitem.add', 'task'],
    ['tasks.api.scrum.sprint.start', 'task'],
    ['im.message.add', 'im'],
    ['imbot.register', 'imbot'],
    ['imconnector.list', 'imopenlines'],
    ['user.get', 'user'],
    ['user.userfield.add', 'user.userfield'],
    ['user.option.get', 'basic'],
    ['department.get', 'department'],
    ['batch', 'basic'],
    ['event.offline.get', 'basic'],
    ['server.time', 'basic'],
    ['scope', 'basic'],
    ['methods', 'basic'],
    ['method.get', 'basic'],
    ['feature.get', 'basic'],
    ['events', 'basic'],
    ['profile', 'basic'],
    ['sonet_group.get', 'sonet_group'],
    ['socialnetwork.api.workgroup.list', 'socialnetwork'],
    ['log.blogpost.add', 'log'],
    ['disk.folder.uploadfile', 'disk'],
    ['documentgenerator.document.add', 'documentgenerator'],
    ['sale.order.list', 'sale'],
    ['catalog.product.add', 'catalog'],
    ['booking.v1.booking.list', 'booking'],
    ['timeman.open', 'timeman'],
    ['ai.engine.register', 'ai_admin'],
    ['sign.b2e.personal.tail', 'sign.b2e'],
    ['userconsent.consent.add', 'userconsent'],
    ['landing.site.add', 'landing'],
    ['no.such.family', undefined],
  ];
  for (const [method, scope] of cases) {
    it(`${method} needs ${scope ?? 'an unknown scope'}`, () => assert.equal(scopeForMethod(method), scope));
  }

  it('knows the scope of every catalog method', () => {
    assert.deepEqual(
      methodCatalog.filter((entry) => scopeForMethod(entry.method) === undefined).map((entry) => entry.method),
      [],
    );
  });
});
