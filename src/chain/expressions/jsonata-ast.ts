/**
 * A loose, checked view of JSONata's AST, shared by the static analyser (`analyze-expression.ts`) and
 * the evaluator's fast path (`fast-path.ts`): every field is `unknown` and checked before use.
 */
import type { PathSegment } from './template-model.ts';

export interface AstNode {
  type?: unknown;
  value?: unknown;
  position?: unknown;
  steps?: unknown;
  stages?: unknown;
  predicate?: unknown;
  group?: unknown;
  expr?: unknown;
  expression?: unknown;
  expressions?: unknown;
  arguments?: unknown;
  procedure?: unknown;
  body?: unknown;
  lhs?: unknown;
  rhs?: unknown;
  condition?: unknown;
  then?: unknown;
  else?: unknown;
  terms?: unknown;
  pattern?: unknown;
  update?: unknown;
  delete?: unknown;
  focus?: unknown;
  index?: unknown;
  tuple?: unknown;
  keepArray?: unknown;
  keepSingletonArray?: unknown;
}

export function asNode(value: unknown): AstNode | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as AstNode) : undefined;
}

export function asNodes(value: unknown): AstNode[] {
  if (!Array.isArray(value)) return [];
  return value.map(asNode).filter((node): node is AstNode => node !== undefined);
}

/** Integer index of a filter stage (`[0]`), else undefined. */
export function integerIndexOf(stage: AstNode): number | undefined {
  if (stage.type !== 'filter') return undefined;
  const expression = asNode(stage.expr);
  if (expression?.type !== 'number') return undefined;
  const value = expression.value;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** A name step with nothing but integer indexes after it (`result`, `EMAIL[0]`). */
export function isPlainNameStep(step: AstNode): boolean {
  return (
    step.type === 'name' &&
    typeof step.value === 'string' &&
    step.focus === undefined &&
    step.index === undefined &&
    step.tuple === undefined &&
    step.keepArray === undefined &&
    step.group === undefined &&
    step.predicate === undefined &&
    asNodes(step.stages).every((stage) => integerIndexOf(stage) !== undefined)
  );
}

/** The static segments of one name step: its name, then its integer indexes up to the first filter. */
export function segmentsOfStep(step: AstNode): PathSegment[] {
  const segments: PathSegment[] = [String(step.value)];
  for (const stage of asNodes(step.stages)) {
    const index = integerIndexOf(stage);
    if (index === undefined) break;
    segments.push(index);
  }
  return segments;
}

/** `{root, path}` when the whole AST is a path of plain names and integer indexes (`contact.result.ID`). */
export function purePathOf(ast: AstNode): { root: string; path: PathSegment[] } | undefined {
  if (ast.type !== 'path' || ast.group !== undefined || ast.keepSingletonArray !== undefined) return undefined;
  const steps = asNodes(ast.steps);
  if (steps.length === 0 || !steps.every(isPlainNameStep)) return undefined;
  const segments = steps.flatMap(segmentsOfStep);
  const [root, ...path] = segments;
  return typeof root === 'string' ? { root, path } : undefined;
}
