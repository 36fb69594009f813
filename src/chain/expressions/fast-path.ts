/**
 * The evaluator's fast path for the expressions a `for_each` evaluates once per row: paths of names
 * and integer indexes, literals, `=`, `!=`, `and`, `or`, read straight from JSONata's own AST. Whenever
 * a value or a node falls outside this small, well-understood subset (arrays, functions, other
 * operators), it answers `FALLBACK` and JSONata decides, so results are always JSONata's. It saves
 * the async evaluation on millions of rows.
 */
import { compileExpression } from './compile-expression.ts';
import { asNode, purePathOf, type AstNode } from './jsonata-ast.ts';
import type { PathSegment } from './template-model.ts';

/** Returned when JSONata must decide. */
export const FALLBACK = Symbol('fallback');

type FastEvaluate = (scope: Readonly<Record<string, unknown>>) => unknown;

const MAX_CACHED = 5_000;
const compiled = new Map<string, FastEvaluate | null>();

function isScalar(value: unknown): boolean {
  return value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function hasExtras(node: AstNode): boolean {
  return (
    node.predicate !== undefined ||
    node.stages !== undefined ||
    node.group !== undefined ||
    node.focus !== undefined ||
    node.index !== undefined ||
    node.tuple !== undefined ||
    node.keepArray !== undefined ||
    node.keepSingletonArray !== undefined
  );
}

/** JSONata never reads inherited members (`constructor`, `__proto__`): only own properties. */
function ownValue(container: object, key: string): unknown {
  return Object.hasOwn(container, key) ? (container as Record<string, unknown>)[key] : undefined;
}

function readPath(scope: Readonly<Record<string, unknown>>, root: string, path: readonly PathSegment[]): unknown {
  let current: unknown = ownValue(scope, root);
  for (const segment of path) {
    if (current === null || current === undefined) return undefined;
    if (typeof segment === 'number') {
      // On a non-array, JSONata treats the value as a one-item sequence: let it decide.
      if (!Array.isArray(current)) return FALLBACK;
      current = segment < current.length ? current[segment] : undefined;
    } else {
      if (Array.isArray(current)) return FALLBACK; // JSONata maps a name over an array
      if (typeof current !== 'object') return undefined;
      current = ownValue(current, segment);
    }
  }
  // Arrays flatten into JSONata sequences (a singleton becomes its item): let it decide.
  return Array.isArray(current) || typeof current === 'function' ? FALLBACK : current;
}

function isTruthyScalar(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== '' && value !== 0;
}

function compileNode(node: AstNode): FastEvaluate | null {
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value': {
      if (hasExtras(node)) return null;
      const literal = node.value;
      return () => literal;
    }
    case 'path': {
      const purePath = hasExtras(node) ? undefined : purePathOf(node);
      if (!purePath) return null;
      return (scope) => readPath(scope, purePath.root, purePath.path);
    }
    case 'binary': {
      const operator = node.value;
      const lhs = asNode(node.lhs);
      const rhs = asNode(node.rhs);
      if (hasExtras(node) || !lhs || !rhs) return null;
      const left = compileNode(lhs);
      const right = compileNode(rhs);
      if (!left || !right) return null;
      if (operator === '=' || operator === '!=') {
        return (scope) => {
          const a = left(scope);
          const b = right(scope);
          if (!isScalar(a) || !isScalar(b)) return FALLBACK;
          if (a === undefined || b === undefined) return false; // JSONata: any comparison with nothing is false
          return operator === '=' ? a === b : a !== b;
        };
      }
      if (operator === 'and' || operator === 'or') {
        return (scope) => {
          const a = left(scope);
          if (!isScalar(a)) return FALLBACK;
          if (operator === 'and' && !isTruthyScalar(a)) return false;
          if (operator === 'or' && isTruthyScalar(a)) return true;
          const b = right(scope);
          return isScalar(b) ? isTruthyScalar(b) : FALLBACK;
        };
      }
      return null;
    }
    default:
      return null;
  }
}

/** The value of `source` by the fast path, or `FALLBACK` when JSONata must evaluate it. */
export function evaluateFastPath(source: string, scope: Readonly<Record<string, unknown>>): unknown {
  let evaluate = compiled.get(source);
  if (evaluate === undefined) {
    const outcome = compileExpression(source);
    const ast = outcome.ok ? asNode(outcome.ast) : undefined;
    evaluate = ast ? compileNode(ast) : null;
    if (compiled.size >= MAX_CACHED) {
      const oldest = compiled.keys().next();
      if (!oldest.done) compiled.delete(oldest.value);
    }
    compiled.set(source, evaluate);
  }
  if (!evaluate) return FALLBACK;
  const value = evaluate(scope);
  return typeof value === 'number' && Number.isNaN(value) ? FALLBACK : value;
}
