/**
 * The one evaluator of `${{ }}` expressions, against a scope:
 * `{ inputs, steps: { <id>: <step output> }, <item name>: item, <sub-step id>: { result } }`.
 * Paths, literals, `=`, `!=`, `and`, `or` on plain values take the synchronous fast path
 * (`fast-path.ts`); everything else is JSONata's async `evaluate`, compiled once per source.
 */
import { ChainFileError } from '../../errors/index.ts';
import { compileExpression } from './compile-expression.ts';
import { evaluateFastPath, FALLBACK } from './fast-path.ts';
import type { ChainExpression } from './template-model.ts';

export type ExpressionScope = Readonly<Record<string, unknown>>;

function evaluationError(expression: ChainExpression, detail: string, hint: string, cause?: unknown): ChainFileError {
  return new ChainFileError(
    {
      file: expression.file,
      line: expression.position.line,
      column: expression.position.column,
      pointer: expression.position.pointer,
      code: 'EXPRESSION_EVALUATION',
      detail,
      hint,
    },
    cause === undefined ? {} : { cause },
  );
}

/** JSONata returns sequences (arrays with extra flags); hand back plain JSON-like values. */
function toPlainValue(expression: ChainExpression, value: unknown): unknown {
  if (typeof value === 'function') {
    throw evaluationError(expression, `${expression.text} yields a function, not a value`, 'Call the function, e.g. "$f(x)".');
  }
  if (Array.isArray(value)) return Array.from(value, (element) => toPlainValue(expression, element));
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === null) {
    // Objects built by JSONata constructors have no prototype; hand back ordinary ones.
    const plain: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) {
      Object.defineProperty(plain, key, { value: toPlainValue(expression, entry), enumerable: true, writable: true, configurable: true });
    }
    return plain;
  }
  return value;
}

/** The raw value of one expression (undefined when a path finds nothing). */
export async function evaluateExpression(expression: ChainExpression, scope: ExpressionScope): Promise<unknown> {
  const fast = evaluateFastPath(expression.source, scope);
  if (fast !== FALLBACK) return fast;
  const outcome = compileExpression(expression.source);
  if (!outcome.ok) {
    throw evaluationError(expression, `${expression.text} is not a valid expression: ${outcome.problem.message}`, 'Fix the JSONata syntax.');
  }
  let value: unknown;
  try {
    value = await outcome.compiled.evaluate(scope);
  } catch (error) {
    const message = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
    throw evaluationError(expression, `${expression.text} failed: ${message}`, 'Check the names and types the expression uses.', error);
  }
  return toPlainValue(expression, value);
}

/** JSONata's boolean cast: empty strings, 0, null, empty arrays and objects are false. */
export function isTruthy(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.some(isTruthy);
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

export async function evaluateCondition(expression: ChainExpression, scope: ExpressionScope): Promise<boolean> {
  return isTruthy(await evaluateExpression(expression, scope));
}
