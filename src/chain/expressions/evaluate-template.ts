/**
 * Evaluates `${{ }}` expressions and whole value templates against a scope:
 * `{ inputs, steps: { <id>: <step output> }, <item name>: item, <sub-step id>: { result } }`.
 * JSONata's `evaluate` is async; compilation is cached per source.
 */
import { ChainFileError } from '../../errors/chain-file-error.ts';
import { compileExpression } from './compile-expression.ts';
import type { ChainExpression, ValueTemplate } from './template-model.ts';

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

/** How an expression's value reads inside text: nothing for undefined/null, JSON for objects and arrays. */
export function stringifyForText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
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

/**
 * Renders a template into plain JSON: an exact expression gives its raw value; text with expressions
 * gives a string; object entries whose expression finds nothing are left out.
 */
export async function renderTemplate(template: ValueTemplate, scope: ExpressionScope): Promise<unknown> {
  switch (template.kind) {
    case 'literal':
      return template.value;
    case 'expression':
      return evaluateExpression(template.expression, scope);
    case 'text': {
      let text = '';
      for (const part of template.parts) {
        text += part.kind === 'literal' ? part.text : stringifyForText(await evaluateExpression(part.expression, scope));
      }
      return text;
    }
    case 'array': {
      const items: unknown[] = [];
      for (const item of template.items) {
        const value = await renderTemplate(item, scope);
        items.push(value === undefined ? null : value);
      }
      return items;
    }
    case 'object': {
      const result: Record<string, unknown> = {};
      for (const [key, valueTemplate] of template.entries) {
        const value = await renderTemplate(valueTemplate, scope);
        if (value !== undefined) result[key] = value;
      }
      return result;
    }
  }
}
