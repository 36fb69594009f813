import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateLeads } from '../../../src/emulator/seed/generate-leads.ts';
import { createHarness, rowsOf, type Harness } from './method-harness.ts';

function addLeads(harness: Harness): void {
  const leads = [
    { TITLE: 'Alpha Corp', NAME: 'Ann', OPPORTUNITY: 100, STATUS_ID: 'NEW', SOURCE_ID: 'WEB', PHONE: [{ VALUE: '+1555000001', VALUE_TYPE: 'WORK' }] },
    { TITLE: 'beta llc', NAME: 'Bob', OPPORTUNITY: '2500.5', STATUS_ID: 'IN_PROCESS', SOURCE_ID: 'CALL' },
    { TITLE: 'Gamma Alpha', OPPORTUNITY: '900', STATUS_ID: 'JUNK', SOURCE_ID: 'WEB' },
    { TITLE: 'Delta', NAME: 'Dan', OPPORTUNITY: 10, STATUS_ID: 'NEW', SOURCE_ID: 'EMAIL' },
    { TITLE: 'alphabet soup', NAME: 'Eve', OPPORTUNITY: '100', STATUS_ID: 'PROCESSED', UF_CRM_1: 'custom' },
  ];
  for (const fields of leads) harness.call('crm.lead.add', { fields });
}

function ids(harness: Harness, params: Record<string, unknown>): number[] {
  return rowsOf(harness.call('crm.lead.list', { select: ['ID'], ...params })).map((row) => Number(row.ID));
}

describe('list engine: filter operators', () => {
  const harness = createHarness();
  addLeads(harness);
  const cases: Array<[string, Record<string, unknown>, number[]]> = [
    ['no prefix is equality', { STATUS_ID: 'NEW' }, [1, 4]],
    ['= is equality', { '=STATUS_ID': 'NEW' }, [1, 4]],
    ['! is inequality', { '!STATUS_ID': 'NEW' }, [2, 3, 5]],
    ['!= is inequality', { '!=STATUS_ID': 'NEW' }, [2, 3, 5]],
    ['> compares numbers sent as strings', { '>OPPORTUNITY': '100' }, [2, 3]],
    ['>= includes the bound', { '>=OPPORTUNITY': 100 }, [1, 2, 3, 5]],
    ['< compares numerically, not as text', { '<OPPORTUNITY': '95' }, [4]],
    ['<= includes the bound', { '<=OPPORTUNITY': '900' }, [1, 3, 4, 5]],
    ['@ is IN', { '@STATUS_ID': ['NEW', 'JUNK'] }, [1, 3, 4]],
    ['!@ is NOT IN', { '!@STATUS_ID': ['NEW', 'JUNK'] }, [2, 5]],
    ['an array under = is IN', { STATUS_ID: ['NEW', 'JUNK'] }, [1, 3, 4]],
    ['% is a case-insensitive substring', { '%TITLE': 'alpha' }, [1, 3, 5]],
    ['=% takes explicit wildcards', { '=%TITLE': 'alpha%' }, [1, 5]],
    ['%= takes explicit wildcards', { '%=TITLE': '%alpha' }, [3]],
    ['!% is NOT substring', { '!%TITLE': 'alpha' }, [2, 4]],
    ['!=% is NOT LIKE with wildcards', { '!=%TITLE': 'alpha%' }, [2, 3, 4]],
    ['!%= is NOT LIKE with wildcards', { '!%=TITLE': '%a' }, [1, 2, 5]],
    ['empty value matches an unset field', { NAME: '' }, [3]],
    ['! with an empty value matches set fields', { '!NAME': '' }, [1, 2, 4, 5]],
    ['id bounds combine', { '>ID': 2, '<=ID': 4 }, [3, 4]],
    ['id compared as a number', { '>ID': '3' }, [4, 5]],
    ['a multifield matches any of its values', { PHONE: '+1555000001' }, [1]],
    ['lower-case field names are accepted', { status_id: 'JUNK' }, [3]],
    ['custom fields filter', { UF_CRM_1: 'custom' }, [5]],
    ['unknown fields are ignored', { NOPE: 'x' }, [1, 2, 3, 4, 5]],
  ];
  for (const [name, filter, expected] of cases) {
    it(name, () => assert.deepEqual(ids(harness, { filter }), expected));
  }
});

describe('list engine: order and select', () => {
  const harness = createHarness();
  addLeads(harness);
  it('orders by a field, ties by ID ascending', () => {
    assert.deepEqual(ids(harness, { order: { OPPORTUNITY: 'DESC' } }), [2, 3, 1, 5, 4]);
  });
  it('orders text case-insensitively', () => {
    assert.deepEqual(ids(harness, { order: { TITLE: 'ASC' } }), [1, 5, 2, 4, 3]);
  });
  it('orders by ID descending', () => {
    assert.deepEqual(ids(harness, { order: { ID: 'DESC' } }), [5, 4, 3, 2, 1]);
  });
  it('always includes ID and returns only the selected fields', () => {
    const [row] = rowsOf(harness.call('crm.lead.list', { select: ['TITLE'], filter: { ID: 1 } }));
    assert.deepEqual(row, { ID: '1', TITLE: 'Alpha Corp' });
  });
  it('* means every system field without multifields and custom fields', () => {
    const [row] = rowsOf(harness.call('crm.lead.list', { select: ['*'], filter: { ID: 5 } }));
    assert.ok(row && 'STATUS_ID' in row && 'DATE_CREATE' in row);
    assert.ok(!('PHONE' in row) && !('UF_CRM_1' in row));
  });
  it('multifields come only when named, custom fields with UF_*', () => {
    const [row] = rowsOf(harness.call('crm.lead.list', { select: ['*', 'PHONE', 'UF_*'], filter: { '@ID': [1] } }));
    assert.deepEqual(row?.PHONE, [{ ID: '1', VALUE_TYPE: 'WORK', VALUE: '+1555000001', TYPE_ID: 'PHONE' }]);
    const [withCustom] = rowsOf(harness.call('crm.lead.list', { select: ['UF_*'], filter: { ID: 5 } }));
    assert.deepEqual(withCustom, { ID: '5', UF_CRM_1: 'custom' });
  });
});

describe('list engine: paging', () => {
  const harness = createHarness();
  generateLeads(harness.portal, 120, { seed: 7 });
  const cases: Array<[unknown, number, number, number | undefined]> = [
    [undefined, 50, 120, 50],
    [50, 50, 120, 100],
    ['100', 20, 120, undefined],
    [200, 0, 120, undefined],
  ];
  for (const [start, rows, total, next] of cases) {
    it(`start=${String(start)} gives ${rows} rows, total ${total}, next ${String(next)}`, () => {
      const result = harness.call('crm.lead.list', { select: ['ID'], start });
      assert.equal(rowsOf(result).length, rows);
      assert.equal(result.total, total);
      assert.equal(result.next, next);
    });
  }
  it('start=-1 skips the count: total 0 and no next', () => {
    const result = harness.call('crm.lead.list', { select: ['ID'], start: -1 });
    assert.equal(rowsOf(result).length, 50);
    assert.equal(result.total, 0);
    assert.equal(result.next, undefined);
  });
  it('a filtered set is counted, and its pages cover it exactly', () => {
    const first = harness.call('crm.lead.list', { select: ['ID', 'STATUS_ID'], filter: { STATUS_ID: 'NEW' } });
    const total = first.total ?? 0;
    assert.ok(total > 0 && total < 120);
    const rows = [...rowsOf(first)];
    let next = first.next;
    for (let guard = 0; next !== undefined && guard < 5; guard += 1) {
      const page = harness.call('crm.lead.list', { select: ['ID', 'STATUS_ID'], filter: { STATUS_ID: 'NEW' }, start: next });
      rows.push(...rowsOf(page));
      next = page.next;
    }
    assert.equal(rows.length, total);
    assert.ok(rows.every((row) => row.STATUS_ID === 'NEW'));
  });
});

describe('list engine: keyset paging', () => {
  it('streams 100,000 leads exactly once through {">ID": last}, start=-1, quickly', () => {
    const harness = createHarness();
    generateLeads(harness.portal, 100_000, { seed: 1 });
    const started = performance.now();
    const seen = new Set<number>();
    let last = 0;
    let pages = 0;
    for (;;) {
      const result = harness.call('crm.lead.list', { order: { ID: 'ASC' }, filter: { '>ID': last }, select: ['ID'], start: -1 });
      const rows = rowsOf(result);
      assert.equal(result.next, undefined);
      for (const row of rows) {
        const id = Number(row.ID);
        assert.ok(!seen.has(id), `lead ${id} returned once`);
        seen.add(id);
        last = id;
      }
      pages += 1;
      if (rows.length < 50 || pages > 2_100) break;
    }
    const elapsed = performance.now() - started;
    assert.equal(seen.size, 100_000);
    assert.equal(pages, 2_001);
    assert.ok(elapsed < 3_000, `keyset paging took ${elapsed.toFixed(0)} ms`);
  });

  it('is not disturbed by deleted rows, and still filters other fields', () => {
    const harness = createHarness();
    generateLeads(harness.portal, 300, { seed: 3 });
    for (let id = 1; id <= 300; id += 3) harness.call('crm.lead.delete', { id });
    const collected: number[] = [];
    let last = 0;
    for (let page = 0; page < 20; page += 1) {
      const rows = rowsOf(
        harness.call('crm.lead.list', { order: { ID: 'ASC' }, filter: { '>ID': last, '!STATUS_ID': 'JUNK' }, select: ['ID', 'STATUS_ID'], start: -1 }),
      );
      collected.push(...rows.map((row) => Number(row.ID)));
      assert.ok(rows.every((row) => row.STATUS_ID !== 'JUNK'));
      if (rows.length < 50) break;
      last = Number(rows[rows.length - 1]?.ID);
    }
    const expected = rowsOf(harness.call('crm.lead.list', { select: ['ID'], filter: { '!STATUS_ID': 'JUNK' }, start: 0 }));
    assert.ok(collected.every((id) => id % 3 !== 1));
    assert.equal(new Set(collected).size, collected.length);
    assert.equal(collected.length, harness.call('crm.lead.list', { filter: { '!STATUS_ID': 'JUNK' } }).total);
    assert.equal(expected[0]?.ID, String(collected[0]));
  });
});
