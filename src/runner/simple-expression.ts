/**
 * A fast path for the expressions a `for_each` evaluates once per row: paths, literals, `=`, `!=`,
 * `and`, `or`, read straight from JSONata's own AST. Whenever a value or a node falls outside this
 * small, well-understood subset (arrays, objects, functions, other operators), it answers "ask
 * JSONata", so results are always JSONata's. It saves the async evaluation on millions of rows.
 */
import { compileExpression } from '../chain/expressions/compile-expression.ts';
import type { ChainExpression } from '../chain/expressions/template-model.ts';

/** A value, or `FALLBACK` when JSONata must decide. */
export const FALLBACK = Symbol('fallback');
type Evaluate = (scope: Readonly<Record<string, unknown>>) => unknown;

interface AstNode {
  type: string;
  value?: unknown;
  steps?: AstNode[];
  lhs?: AstNode;
  rhs?: AstNode;
  predicate?: unknown;
  stages?: unknown;
  group?: unknown;
  focus?: unknown;
  index?: unknown;
  tuple?: unknown;
  keepArray?: unknown;
}

const compiled = new Map<string, Evaluate | null>();

function isPlainScalar(value: unknown): boolean {
  return value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function hasExtras(node: AstNode): boolean {
  return node.predicate !== undefined || node.stages !== undefined || node.group !== undefined || node.focus !== undefined || node.index !== undefined || node.tuple !== undefined || node.keepArray !== undefined;
}

function compileNode(node: AstNode): Evaluate | null {
  if (hasExtras(node)) return null;
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value': {
      const literal = node.value;
      return () => literal;
    }
    case 'path': {
      const steps = node.steps ?? [];
      if (steps.length === 0 || steps.some((step) => step.type !== 'name' || hasExtras(step) || typeof step.value !== 'string')) return null;
      const names = steps.map((step) => step.value as string);
      return (scope) => {
        let current: unknown = scope;
        for (const name of names) {
          if (current === null || current === undefined) return undefined;
          if (Array.isArray(current) || typeof current !== 'object') return Array.isArray(current) ? FALLBACK : undefined;
          current = (current as Record<string, unknown>)[name];
        }
        return isPlainScalar(current) ? current : FALLBACK;
      };
    }
    case 'binary': {
      const operator = node.value;
      if (!node.lhs || !node.rhs) return null;
      const left = compileNode(node.lhs);
      const right = compileNode(node.rhs);
      if (!left || !right) return null;
      if (operator === '=' || operator === '!=') {
        return (scope) => {
          const a = left(scope);
          const b = right(scope);
          if (a === FALLBACK || b === FALLBACK) return FALLBACK;
          if (a === undefined || b === undefined) return false; // JSONata: any comparison with nothing is false
          return operator === '=' ? a === b : a !== b;
        };
      }
      if (operator === 'and' || operator === 'or') {
        return (scope) => {
          const a = left(scope);
          if (a === FALLBACK) return FALLBACK;
          const truthyA = a !== undefined && a !== null && a !== false && a !== '' && a !== 0;
          if (operator === 'and' && !truthyA) return false;
          if (operator === 'or' && truthyA) return true;
          const b = right(scope);
          if (b === FALLBACK) return FALLBACK;
          return b !== undefined && b !== null && b !== false && b !== '' && b !== 0;
        };
      }
      return null;
    }
    default:
      return null;
  }
}

/** The value by the fast path, or `FALLBACK`. */
export function evaluateSimple(expression: ChainExpression, scope: Readonly<Record<string, unknown>>): unknown {
  let evaluate = compiled.get(expression.source);
  if (evaluate === undefined) {
    const outcome = compileExpression(expression.source);
    evaluate = outcome.ok ? compileNode(outcome.ast as unknown as AstNode) : null;
    compiled.set(expression.source, evaluate);
  }
  if (!evaluate) return FALLBACK;
  const value = evaluate(scope);
  return Number.isNaN(value) ? FALLBACK : value;
}
