import assert from 'node:assert/strict';
import type { ChainFileProblem } from '../../src/errors/chain-file-error.ts';
import { buildStringTemplate, buildTemplate, type ChainExpression, type TemplateContext, type ValueTemplate } from '../../src/chain/index.ts';

/** A template context that records problems and places every expression at 1:1. */
export function testContext(problems: ChainFileProblem[] = []): TemplateContext {
  return {
    file: 'test.yml',
    expressionPosition: (pointer) => ({ line: 1, column: 1, pointer }),
    report: (problem) => problems.push(problem),
  };
}

/** The compiled expression of `${{ source }}`; fails the test on any problem. */
export function expressionOf(source: string): ChainExpression {
  const problems: ChainFileProblem[] = [];
  const template = buildStringTemplate(`\${{ ${source} }}`, '/value', testContext(problems));
  assert.deepEqual(problems, []);
  assert.equal(template.kind, 'expression');
  return template.expression;
}

/** The template of any value; fails the test on any problem. */
export function templateOf(value: unknown): ValueTemplate {
  const problems: ChainFileProblem[] = [];
  const template = buildTemplate(value, '/value', testContext(problems));
  assert.deepEqual(problems, []);
  return template;
}
