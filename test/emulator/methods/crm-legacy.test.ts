import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHarness, rowsOf, TEST_START_MS } from './method-harness.ts';

describe('crm.lead.* and friends', () => {
  it('adds a lead, returns its id as an integer, and reads it back as strings', () => {
    const harness = createHarness();
    const added = harness.call('crm.lead.add', {
      fields: { TITLE: 'Website inquiry', OPPORTUNITY: '15000', CURRENCY_ID: 'EUR', ORIGINATOR_ID: 'b24chain', ORIGIN_ID: 'ext-7' },
    });
    assert.equal(added.result, 1);
    const lead = harness.call('crm.lead.get', { id: '1' }).result as Record<string, unknown>;
    assert.equal(lead.ID, '1');
    assert.equal(lead.TITLE, 'Website inquiry');
    assert.equal(lead.OPPORTUNITY, '15000.00');
    assert.equal(lead.STATUS_ID, 'NEW');
    assert.equal(lead.STATUS_SEMANTIC_ID, 'P');
    assert.equal(lead.OPENED, 'Y');
    assert.equal(lead.HAS_PHONE, 'N');
    assert.equal(lead.ASSIGNED_BY_ID, '1');
    assert.equal(lead.CREATED_BY_ID, '1');
    assert.equal(lead.ORIGINATOR_ID, 'b24chain');
    assert.equal(lead.ORIGIN_ID, 'ext-7');
    assert.equal(lead.DATE_CREATE, `${new Date(TEST_START_MS).toISOString().slice(0, 19)}+00:00`);
    assert.equal(lead.BIRTHDATE, '');
    assert.equal(lead.COMPANY_ID, null);
  });

  it('accepts FIELDS and ID in upper case, and a lead without a title', () => {
    const harness = createHarness();
    assert.equal(harness.call('crm.lead.add', { FIELDS: { NAME: 'Ann' } }).result, 1);
    assert.equal((harness.call('crm.lead.get', { ID: 1 }).result as Record<string, unknown>).NAME, 'Ann');
  });

  it('updates, moves DATE_MODIFY, and deletes', () => {
    const harness = createHarness();
    harness.call('crm.lead.add', { fields: { TITLE: 'A' } });
    harness.advance(60_000);
    assert.equal(harness.call('crm.lead.update', { id: 1, fields: { STATUS_ID: 'CONVERTED', ASSIGNED_BY_ID: '1' } }).result, true);
    const lead = harness.call('crm.lead.get', { id: 1 }).result as Record<string, unknown>;
    assert.equal(lead.STATUS_SEMANTIC_ID, 'S');
    assert.notEqual(lead.DATE_MODIFY, lead.DATE_CREATE);
    assert.notEqual(lead.DATE_CLOSED, '');
    assert.equal(harness.call('crm.lead.delete', { id: 1 }).result, true);
    assert.equal(harness.fail('crm.lead.get', { id: 1 }).description, 'Not found');
  });

  const errorCases: Array<[string, string, Record<string, unknown>, string]> = [
    ['get of an unknown id', 'crm.lead.get', { id: 99 }, 'Not found'],
    ['update of an unknown id', 'crm.deal.update', { id: 99, fields: { TITLE: 'x' } }, 'Not found'],
    ['delete of an unknown id', 'crm.contact.delete', { id: 99 }, 'Not found'],
    ['get without id', 'crm.lead.get', {}, 'ID is not defined or invalid.'],
    ['get with a non-numeric id', 'crm.company.get', { id: 'abc' }, 'ID is not defined or invalid.'],
    ['get with id 0', 'crm.deal.get', { id: 0 }, 'ID is not defined or invalid.'],
    ['add with fields as a string', 'crm.lead.add', { fields: 'TITLE=x' }, "The parameter 'fields' must be array."],
    ['add without fields', 'crm.deal.add', {}, "The parameter 'fields' must be array."],
    ['company without its required title', 'crm.company.add', { fields: { COMMENTS: 'x' } }, 'The field "Company Name" is required.'],
  ];
  for (const [name, method, params, description] of errorCases) {
    it(`answers HTTP 400 with an empty code: ${name}`, () => {
      const error = createHarness().fail(method, params);
      assert.equal(error.code, '');
      assert.equal(error.status, 400);
      assert.equal(error.description, description);
    });
  }

  it('ignores read-only fields on add and update (deal LEAD_ID, ID, DATE_CREATE, HAS_PHONE)', () => {
    const harness = createHarness();
    harness.call('crm.lead.add', { fields: { TITLE: 'L' } });
    harness.call('crm.deal.add', { fields: { TITLE: 'D', LEAD_ID: 1, ID: 50, DATE_CREATE: '2001-01-01', HAS_PHONE: 'Y' } });
    const deal = harness.call('crm.deal.get', { id: 1 }).result as Record<string, unknown>;
    assert.equal(deal.ID, '1');
    assert.equal(deal.LEAD_ID, null);
    assert.notEqual(deal.DATE_CREATE, '2001-01-01T00:00:00+00:00');
    assert.equal(deal.STAGE_ID, 'NEW');
    assert.equal(deal.CLOSED, 'N');
    harness.call('crm.deal.update', { id: 1, fields: { STAGE_ID: 'WON', LEAD_ID: 1 } });
    const won = harness.call('crm.deal.get', { id: 1 }).result as Record<string, unknown>;
    assert.equal(won.LEAD_ID, null);
    assert.equal(won.STAGE_SEMANTIC_ID, 'S');
    assert.equal(won.CLOSED, 'Y');
  });

  it('describes fields with the portal flags', () => {
    const fields = createHarness().call('crm.deal.fields').result as Record<string, Record<string, unknown>>;
    assert.deepEqual(fields.LEAD_ID, {
      type: 'crm_lead',
      isRequired: false,
      isReadOnly: true,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'Lead',
    });
    assert.equal(fields.STAGE_ID?.statusType, 'DEAL_STAGE');
    const company = createHarness().call('crm.company.fields').result as Record<string, Record<string, unknown>>;
    assert.equal(company.TITLE?.isRequired, true);
    assert.equal(company.PHONE?.isMultiple, true);
  });
});

describe('multifields', () => {
  it('are written as [{VALUE, VALUE_TYPE}] and read with ID and TYPE_ID; HAS_PHONE follows', () => {
    const harness = createHarness();
    harness.call('crm.contact.add', { fields: { NAME: 'Ann', PHONE: [{ VALUE: '+15550001', VALUE_TYPE: 'WORK' }], EMAIL: [{ VALUE: 'ann@example.test' }] } });
    const contact = harness.call('crm.contact.get', { id: 1 }).result as Record<string, unknown>;
    assert.deepEqual(contact.PHONE, [{ ID: '1', VALUE_TYPE: 'WORK', VALUE: '+15550001', TYPE_ID: 'PHONE' }]);
    assert.deepEqual(contact.EMAIL, [{ ID: '2', VALUE_TYPE: 'WORK', VALUE: 'ann@example.test', TYPE_ID: 'EMAIL' }]);
    assert.equal(contact.HAS_PHONE, 'Y');
    assert.ok(!('WEB' in contact), 'an empty multifield is not returned by get');
  });

  it('on update: ID changes, ID+DELETE or an empty VALUE deletes, no ID adds', () => {
    const harness = createHarness();
    harness.call('crm.lead.add', { fields: { PHONE: [{ VALUE: '111', VALUE_TYPE: 'WORK' }, { VALUE: '222', VALUE_TYPE: 'HOME' }, { VALUE: '333' }] } });
    harness.call('crm.lead.update', {
      id: 1,
      fields: {
        PHONE: [
          { ID: '1', VALUE: '111-changed', VALUE_TYPE: 'MOBILE' },
          { ID: 2, DELETE: 'Y' },
          { ID: 3, VALUE: '' },
          { VALUE: '444', VALUE_TYPE: 'FAX' },
        ],
      },
    });
    const lead = harness.call('crm.lead.get', { id: 1 }).result as Record<string, unknown>;
    assert.deepEqual(lead.PHONE, [
      { ID: '1', VALUE_TYPE: 'MOBILE', VALUE: '111-changed', TYPE_ID: 'PHONE' },
      { ID: '4', VALUE_TYPE: 'FAX', VALUE: '444', TYPE_ID: 'PHONE' },
    ]);
  });

  it('accept PHP-style keyed entries (fields[PHONE][n0][VALUE])', () => {
    const harness = createHarness();
    harness.call('crm.lead.add', { fields: { PHONE: { n0: { VALUE: '555', VALUE_TYPE: 'WORK' } } } });
    assert.equal(rowsOf(harness.call('crm.lead.list', { filter: { PHONE: '555' } })).length, 1);
  });
});

describe('crm.status.list', () => {
  it('filters by ENTITY_ID and orders by SORT', () => {
    const rows = rowsOf(createHarness().call('crm.status.list', { filter: { ENTITY_ID: 'STATUS' } }));
    assert.deepEqual(
      rows.map((row) => row.STATUS_ID),
      ['NEW', 'IN_PROCESS', 'PROCESSED', 'CONVERTED', 'JUNK'],
    );
    assert.equal(rows[3]?.SEMANTICS, 'S');
    const stages = rowsOf(createHarness().call('crm.status.list', { filter: { ENTITY_ID: 'DEAL_STAGE' } }));
    assert.ok(stages.some((row) => row.STATUS_ID === 'WON'));
  });
});
