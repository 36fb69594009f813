/**
 * Values in a chain file may hold `${{ expression }}` templates (JSONata inside). A string that is
 * exactly one `${{ }}` yields the expression's raw value (a number stays a number, an object an
 * object); expressions embedded in longer text are stringified into it.
 */
import type { SourcePosition } from '../chain-model.ts';

/** One step of a static path: a field name or an array index. */
export type PathSegment = string | number;

/** A name an expression starts from (`inputs`, `steps`, the item, a sub-step), with the static path after it. */
export interface ExpressionReference {
  root: string;
  /** Field names and integer indexes after the root, up to the first dynamic part. */
  path: PathSegment[];
  /** Inside a lambda the context is not known statically: such references are not checked. */
  uncertain: boolean;
  /** 0-based character offset of the root in the expression source. */
  offset: number;
}

export interface ExpressionAnalysis {
  references: ExpressionReference[];
  /** Distinct root names the expression may read (references inside lambdas included). */
  roots: string[];
  /** Functions called (`$count` → `count`), built-in or bound in the expression. */
  functions: string[];
  /** Built-in functions that are not JSONata's and not bound in the expression. */
  unknownFunctions: string[];
  /** The expression reads the whole input (`*`, `**`, `$keys($)`...): its roots are not all known. */
  dynamic: boolean;
  /** Set when the whole expression is a path of names and integer indexes, e.g. `contact.result.ID`. */
  purePath?: { root: string; path: PathSegment[] };
}

/** One `${{ }}` occurrence in the chain file. */
export interface ChainExpression {
  /** The JSONata source between `${{` and `}}`, trimmed. */
  source: string;
  /** The whole occurrence as written, `${{ ... }}`. */
  text: string;
  /** The chain file, for errors raised when the expression is evaluated. */
  file: string;
  /** Where `${{` starts in the file. */
  position: SourcePosition;
  analysis: ExpressionAnalysis;
}

export type TemplatePart = { kind: 'literal'; text: string } | { kind: 'expression'; expression: ChainExpression };

export type ValueTemplate =
  /** Any JSON value without expressions. */
  | { kind: 'literal'; value: unknown }
  /** A string that is exactly one expression: the raw value. */
  | { kind: 'expression'; expression: ChainExpression }
  /** A string with text and expressions: always a string. */
  | { kind: 'text'; parts: TemplatePart[] }
  | { kind: 'array'; items: ValueTemplate[] }
  | { kind: 'object'; entries: Array<[string, ValueTemplate]> };

/** Every expression in a template, in document order. */
export function listTemplateExpressions(template: ValueTemplate): ChainExpression[] {
  switch (template.kind) {
    case 'literal':
      return [];
    case 'expression':
      return [template.expression];
    case 'text':
      return template.parts.flatMap((part) => (part.kind === 'expression' ? [part.expression] : []));
    case 'array':
      return template.items.flatMap(listTemplateExpressions);
    case 'object':
      return template.entries.flatMap(([, value]) => listTemplateExpressions(value));
  }
}

/** The literal JSON a template stands for when it holds no expression (else undefined). */
export function literalValueOf(template: ValueTemplate): { value: unknown } | undefined {
  return template.kind === 'literal' ? { value: template.value } : undefined;
}
