import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dependsOnlyOn, formatBatchReference, subStepResultReferenceOf } from '../../src/chain/index.ts';
import { expressionOf } from './expression-helpers.ts';

describe('static analysis: the names and paths an expression reads', () => {
  const cases: Array<[string, Array<[string, Array<string | number>]>]> = [
    ['inputs.status', [['inputs', ['status']]]],
    ['steps.leads.items[0].ID', [['steps', ['leads', 'items', 0, 'ID']]]],
    ['"lead-" & lead.ID', [['lead', ['ID']]]],
    [
      '$count(steps.leads.items) > inputs.limit',
      [
        ['steps', ['leads', 'items']],
        ['inputs', ['limit']],
      ],
    ],
    // names inside a filter are relative to the rows, not roots
    ['steps.leads.items[STATUS_ID = inputs.status].ID', [['steps', ['leads', 'items']]]],
    ['steps.leads.items.(ID & TITLE)', [['steps', ['leads', 'items']]]],
    ['$$.inputs.status', [['inputs', ['status']]]],
    ['$.lead.ID', [['lead', ['ID']]]],
    [
      'inputs.notify ? contact.result : lead.ID',
      [
        ['inputs', ['notify']],
        ['contact', ['result']],
        ['lead', ['ID']],
      ],
    ],
    [
      '{"a": lead.ID, "b": [contact.result]}',
      [
        ['lead', ['ID']],
        ['contact', ['result']],
      ],
    ],
    [
      '($x := lead.ID; $x & "-" & inputs.tag)',
      [
        ['lead', ['ID']],
        ['inputs', ['tag']],
      ],
    ],
    ['lead.`ORIGIN ID`', [['lead', ['ORIGIN ID']]]],
    ['"literal"', []],
  ];
  for (const [source, expected] of cases) {
    it(source, () => {
      const { references } = expressionOf(source).analysis;
      assert.deepEqual(
        references.filter((reference) => !reference.uncertain).map((reference) => [reference.root, reference.path]),
        expected,
      );
    });
  }

  it('marks names inside a lambda as uncertain (their context is not known statically)', () => {
    const { references, roots } = expressionOf('$map(steps.leads.items, function($row) { $row.ID & SUFFIX })').analysis;
    assert.deepEqual(
      references.map((reference) => [reference.root, reference.uncertain]),
      [
        ['steps', false],
        ['SUFFIX', true],
      ],
    );
    assert.deepEqual(roots, ['steps', 'SUFFIX']);
  });

  it('flags wildcards at the root as dynamic', () => {
    assert.equal(expressionOf('*.ID').analysis.dynamic, true);
    assert.equal(expressionOf('$keys($)').analysis.dynamic, true);
    assert.equal(expressionOf('lead.*').analysis.dynamic, false);
  });

  it('lists called functions and the unknown ones', () => {
    const analysis = expressionOf('($f := function($v) { $v }; $f($uppercase(lead.NAME)))').analysis;
    assert.deepEqual(analysis.functions.sort(), ['f', 'uppercase']);
    assert.deepEqual(analysis.unknownFunctions, []);
  });

  it('reports the offset of each root in the source', () => {
    const { references } = expressionOf('"x" & inputs.tag').analysis;
    assert.equal(references[0]?.offset, 6);
  });
});

describe('pure paths and batch references', () => {
  const pure: Array<[string, { root: string; path: Array<string | number> } | undefined]> = [
    ['contact.result', { root: 'contact', path: ['result'] }],
    ['contact.result.ID', { root: 'contact', path: ['result', 'ID'] }],
    ['contact.result[0].ID', { root: 'contact', path: ['result', 0, 'ID'] }],
    ['steps.leads.items', { root: 'steps', path: ['leads', 'items'] }],
    ['lead', { root: 'lead', path: [] }],
    ['contact.result + 1', undefined],
    ['contact.result[ID > 1]', undefined],
    ['$string(contact.result)', undefined],
    ['"lead-" & lead.ID', undefined],
  ];
  for (const [source, expected] of pure) {
    it(`${source} ${expected ? 'is' : 'is not'} a pure path`, () => {
      assert.deepEqual(expressionOf(source).analysis.purePath, expected);
    });
  }

  const references: Array<[string, string | undefined]> = [
    ['contact.result', '$result[contact_7]'],
    ['contact.result.ID', '$result[contact_7][ID]'],
    ['contact.result[0].ID', '$result[contact_7][0][ID]'],
    ['contact', undefined], // not the result
    ['contact.error', undefined],
    ['lead.ID', undefined], // the item, not a sub-step
    ['deal.result', undefined], // a later sub-step
    ['$string(contact.result)', undefined], // needs evaluation: next round
    ['contact.result.`A B`', undefined], // the portal's [segment] syntax cannot carry spaces
  ];
  for (const [source, expected] of references) {
    it(`${source} → ${expected ?? 'no same-batch reference'}`, () => {
      const reference = subStepResultReferenceOf(expressionOf(source), ['contact']);
      assert.equal(reference === undefined ? undefined : formatBatchReference('contact_7', reference.path), expected);
    });
  }

  it('tells whether a condition depends only on the item and inputs (so it can be evaluated before sending)', () => {
    assert.equal(dependsOnlyOn(expressionOf('lead.STATUS_ID = "NEW" and inputs.notify').analysis, ['lead', 'inputs']), true);
    assert.equal(dependsOnlyOn(expressionOf('$exists(contact.result)').analysis, ['lead', 'inputs']), false);
    assert.equal(dependsOnlyOn(expressionOf('$map([1], function($v) { contact.result })').analysis, ['lead', 'inputs']), false);
    assert.equal(dependsOnlyOn(expressionOf('*').analysis, ['lead', 'inputs']), false);
  });
});
