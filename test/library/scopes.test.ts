/** Least privilege: every catalog method knows its scope, a documented one, and the emulator asks for the same. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMethodTable } from '../../src/emulator/methods/index.ts';
import { methodCatalog } from '../../src/protocol/method-catalog.ts';
import { scopeForMethod } from '../../src/protocol/scopes.ts';

/** docs `api-reference/scopes/permissions.md` (protocol.md §7), plus the global `basic`. */
const DOCUMENTED_SCOPES = new Set([
  'basic',
  'ai_admin',
  'biconnector',
  'bizproc',
  'booking',
  'calendar',
  'call',
  'cashbox',
  'catalog',
  'contact_center',
  'crm',
  'documentgenerator',
  'delivery',
  'department',
  'disk',
  'entity',
  'humanresources',
  'humanresources.hcmlink',
  'im',
  'imbot',
  'imconnector',
  'imopenlines',
  'intranet',
  'landing',
  'lists',
  'log',
  'mailservice',
  'main',
  'messageservice',
  'mobile',
  'pay_system',
  'placement',
  'pull',
  'rpa',
  'sale',
  'salescenter',
  'sign.b2e',
  'sonet_group',
  'socialnetwork',
  'task',
  'telephony',
  'timeman',
  'user',
  'user_brief',
  'user_basic',
  'user.userfield',
  'userfieldconfig',
  'userconsent',
  'vote',
]);

describe('method scopes', () => {
  it('every catalog method has a documented scope', () => {
    const missing = methodCatalog.filter((entry) => scopeForMethod(entry.method) === undefined).map((entry) => entry.method);
    assert.deepEqual(missing, []);
    const undocumented = methodCatalog
      .map((entry) => [entry.method, scopeForMethod(entry.method)])
      .filter(([, scope]) => !DOCUMENTED_SCOPES.has(String(scope)));
    assert.deepEqual(undocumented, []);
  });

  it('the library packs need the scopes their docs pages name', () => {
    const expected: Record<string, string> = {
      'sale.order.add': 'sale',
      'sale.delivery.getlist': 'sale',
      'catalog.price.add': 'catalog',
      'booking.v1.booking.add': 'booking',
      'calendar.event.add': 'calendar',
      'timeman.open': 'timeman',
      'entity.item.add': 'entity',
      'biconnector.source.add': 'biconnector',
      'ai.engine.register': 'ai_admin',
      'landing.site.add': 'landing',
      'userconsent.consent.add': 'userconsent',
      'sign.b2e.personal.tail': 'sign.b2e',
      'tasks.task.add': 'task',
      'method.get': 'basic',
    };
    assert.deepEqual(Object.fromEntries(Object.keys(expected).map((method) => [method, scopeForMethod(method)])), expected);
  });

  it('the emulator refuses each catalog method it serves for the same scope the client reports', () => {
    const table = buildMethodTable();
    const mismatched = methodCatalog
      .map((entry) => [entry.method, table.get(entry.method.toLowerCase())?.scope, scopeForMethod(entry.method)] as const)
      .filter(([method, served, reported]) => served !== undefined && method !== 'batch' && served !== reported && !(served === 'user' && reported === 'user'));
    assert.deepEqual(mismatched, []);
  });
});
