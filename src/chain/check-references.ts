/**
 * Checks what each expression reads against what exists where it is written: declared inputs,
 * earlier steps (and the fields their kind exposes), the current item, earlier sub-steps of the same
 * item, earlier commands of the same batch.
 */
import type { ChainFileProblem } from '../errors/index.ts';
import type { ChainDefinition, SourcePosition } from './chain-model.ts';
import { STEP_OUTPUT_FIELDS, SUB_STEP_OUTPUT_FIELDS } from './chain-model.ts';
import type { ChainExpression, ExpressionReference } from './expressions/template-model.ts';
import { suggestName, suggestionHint } from './suggest-name.ts';

/** `steps.leads.items[0].ID` */
function formatPath(root: string, path: readonly (string | number)[]): string {
  return root + path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`)).join('');
}

/** What names an expression may start from at one place in the chain. */
export interface ReferenceScope {
  /** Index of the top-level step the expression belongs to (steps.length for outputs). */
  stepIndex: number;
  /** The `for_each` item name, inside its `key` and `do`. */
  item?: string;
  /** Sub-step ids (or batch command names) of the enclosing step, in order, and the current one's index. */
  siblings?: { ids: readonly string[]; current: number; what: 'sub-step' | 'batch command' };
}

function positionOf(expression: ChainExpression, reference: ExpressionReference): SourcePosition {
  const start = expression.text.indexOf(expression.source);
  const before = expression.text.slice(0, Math.max(0, start) + reference.offset);
  if (start < 0 || before.includes('\n')) return expression.position;
  return { ...expression.position, column: expression.position.column + before.length };
}

export class ReferenceChecker {
  readonly problems: ChainFileProblem[] = [];
  private readonly stepIndexById = new Map<string, number>();
  private readonly subStepOwner = new Map<string, string>();
  private readonly inputNames: string[];

  constructor(private readonly chain: ChainDefinition) {
    chain.steps.forEach((step, index) => {
      if (!this.stepIndexById.has(step.id)) this.stepIndexById.set(step.id, index);
      if (step.kind === 'for_each') for (const subStep of step.do) this.subStepOwner.set(subStep.id, step.id);
    });
    this.inputNames = chain.inputs.map((input) => input.name);
  }

  private report(expression: ChainExpression, reference: ExpressionReference, code: string, detail: string, hint: string): void {
    const position = positionOf(expression, reference);
    this.problems.push({ file: this.chain.file, line: position.line, column: position.column, pointer: position.pointer, code, detail, hint });
  }

  /** Checks every certain reference of `expression` against `scope`. */
  check(expression: ChainExpression, scope: ReferenceScope): void {
    for (const reference of expression.analysis.references) {
      if (reference.uncertain) continue;
      this.checkReference(expression, reference, scope);
    }
  }

  private checkReference(expression: ChainExpression, reference: ExpressionReference, scope: ReferenceScope): void {
    const { root, path } = reference;
    const [first, second] = path;
    if (root === 'inputs') {
      if (typeof first === 'string' && !this.inputNames.includes(first)) {
        this.report(
          expression,
          reference,
          'INPUT_UNKNOWN',
          `${expression.text} reads input "${first}", which the chain does not declare`,
          `${suggestionHint(first, this.inputNames, 'inputs')} Declare it under "inputs:".`,
        );
      }
      return;
    }
    if (root === 'steps') {
      if (typeof first === 'string') this.checkStepReference(expression, reference, first, second, scope);
      return;
    }
    if (scope.item !== undefined && root === scope.item) return;
    if (scope.siblings?.ids.includes(root)) {
      this.checkSiblingReference(expression, reference, root, first, scope.siblings);
      return;
    }
    const available = ['inputs', 'steps', ...(scope.item === undefined ? [] : [scope.item]), ...(scope.siblings?.ids.slice(0, scope.siblings.current) ?? [])];
    const suggestion = suggestName(root, available);
    const hint = this.stepIndexById.has(root)
      ? `Step results are read through "steps": write "${formatPath('steps', [root, ...path])}".`
      : this.subStepOwner.has(root)
        ? `"${root}" is a sub-step of "${this.subStepOwner.get(root)}"; its result is only readable inside that for_each, by later sub-steps.`
        : `${suggestion === undefined ? '' : `Did you mean "${suggestion}"? `}Expressions here start from: ${available.join(', ')}.`;
    this.report(expression, reference, 'EXPRESSION_NAME_UNKNOWN', `${expression.text} reads "${root}", which is not defined here`, hint);
  }

  private checkStepReference(
    expression: ChainExpression,
    reference: ExpressionReference,
    id: string,
    field: string | number | undefined,
    scope: ReferenceScope,
  ): void {
    const index = this.stepIndexById.get(id);
    if (index === undefined) {
      const owner = this.subStepOwner.get(id);
      const hint =
        owner !== undefined
          ? `"${id}" is a sub-step of "${owner}": inside that for_each write "${id}.result"; outside it, use "steps.${owner}.count".`
          : suggestionHint(id, [...this.stepIndexById.keys()], 'steps');
      this.report(expression, reference, 'STEP_REF_UNKNOWN', `${expression.text} reads step "${id}", which does not exist`, hint);
      return;
    }
    if (index >= scope.stepIndex) {
      const detail =
        index === scope.stepIndex
          ? `${expression.text} reads step "${id}" from inside that same step`
          : `${expression.text} reads step "${id}", which runs later`;
      this.report(expression, reference, 'STEP_REF_LATER', detail, 'A step can only read steps above it: move the step, or read something else.');
      return;
    }
    const step = this.chain.steps[index];
    if (step && typeof field === 'string' && !STEP_OUTPUT_FIELDS[step.kind].includes(field)) {
      const fields = STEP_OUTPUT_FIELDS[step.kind];
      const suggestion = suggestName(field, fields);
      const hint =
        fields.length === 0
          ? `An ${step.kind} step has no result.`
          : `${suggestion === undefined ? '' : `Did you mean "${suggestion}"? `}A ${step.kind} step exposes: ${fields.join(', ')}.`;
      this.report(
        expression,
        reference,
        'STEP_FIELD_UNKNOWN',
        `${expression.text} reads "${field}" of ${step.kind} step "${id}", which has no such field`,
        hint,
      );
    }
  }

  private checkSiblingReference(
    expression: ChainExpression,
    reference: ExpressionReference,
    root: string,
    field: string | number | undefined,
    siblings: NonNullable<ReferenceScope['siblings']>,
  ): void {
    const index = siblings.ids.indexOf(root);
    if (index >= siblings.current) {
      const detail =
        index === siblings.current
          ? `${expression.text} reads ${siblings.what} "${root}" from inside itself`
          : `${expression.text} reads ${siblings.what} "${root}", which runs later`;
      this.report(expression, reference, 'STEP_REF_LATER', detail, `A ${siblings.what} can only read the ones above it.`);
      return;
    }
    if (typeof field === 'string' && !SUB_STEP_OUTPUT_FIELDS.includes(field)) {
      this.report(
        expression,
        reference,
        'STEP_FIELD_UNKNOWN',
        `${expression.text} reads "${field}" of ${siblings.what} "${root}", which has only "result"`,
        `Write "${root}.result.${field}" to read a field of its result.`,
      );
    }
  }
}
