/**
 * Turns a JSON value from a chain file into a `ValueTemplate`: every `${{ }}` compiled once (cached),
 * analysed, and positioned at its `${{` in the file. Syntax problems are reported, never thrown.
 */
import type { ChainFileProblem } from '../../errors/index.ts';
import type { SourcePosition } from '../chain-model.ts';
import { toPointer, fromPointer } from '../source-index.ts';
import { analyzeExpression } from './analyze-expression.ts';
import { compileExpression } from './compile-expression.ts';
import { containsExpression, splitTemplate } from './split-template.ts';
import type { ChainExpression, ExpressionAnalysis, TemplatePart, ValueTemplate } from './template-model.ts';

/** Functions refused in chain expressions: `$eval` runs text as code and defeats static checks. */
export const FORBIDDEN_FUNCTIONS: ReadonlySet<string> = new Set(['eval']);

export interface TemplateContext {
  file: string;
  expressionPosition(pointer: string, occurrence: number): SourcePosition;
  report(problem: ChainFileProblem): void;
}

const EMPTY_ANALYSIS: ExpressionAnalysis = { references: [], roots: [], functions: [], unknownFunctions: [], dynamic: false };

function reportAt(context: TemplateContext, position: SourcePosition, code: string, detail: string, hint: string): void {
  context.report({ file: context.file, line: position.line, column: position.column, pointer: position.pointer, code, detail, hint });
}

function buildExpression(source: string, text: string, position: SourcePosition, context: TemplateContext): ChainExpression {
  const outcome = compileExpression(source);
  if (!outcome.ok) {
    const at = outcome.problem.offset === undefined ? '' : ` (at character ${outcome.problem.offset} of the expression)`;
    reportAt(
      context,
      position,
      'EXPRESSION_SYNTAX',
      `${text} is not a valid expression: ${outcome.problem.message}${at}`,
      'Fix the JSONata syntax (https://docs.jsonata.org).',
    );
    return { source, text, file: context.file, position, analysis: EMPTY_ANALYSIS };
  }
  const analysis = analyzeExpression(outcome.ast);
  for (const name of analysis.functions.filter((functionName) => FORBIDDEN_FUNCTIONS.has(functionName))) {
    reportAt(
      context,
      position,
      'EXPRESSION_FUNCTION_FORBIDDEN',
      `${text} calls $${name}, which chain expressions may not use`,
      'Write the expression directly instead of building it as text.',
    );
  }
  for (const name of analysis.unknownFunctions.filter((functionName) => !FORBIDDEN_FUNCTIONS.has(functionName))) {
    reportAt(
      context,
      position,
      'EXPRESSION_FUNCTION_UNKNOWN',
      `${text} calls $${name}, which is not a JSONata function`,
      'Use a JSONata built-in such as $string, $count, $lowercase (https://docs.jsonata.org).',
    );
  }
  return { source, text, file: context.file, position, analysis };
}

/**
 * The template of one string: literal when it holds no `${{`; the raw value when it is exactly one
 * expression (surrounding whitespace ignored); text otherwise.
 */
export function buildStringTemplate(text: string, pointer: string, context: TemplateContext): ValueTemplate {
  if (!containsExpression(text)) return { kind: 'literal', value: text };
  const split = splitTemplate(text);
  for (const problem of split.problems) {
    reportAt(context, context.expressionPosition(pointer, problem.occurrence), problem.code, problem.detail, problem.hint);
  }
  const parts: TemplatePart[] = [];
  for (const part of split.parts) {
    if (part.kind === 'literal') {
      parts.push(part);
      continue;
    }
    if (part.source === '') continue;
    const position = context.expressionPosition(pointer, part.occurrence);
    parts.push({ kind: 'expression', expression: buildExpression(part.source, part.text, position, context) });
  }
  const expressions = parts.filter((part) => part.kind === 'expression');
  const onlyWhitespaceAround = parts.every((part) => part.kind === 'expression' || part.text.trim() === '');
  const [only] = expressions;
  if (expressions.length === 1 && only?.kind === 'expression' && onlyWhitespaceAround) return { kind: 'expression', expression: only.expression };
  if (parts.every((part) => part.kind === 'literal'))
    return { kind: 'literal', value: parts.map((part) => (part.kind === 'literal' ? part.text : '')).join('') };
  return { kind: 'text', parts };
}

/** The template of any JSON value at `pointer`; subtrees without expressions collapse into literals. */
export function buildTemplate(value: unknown, pointer: string, context: TemplateContext): ValueTemplate {
  if (typeof value === 'string') return buildStringTemplate(value, pointer, context);
  if (Array.isArray(value)) {
    const items = value.map((item, index) => buildTemplate(item, `${pointer}/${index}`, context));
    return items.every((item) => item.kind === 'literal') ? { kind: 'literal', value } : { kind: 'array', items };
  }
  if (typeof value === 'object' && value !== null) {
    const base = fromPointer(pointer);
    const entries = Object.entries(value).map(([key, entry]): [string, ValueTemplate] => [key, buildTemplate(entry, toPointer([...base, key]), context)]);
    return entries.every(([, entry]) => entry.kind === 'literal') ? { kind: 'literal', value } : { kind: 'object', entries };
  }
  return { kind: 'literal', value };
}
