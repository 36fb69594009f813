import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import {
  evaluateCondition,
  formatBatchReference,
  loadValidChain,
  renderTemplate,
  subStepResultReferenceOf,
  validateChainFile,
  type ChainDefinition,
  type ChainStep,
} from '../../src/chain/index.ts';

const chainPath = (name: string): string => fileURLToPath(new URL(`../../chains/core/${name}`, import.meta.url));

function stepOf<Kind extends ChainStep['kind']>(chain: ChainDefinition, id: string, kind: Kind): Extract<ChainStep, { kind: Kind }> {
  const step = chain.steps.find((candidate) => candidate.id === id);
  assert.ok(step, `no step ${id}`);
  assert.equal(step.kind, kind);
  return step as Extract<ChainStep, { kind: Kind }>;
}

describe('chains/core/lead-to-deal.yml', () => {
  it('validates, listing three writes, nothing destructive, and the crm scope', async () => {
    const report = await validateChainFile(chainPath('lead-to-deal.yml'));
    assert.deepEqual(report.problems, []);
    assert.deepEqual(
      report.summary.writes.map((use) => [use.parent, use.step, use.method]),
      [
        ['convert', 'contact', 'crm.contact.add'],
        ['convert', 'deal', 'crm.deal.add'],
        ['convert', 'mark', 'crm.lead.update'],
      ],
    );
    assert.deepEqual(report.summary.destructive, []);
    assert.deepEqual(report.summary.scopes, ['crm']);
    assert.match(report.sha256, /^[0-9a-f]{64}$/);
  });

  it('streams the for_each from the list step, keyed by the lead ID', async () => {
    const chain = await loadValidChain(chainPath('lead-to-deal.yml'));
    const convert = stepOf(chain, 'convert', 'for_each');
    assert.equal(convert.streamsFrom, 'leads');
    assert.equal(convert.as, 'lead');
    assert.ok(convert.key);
    assert.equal(await renderTemplate(convert.key, { lead: { ID: '15' } }), '15');
  });

  it('sends the deal in the same batch as its contact ($result reference) and keys both by ORIGINATOR_ID + ORIGIN_ID', async () => {
    const chain = await loadValidChain(chainPath('lead-to-deal.yml'));
    const convert = stepOf(chain, 'convert', 'for_each');
    const [contact, deal] = convert.do;
    assert.ok(contact && deal);
    assert.equal(deal.params.kind, 'object');
    const fields = deal.params.kind === 'object' ? deal.params.entries.find(([key]) => key === 'fields')?.[1] : undefined;
    const contactId = fields?.kind === 'object' ? fields.entries.find(([key]) => key === 'CONTACT_ID')?.[1] : undefined;
    assert.equal(contactId?.kind, 'expression');
    if (contactId?.kind !== 'expression') return;
    const reference = subStepResultReferenceOf(contactId.expression, ['contact']);
    assert.ok(reference);
    assert.equal(formatBatchReference('c15_contact', reference.path), '$result[c15_contact]');
    const scope = { lead: { ID: '15', NAME: 'Ann', LAST_NAME: 'Lee', TITLE: 'Lead 15', ASSIGNED_BY_ID: '1' }, contact: { result: 901 } };
    assert.deepEqual(await renderTemplate(contact.params, scope), {
      fields: { NAME: 'Ann', LAST_NAME: 'Lee', ASSIGNED_BY_ID: '1', ORIGINATOR_ID: 'b24chain', ORIGIN_ID: 'lead-15' },
    });
    assert.deepEqual(await renderTemplate(deal.params, scope), {
      fields: { TITLE: 'Lead 15', CONTACT_ID: 901, ASSIGNED_BY_ID: '1', ORIGINATOR_ID: 'b24chain', ORIGIN_ID: 'lead-15' },
    });
  });
});

describe('chains/core/lead-intake.yml', () => {
  it('validates: duplicate lookup (read) before the add and the update (writes)', async () => {
    const report = await validateChainFile(chainPath('lead-intake.yml'));
    assert.deepEqual(report.problems, []);
    const chain = report.chain;
    assert.ok(chain);
    assert.deepEqual(
      chain.steps.map((step) => [step.id, step.kind, 'method' in step ? step.method : '']),
      [
        ['has_key', 'assert', ''],
        ['duplicates', 'list', 'crm.lead.list'],
        ['create', 'call', 'crm.lead.add'],
        ['qualify', 'call', 'crm.lead.update'],
      ],
    );
    assert.deepEqual(
      report.summary.writes.map((use) => use.method),
      ['crm.lead.add', 'crm.lead.update'],
    );
    assert.deepEqual(
      chain.inputs.filter((input) => input.required).map((input) => input.name),
      ['title'],
    );
  });

  const inputs = {
    title: 'Website request',
    name: 'Anna',
    phone: '',
    email: ' Anna@Example.com ',
    score: 70,
    owner_id: 5,
    comment: 'hot',
    score_field: 'UF_CRM_LEAD_SCORE',
  };

  it('looks duplicates up with a deterministic filter built from the e-mail', async () => {
    const chain = await loadValidChain(chainPath('lead-intake.yml'));
    const duplicates = stepOf(chain, 'duplicates', 'list');
    const params = await renderTemplate(duplicates.params, { inputs, steps: {} });
    assert.deepEqual(params, {
      filter: { ORIGINATOR_ID: 'b24chain', ORIGIN_ID: 'intake:anna@example.com' },
      order: { ID: 'ASC' },
      select: ['ID', 'ASSIGNED_BY_ID', 'STATUS_ID'],
    });
  });

  it('adds the lead only when no duplicate was found, and qualifies the new or the existing one', async () => {
    const chain = await loadValidChain(chainPath('lead-intake.yml'));
    const create = stepOf(chain, 'create', 'call');
    const qualify = stepOf(chain, 'qualify', 'call');
    assert.ok(create.if);
    const none = { inputs, steps: { duplicates: { items: [], count: 0 } } };
    const found = { inputs, steps: { duplicates: { items: [{ ID: '31' }], count: 1 } } };
    assert.equal(await evaluateCondition(create.if, none), true);
    assert.equal(await evaluateCondition(create.if, found), false);
    const added = (await renderTemplate(create.params, none)) as { fields: Record<string, unknown> };
    assert.deepEqual(added.fields['EMAIL'], [{ VALUE: 'Anna@Example.com', VALUE_TYPE: 'WORK' }]);
    assert.deepEqual(added.fields['PHONE'], []);
    assert.equal(added.fields['ORIGIN_ID'], 'intake:anna@example.com');
    const afterAdd = { inputs, steps: { duplicates: { items: [], count: 0 }, create: { result: 77 } } };
    assert.deepEqual(await renderTemplate(qualify.params, afterAdd), { id: 77, fields: { ASSIGNED_BY_ID: 5, COMMENTS: 'hot', UF_CRM_LEAD_SCORE: 70 } });
    assert.equal(((await renderTemplate(qualify.params, found)) as { id: unknown }).id, '31');
  });

  it('stops with its message when neither e-mail nor phone is given', async () => {
    const chain = await loadValidChain(chainPath('lead-intake.yml'));
    const hasKey = stepOf(chain, 'has_key', 'assert');
    assert.equal(await evaluateCondition(hasKey.condition, { inputs: { ...inputs, email: ' ', phone: '' } }), false);
    assert.equal(await evaluateCondition(hasKey.condition, { inputs: { ...inputs, email: '', phone: '+1 555' } }), true);
    assert.match(String(await renderTemplate(hasKey.message, {})), /email=.*phone=/);
  });
});
