import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateExpression, isTruthy } from '../../src/chain/expressions/evaluate-template.ts';
import { compileExpression } from '../../src/chain/expressions/compile-expression.ts';
import { analyzeExpression } from '../../src/chain/expressions/analyze-expression.ts';
import type { ChainExpression } from '../../src/chain/expressions/template-model.ts';
import { evaluateSimple, FALLBACK } from '../../src/runner/simple-expression.ts';

function expressionOf(source: string): ChainExpression {
  const outcome = compileExpression(source);
  assert.ok(outcome.ok, source);
  return { source, text: `\${{ ${source} }}`, file: 'test.yml', position: { line: 1, column: 1, pointer: '' }, analysis: analyzeExpression(outcome.ast) };
}

const scopes: Array<Record<string, unknown>> = [
  { lead: { ID: '5', STATUS_ID: 'NEW', OPPORTUNITY: 0, FLAG: true, EMPTY: '', NULL: null }, inputs: { notify: true, status: 'NEW', limit: 3 } },
  { lead: { ID: '6', STATUS_ID: 'NEVER', OPPORTUNITY: 12.5, FLAG: false, LIST: [1, 2] }, inputs: { notify: false, status: 'NEVER', limit: 0 } },
  { lead: null, inputs: {} },
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
];

describe('the fast path for simple conditions agrees with JSONata', () => {
  for (const source of sources) {
    it(source, async () => {
      const expression = expressionOf(source);
      for (const scope of scopes) {
        const simple = evaluateSimple(expression, scope);
        if (simple === FALLBACK) continue;
        let reference: unknown;
        try {
          reference = await evaluateExpression(expression, scope);
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
  });
});
