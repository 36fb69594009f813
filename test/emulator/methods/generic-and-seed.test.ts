import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PortalState } from '../../../src/emulator/portal-state.ts';
import { generateLeads } from '../../../src/emulator/seed/generate-leads.ts';
import { loadDemoSeed } from '../../../src/emulator/seed/load-demo-seed.ts';
import { createHarness, rowsOf } from './method-harness.ts';

describe('generic store families', () => {
  it('sale.order: add/get/list/update/delete with its result shapes', () => {
    const harness = createHarness();
    const added = (
      harness.call('sale.order.add', { fields: { lid: 's1', personTypeId: 1, currency: 'USD', price: 120 } }).result as { order: Record<string, unknown> }
    ).order;
    assert.equal(added.id, 1);
    assert.equal(added.statusId, 'N');
    harness.call('sale.order.update', { id: 1, fields: { statusId: 'P' } });
    assert.equal((harness.call('sale.order.get', { id: 1 }).result as { order: Record<string, unknown> }).order.statusId, 'P');
    const listed = harness.call('sale.order.list', { filter: { '>price': 100 } });
    assert.equal((listed.result as { orders: unknown[] }).orders.length, 1);
    assert.equal(listed.total, 1);
    assert.equal(harness.call('sale.order.delete', { id: 1 }).result, true);
    assert.equal(harness.fail('sale.order.get', { id: 1 }).code, 'NOT_FOUND');
  });

  it('refuses an add without a required field', () => {
    const error = createHarness().fail('sale.order.add', { fields: { lid: 's1' } });
    assert.equal(error.code, 'ERROR_ARGUMENT');
  });

  it('families with top-level parameters and UPPER_CASE keys (sonet_group, bizproc), with real state', () => {
    const harness = createHarness();
    assert.equal(harness.call('sonet_group.create', { NAME: 'Launch', DESCRIPTION: 'Q2 launch' }).result, 1);
    harness.call('sonet_group.update', { GROUP_ID: 1, NAME: 'Launch 2' });
    assert.deepEqual(
      rowsOf(harness.call('sonet_group.get', { FILTER: { ID: 1 } })).map((group) => group.NAME),
      ['Launch 2'],
    );
    assert.equal(harness.fail('sonet_group.create', { NAME: 'Launch 2' }).description, 'A group with this name already exists.');
    assert.equal(harness.call('crm.deal.add', { fields: { TITLE: 'Deal' } }).result, 1);
    assert.equal(
      harness.fail('bizproc.workflow.start', { TEMPLATE_ID: 3, DOCUMENT_ID: ['crm', 'CCrmDocumentDeal', 'DEAL_1'] }).code,
      'ERROR_TEMPLATE_NOT_FOUND',
    );
    const workflowId = harness.call('bizproc.workflow.start', { TEMPLATE_ID: 1, DOCUMENT_ID: ['crm', 'CCrmDocumentDeal', 'DEAL_1'] }).result;
    assert.match(String(workflowId), /^[0-9a-f]{14}\.\d{8}$/);
    assert.equal(harness.call('bizproc.workflow.terminate', { ID: workflowId }).result, true);
    assert.deepEqual(rowsOf(harness.call('bizproc.workflow.instances', {})), []);
  });
});

describe('demo seed', () => {
  it('builds a small realistic CRM, the same every time', () => {
    const first = createHarness();
    loadDemoSeed(first.portal);
    const leads = rowsOf(first.call('crm.lead.list', { select: ['ID', 'TITLE', 'STATUS_ID', 'PHONE', 'EMAIL'] }));
    assert.equal(first.call('crm.lead.list', {}).total, 40);
    assert.deepEqual(new Set(leads.map((lead) => lead.STATUS_ID)), new Set(['NEW', 'IN_PROCESS', 'PROCESSED', 'JUNK']));
    assert.ok(leads.every((lead) => Array.isArray(lead.PHONE) && (lead.PHONE as unknown[]).length === 1));
    assert.equal(first.call('crm.contact.list', {}).total, 10);
    assert.equal(first.call('crm.company.list', {}).total, 5);
    assert.equal(first.call('crm.deal.list', {}).total, 10);
    assert.equal(first.call('tasks.task.list', {}).total, 10);
    assert.equal(first.portal.users.size, 5);
    assert.equal(first.portal.isAdmin(1), true);
    assert.equal(first.portal.isAdmin(2), false);
    const second = createHarness();
    loadDemoSeed(second.portal);
    assert.deepEqual(rowsOf(second.call('crm.lead.list', { select: ['ID', 'TITLE', 'STATUS_ID', 'PHONE', 'EMAIL'] })), leads);
  });
});

describe('lead generator', () => {
  it('inserts 100,000 leads in well under a second, deterministically', () => {
    const portal = new PortalState({ memberId: 'm', domain: 'd' });
    const started = performance.now();
    assert.deepEqual(generateLeads(portal, 100_000, { seed: 9 }), { firstId: 1, lastId: 100_000 });
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 1_500, `generation took ${elapsed.toFixed(0)} ms`);
    const again = new PortalState({ memberId: 'm', domain: 'd' });
    generateLeads(again, 100, { seed: 9 });
    assert.deepEqual(again.crm.table(1).get(77), portal.crm.table(1).get(77));
  });

  it('gives every lead the requested status and continues after existing ids', () => {
    const harness = createHarness();
    harness.call('crm.lead.add', { fields: { TITLE: 'by hand' } });
    assert.deepEqual(generateLeads(harness.portal, 10, { status: 'IN_PROCESS' }), { firstId: 2, lastId: 11 });
    assert.equal(harness.call('crm.lead.list', { filter: { STATUS_ID: 'IN_PROCESS' } }).total, 10);
    const lead = harness.call('crm.lead.get', { id: 11 }).result as Record<string, unknown>;
    assert.match(String(lead.OPPORTUNITY), /^\d+\.00$/);
    assert.equal(lead.HAS_PHONE, 'Y');
  });

  it('can leave phones out to save memory', () => {
    const harness = createHarness();
    generateLeads(harness.portal, 3, { withPhones: false });
    assert.equal((harness.call('crm.lead.get', { id: 3 }).result as Record<string, unknown>).HAS_PHONE, 'N');
  });
});
