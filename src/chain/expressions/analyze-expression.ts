/**
 * Static analysis of a JSONata AST: which root names (and static paths under them) an expression
 * reads, which functions it calls, and whether it is a pure path (`contact.result.ID`) that the
 * runner can turn into a batch `$result[...]` reference. Pure function of the AST.
 */
import { asNode, asNodes, isPlainNameStep, purePathOf, segmentsOfStep, type AstNode } from './jsonata-ast.ts';
import type { ExpressionAnalysis, ExpressionReference, PathSegment } from './template-model.ts';

/** JSONata's built-in functions (`now` and `millis` are bound per evaluation). */
export const JSONATA_FUNCTIONS: ReadonlySet<string> = new Set(
  (
    'sum count max min average string substring substringBefore substringAfter lowercase uppercase length trim pad ' +
    'match contains replace split join formatNumber formatBase formatInteger parseInteger number floor ceil round abs ' +
    'sqrt power random boolean not map zip filter single reduce sift keys lookup append exists spread merge reverse ' +
    'each error assert type sort shuffle distinct base64encode base64decode encodeUrlComponent encodeUrl ' +
    'decodeUrlComponent decodeUrl eval toMillis fromMillis clone now millis'
  ).split(' '),
);

interface WalkState {
  references: ExpressionReference[];
  functions: Set<string>;
  boundVariables: Set<string>;
  dynamic: boolean;
}

interface Context {
  /** The context item is the expression's input (the scope), so a leading name is a root. */
  atRoot: boolean;
  inLambda: boolean;
}

/** Index of the first name step that is the root, or -1 (`$$.x` and, at the root, `$.x` count). */
function rootStepIndex(steps: AstNode[], context: Context): number {
  const first = steps[0];
  if (!first) return -1;
  if (first.type === 'name') return context.atRoot ? 0 : -1;
  const isRootVariable = first.type === 'variable' && (first.value === '$' || (first.value === '' && context.atRoot));
  if (isRootVariable && steps[1]?.type === 'name' && first.predicate === undefined && first.stages === undefined) return 1;
  return -1;
}

function walkPath(node: AstNode, state: WalkState, context: Context): void {
  const steps = asNodes(node.steps);
  const rootIndex = rootStepIndex(steps, context);
  const rootStep = steps[rootIndex];
  if (rootStep) {
    const path: PathSegment[] = segmentsOfStep(rootStep).slice(1);
    if (isPlainNameStep(rootStep)) {
      for (const step of steps.slice(rootIndex + 1)) {
        if (step.type !== 'name' || typeof step.value !== 'string') break;
        path.push(...segmentsOfStep(step));
        if (!isPlainNameStep(step)) break;
      }
    }
    const name = String(rootStep.value);
    const end = typeof rootStep.position === 'number' ? rootStep.position : name.length;
    state.references.push({ root: name, path, uncertain: context.inLambda, offset: Math.max(0, end - name.length) });
  }
  const relative: Context = { atRoot: false, inLambda: context.inLambda };
  steps.forEach((step, index) => {
    if (index < rootIndex) return;
    if (step.type === 'name') walkStepDecorations(step, state, relative);
    else walk(step, state, index === 0 ? context : relative);
  });
  walkGroup(node.group, state, relative);
}

/** Predicates, stages and grouping on a step are evaluated against the step's items, not the root. */
function walkStepDecorations(step: AstNode, state: WalkState, relative: Context): void {
  for (const stage of [...asNodes(step.stages), ...asNodes(step.predicate)]) walk(asNode(stage.expr), state, relative);
  walkGroup(step.group, state, relative);
}

function walkGroup(group: unknown, state: WalkState, relative: Context): void {
  const node = asNode(group);
  if (!node || !Array.isArray(node.lhs)) return;
  for (const pair of node.lhs) {
    for (const element of asNodes(pair)) walk(element, state, relative);
  }
}

function walk(node: AstNode | undefined, state: WalkState, context: Context): void {
  if (!node) return;
  switch (node.type) {
    case 'path':
      walkPath(node, state, context);
      return;
    case 'name':
      walkPath({ type: 'path', steps: [node] }, state, context);
      return;
    case 'wildcard':
    case 'descendant':
      if (context.atRoot) state.dynamic = true;
      break;
    case 'variable':
      if ((node.value === '' && context.atRoot) || node.value === '$') state.dynamic = true;
      break;
    case 'function':
    case 'partial': {
      const procedure = asNode(node.procedure);
      if (procedure?.type === 'variable' && typeof procedure.value === 'string') state.functions.add(procedure.value);
      else walk(procedure, state, context);
      for (const argument of asNodes(node.arguments)) walk(argument, state, context);
      break;
    }
    case 'lambda':
      for (const parameter of asNodes(node.arguments)) {
        if (typeof parameter.value === 'string') state.boundVariables.add(parameter.value);
      }
      walk(asNode(node.body), state, { atRoot: context.atRoot, inLambda: true });
      break;
    case 'bind': {
      const target = asNode(node.lhs);
      if (target && typeof target.value === 'string') state.boundVariables.add(target.value);
      walk(asNode(node.rhs), state, context);
      break;
    }
    case 'unary':
      if (node.value === '{' && Array.isArray(node.lhs)) {
        for (const pair of node.lhs) for (const element of asNodes(pair)) walk(element, state, context);
      }
      walk(asNode(node.expression), state, context);
      for (const element of asNodes(node.expressions)) walk(element, state, context);
      break;
    case 'sort':
      for (const term of asNodes(node.terms)) walk(asNode(term.expression), state, { atRoot: false, inLambda: context.inLambda });
      break;
    case 'transform':
      for (const part of [node.pattern, node.update, node.delete]) walk(asNode(part), state, { atRoot: false, inLambda: context.inLambda });
      break;
    default:
      for (const child of [node.lhs, node.rhs, node.condition, node.then, node.else, node.expression]) walk(asNode(child), state, context);
      for (const element of asNodes(node.expressions)) walk(element, state, context);
  }
  const relative: Context = { atRoot: false, inLambda: context.inLambda };
  for (const stage of [...asNodes(node.stages), ...asNodes(node.predicate)]) walk(asNode(stage.expr), state, relative);
  walkGroup(node.group, state, relative);
}

export function analyzeExpression(ast: unknown): ExpressionAnalysis {
  const state: WalkState = { references: [], functions: new Set(), boundVariables: new Set(), dynamic: false };
  const root = asNode(ast);
  walk(root, state, { atRoot: true, inLambda: false });
  const functions = [...state.functions];
  const roots = [...new Set(state.references.map((reference) => reference.root))];
  const purePath = root ? purePathOf(root) : undefined;
  return {
    references: state.references,
    roots,
    functions,
    unknownFunctions: functions.filter((name) => !JSONATA_FUNCTIONS.has(name) && !state.boundVariables.has(name)),
    dynamic: state.dynamic,
    ...(purePath ? { purePath } : {}),
  };
}

/** True when every root the expression reads is one of `names` (and it reads nothing dynamically). */
export function dependsOnlyOn(analysis: ExpressionAnalysis, names: readonly string[]): boolean {
  if (analysis.dynamic) return false;
  return analysis.roots.every((root) => names.includes(root));
}
