import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildStringTemplate, evaluateCondition, evaluateExpression, renderTemplate, isTruthy, NOT_YET } from '../../src/chain/index.ts';
import { isChainFileError, type ChainFileProblem } from '../../src/errors/chain-file-error.ts';
import { expressionOf, templateOf, testContext } from './expression-helpers.ts';

const scope = {
  inputs: { status: 'NEW', limit: 3, notify: true, tags: ['a', 'b'] },
  steps: {
    leads: {
      items: [
        { ID: '7', TITLE: 'Big deal', NAME: 'Anna', OPPORTUNITY: '1500.50' },
        { ID: '9', TITLE: 'Small', NAME: '', OPPORTUNITY: '0' },
      ],
      count: 2,
    },
    convert: { count: 2, failed: 0, skipped: 0 },
  },
  lead: { ID: '7', NAME: 'Anna', LAST_NAME: 'Smith', EMAIL: [{ VALUE: 'anna@example.com' }] },
  contact: { result: 42 },
};

describe('expressions evaluate against inputs, steps, the item and earlier sub-steps', () => {
  const cases: Array<[string, unknown]> = [
    // paths
    ['inputs.status', 'NEW'],
    ['steps.leads.count', 2],
    ['steps.leads.items[0].TITLE', 'Big deal'],
    ['steps.leads.items[1].ID', '9'],
    ['steps.leads.items.ID', ['7', '9']],
    ['lead.EMAIL[0].VALUE', 'anna@example.com'],
    ['contact.result', 42],
    ['inputs.missing', undefined],
    // literals
    ['"text"', 'text'],
    ['12.5', 12.5],
    ['true', true],
    ['null', null],
    ['[1, "two"]', [1, 'two']],
    ['{"a": lead.ID}', { a: '7' }],
    // comparisons and boolean logic
    ['inputs.limit > 2', true],
    ['inputs.limit <= 2', false],
    ['lead.ID = "7"', true],
    ['lead.ID != "7"', false],
    ['inputs.status in ["NEW", "IN_PROCESS"]', true],
    ['inputs.notify and steps.leads.count > 0', true],
    ['$not(inputs.notify) or lead.NAME = "Anna"', true],
    ['inputs.limit > 5 ? "many" : "few"', 'few'],
    // string concatenation
    ['"lead-" & lead.ID', 'lead-7'],
    ['lead.NAME & " " & lead.LAST_NAME', 'Anna Smith'],
    // functions
    ['$count(steps.leads.items)', 2],
    ['$uppercase(lead.NAME)', 'ANNA'],
    ['$lowercase($trim("  MiXeD "))', 'mixed'],
    ['$string(contact.result)', '42'],
    ['$number(steps.leads.items[0].OPPORTUNITY)', 1500.5],
    ['$exists(contact.result)', true],
    ['$join(inputs.tags, ",")', 'a,b'],
    ['$sum(steps.leads.items.$number(OPPORTUNITY))', 1500.5],
    ['steps.leads.items[$number(OPPORTUNITY) > 0].ID', '7'],
    ['$map(steps.leads.items, function($row) { $row.ID & ":" & $row.NAME })', ['7:Anna', '9:']],
  ];
  for (const [source, expected] of cases) {
    it(`${source} → ${JSON.stringify(expected)}`, async () => {
      assert.deepEqual(await evaluateExpression(expressionOf(source), scope), expected);
    });
  }

  it('returns plain arrays, not JSONata sequences', async () => {
    const value = await evaluateExpression(expressionOf('steps.leads.items.ID'), scope);
    assert.ok(Array.isArray(value));
    assert.equal(Object.getPrototypeOf(value), Array.prototype);
    assert.equal(Object.keys(value as object).length, 2);
  });
});

describe('templates', () => {
  it('a string that is exactly one expression (whitespace aside) yields the raw value', async () => {
    assert.equal(await renderTemplate(templateOf('${{ contact.result }}'), scope), 42);
    assert.deepEqual(await renderTemplate(templateOf('  ${{ lead.EMAIL }}  '), scope), [{ VALUE: 'anna@example.com' }]);
  });

  it('embedded expressions are stringified into the text (objects as JSON, nothing for missing values)', async () => {
    assert.equal(await renderTemplate(templateOf('lead-${{ lead.ID }}/${{ contact.result }}'), scope), 'lead-7/42');
    assert.equal(await renderTemplate(templateOf('tags=${{ inputs.tags }} missing=[${{ inputs.none }}]'), scope), 'tags=["a","b"] missing=[]');
  });

  it('renders nested params and leaves out entries whose expression finds nothing', async () => {
    const template = templateOf({ id: '${{ lead.ID }}', fields: { STATUS_ID: 'CONVERTED', NOTE: '${{ inputs.none }}', LIST: ['${{ lead.ID }}', 1] } });
    assert.deepEqual(await renderTemplate(template, scope), { id: '7', fields: { STATUS_ID: 'CONVERTED', LIST: ['7', 1] } });
  });

  it('with batch references, reads of a sub-step in the same batch become $result text; unsafe reads wait a round', async () => {
    const batchReferences = { scheduled: new Map([['contact', 'c1']]), earlier: ['contact'] };
    const params = templateOf({ fields: { CONTACT_ID: '${{ contact.result }}', TITLE: 'Lead ${{ lead.ID }}', NOTE: 'id ${{ contact.result }}' } });
    assert.deepEqual(await renderTemplate(params, scope, { batchReferences }), {
      fields: { CONTACT_ID: '$result[c1]', TITLE: 'Lead 7', NOTE: 'id $result[c1]' },
    });
    assert.equal(await renderTemplate(templateOf({ id: '${{ contact.result }}-x' }), scope, { batchReferences }), NOT_YET);
    assert.equal(await renderTemplate(templateOf({ id: '${{ $string(contact.result) }}' }), scope, { batchReferences }), NOT_YET);
    assert.deepEqual(await renderTemplate(params, scope), { fields: { CONTACT_ID: 42, TITLE: 'Lead 7', NOTE: 'id 42' } });
  });

  it('a subtree without expressions stays one literal, shared as is', () => {
    const params = { select: ['ID', 'TITLE'], order: { ID: 'ASC' } };
    assert.deepEqual(templateOf(params), { kind: 'literal', value: params });
  });

  it('closes an expression at the right "}}" even with object constructors and strings inside', async () => {
    assert.deepEqual(await renderTemplate(templateOf('${{ {"a": {"b": lead.ID}} }}'), scope), { a: { b: '7' } });
    assert.equal(await renderTemplate(templateOf('${{ "}}" & lead.ID }}!'), scope), '}}7!');
  });

  it('conditions follow JSONata truthiness', async () => {
    assert.equal(await evaluateCondition(expressionOf('steps.leads.count > 1'), scope), true);
    assert.equal(await evaluateCondition(expressionOf('inputs.none'), scope), false);
    const table: Array<[unknown, boolean]> = [
      [0, false],
      ['', false],
      [[], false],
      [{}, false],
      [null, false],
      ['0', true],
      [[0, 1], true],
      [{ a: 1 }, true],
    ];
    for (const [value, expected] of table) assert.equal(isTruthy(value), expected, JSON.stringify(value));
  });
});

describe('expressions are sandboxed', () => {
  const escapes = [
    'process',
    '$process',
    'require',
    'inputs.constructor',
    'inputs.constructor.constructor',
    'inputs.__proto__',
    '$lookup(inputs, "constructor")',
    'globalThis',
    '$$.process.env',
  ];
  for (const source of escapes) {
    it(`${source} reaches nothing`, async () => {
      let value: unknown;
      try {
        value = await evaluateExpression(expressionOf(source), scope);
      } catch (error) {
        assert.ok(isChainFileError(error));
        return;
      }
      assert.equal(value, undefined);
    });
  }

  it('host functions do not exist: $require is refused when the chain is validated, and fails if run', async () => {
    const problems: ChainFileProblem[] = [];
    const template = buildStringTemplate('${{ $require("fs") }}', '/value', testContext(problems));
    assert.deepEqual(
      problems.map((problem) => problem.code),
      ['EXPRESSION_FUNCTION_UNKNOWN'],
    );
    assert.equal(template.kind, 'expression');
    await assert.rejects(renderTemplate(template, scope), (error: unknown) => isChainFileError(error) && error.code === 'EXPRESSION_EVALUATION');
  });

  it('$eval is refused when the chain is validated', () => {
    const problems: ChainFileProblem[] = [];
    buildStringTemplate('${{ $eval("process") }}', '/value', testContext(problems));
    assert.deepEqual(
      problems.map((problem) => problem.code),
      ['EXPRESSION_FUNCTION_FORBIDDEN'],
    );
  });

  it('calling a host function through a property fails instead of running it', async () => {
    await assert.rejects(evaluateExpression(expressionOf('(inputs.constructor.constructor)("return process")()'), scope), (error: unknown) => {
      assert.ok(isChainFileError(error));
      assert.equal(error.code, 'EXPRESSION_EVALUATION');
      return true;
    });
  });

  it('runaway recursion stops with a positioned error', async () => {
    const runaway = expressionOf('($loop := function($n) { 1 + $loop($n + 1) }; $loop(0))');
    await assert.rejects(evaluateExpression(runaway, scope), (error: unknown) => {
      assert.ok(isChainFileError(error));
      assert.match(error.message, /^test\.yml:1:1: .* failed: .*\(EXPRESSION_EVALUATION\)\./);
      return true;
    });
  });
});
