import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateExpression, isTruthy } from '../../src/chain/expressions/evaluate-expression.ts';
import { compileExpression } from '../../src/chain/expressions/compile-expression.ts';
import { analyzeExpression } from '../../src/chain/expressions/analyze-expression.ts';
import type { ChainExpression } from '../../src/chain/expressions/template-model.ts';
import { evaluateFastPath, FALLBACK } from '../../src/chain/expressions/fast-path.ts';

function evaluateSimple(expression: ChainExpression, scope: Record<string, unknown>): unknown {
  return evaluateFastPath(expression.source, scope);
}

/** JSONata alone, without the evaluator's fast path. */
async function evaluateByJsonata(expression: ChainExpression, scope: Record<string, unknown>): Promise<unknown> {
  const outcome = compileExpression(expression.source);
  assert.ok(outcome.ok);
  return outcome.compiled.evaluate(scope);
}

function expressionOf(source: string): ChainExpression {
  const outcome = compileExpression(source);
  assert.ok(outcome.ok, source);
  return { source, text: `\${{ ${source} }}`, file: 'test.yml', position: { line: 1, column: 1, pointer: '' }, analysis: analyzeExpression(outcome.ast) };
}

const scopes: Array<Record<string, unknown>> = [
  { lead: { ID: '5', STATUS_ID: 'NEW', OPPORTUNITY: 0, FLAG: true, EMPTY: '', NULL: null }, inputs: { notify: true, status: 'NEW', limit: 3 } },
  { lead: { ID: '6', STATUS_ID: 'NEVER', OPPORTUNITY: 12.5, FLAG: false, LIST: [1, 2] }, inputs: { notify: false, status: 'NEVER', limit: 0 } },
  { lead: null, inputs: {} },
  {
    lead: { ID: '8', EMAIL: [{ VALUE: 'a@example.com' }], ONE: [7], CONTACT: { ID: 3, NAME: 'Anna' } },
    contact: { result: { ID: 42, LIST: [4, 5] } },
    inputs: { status: 'NEW' },
  },
];

const sources = [
  "lead.STATUS_ID = 'NEVER'",
  "lead.STATUS_ID != 'NEVER'",
  'lead.STATUS_ID = inputs.status',
  "lead.ID = '5'",
  'lead.ID = 5',
  'lead.OPPORTUNITY = 0',
  'lead.FLAG = true',
  'lead.NULL = null',
  'lead.MISSING = null',
  "lead.MISSING != 'x'",
  'inputs.notify and lead.FLAG',
  'inputs.notify or lead.EMPTY',
  "lead.EMPTY or lead.STATUS_ID = 'NEW'",
  'inputs.limit and inputs.notify',
  'lead.LIST = 1',
  'lead.OPPORTUNITY > 1',
  "$exists(lead.ID) and lead.STATUS_ID = 'NEW'",
  'lead.ID',
  'lead.CONTACT',
  'lead.CONTACT.NAME',
  'lead.EMAIL',
  'lead.EMAIL[0].VALUE',
  'lead.EMAIL.VALUE',
  'lead.ONE',
  'lead.ONE[0]',
  'lead.ID[0]',
  'contact.result.LIST[1]',
  'contact.result.LIST[5]',
  'lead.CONTACT = 3',
  'lead.constructor',
  'inputs.__proto__',
  'contact.result.ID',
];

describe("the evaluator's fast path agrees with JSONata", () => {
  for (const source of sources) {
    it(source, async () => {
      const expression = expressionOf(source);
      for (const scope of scopes) {
        const simple = evaluateSimple(expression, scope);
        if (simple === FALLBACK) continue;
        let reference: unknown;
        try {
          reference = await evaluateByJsonata(expression, scope);
        } catch {
          assert.fail(`${source}: the fast path answered ${String(simple)} where JSONata fails`);
        }
        assert.equal(isTruthy(simple), isTruthy(reference), `${source} with ${JSON.stringify(scope)}: fast ${String(simple)}, JSONata ${String(reference)}`);
        if (typeof reference !== 'boolean' || typeof simple === 'boolean') assert.deepEqual(simple, reference);
      }
    });
  }

  it('leaves arrays, functions and other operators to JSONata', () => {
    assert.equal(evaluateSimple(expressionOf('lead.LIST = 1'), scopes[1] as Record<string, unknown>), FALLBACK);
    assert.equal(evaluateSimple(expressionOf('lead.OPPORTUNITY > 1'), scopes[1] as Record<string, unknown>), FALLBACK);
    assert.equal(evaluateSimple(expressionOf('$exists(lead.ID)'), scopes[0] as Record<string, unknown>), FALLBACK);
    assert.equal(evaluateSimple(expressionOf('lead.EMAIL'), scopes[3] as Record<string, unknown>), FALLBACK);
    assert.equal(evaluateSimple(expressionOf('lead.ID[0]'), scopes[3] as Record<string, unknown>), FALLBACK);
  });

  it('answers paths and comparisons itself, and never reaches inherited members', async () => {
    const scope = scopes[3] as Record<string, unknown>;
    assert.equal(evaluateSimple(expressionOf('contact.result.ID'), scope), 42);
    assert.equal(evaluateSimple(expressionOf('lead.EMAIL[0].VALUE'), scope), 'a@example.com');
    assert.deepEqual(evaluateSimple(expressionOf('lead.CONTACT'), scope), { ID: 3, NAME: 'Anna' });
    assert.equal(evaluateSimple(expressionOf("inputs.status = 'NEW'"), scope), true);
    assert.equal(evaluateSimple(expressionOf('lead.constructor'), scope), undefined);
    assert.equal(await evaluateExpression(expressionOf('lead.constructor'), scope), undefined);
  });
});
