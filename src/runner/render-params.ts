/**
 * Renders a step's parameters for one item. References to earlier sub-steps of the same item that
 * travel in the same batch become `$result[cmd][path]` text (protocol.md §4); everything else is
 * evaluated. A reference the portal could not substitute safely makes the command wait a round.
 */
import { formatBatchReference, subStepResultReferenceOf } from '../chain/expressions/batch-reference.ts';
import { evaluateExpression, isTruthy, stringifyForText, type ExpressionScope } from '../chain/expressions/evaluate-template.ts';
import { evaluateSimple, FALLBACK } from './simple-expression.ts';
import type { ChainExpression, ValueTemplate } from '../chain/expressions/template-model.ts';

/** Returned when a command cannot be compiled into this round's batch. */
export const NOT_YET = Symbol('not-yet');

export interface BatchReferences {
  /** Sub-steps of this item sent in the same batch: id → command name. */
  scheduled: ReadonlyMap<string, string>;
  /** Ids of the sub-steps before the one being rendered. */
  earlier: readonly string[];
}

/** Pure paths are resolved directly (no JSONata): the hot path of a for_each over many rows. */
function resolvePurePath(expression: ChainExpression, scope: ExpressionScope): { value: unknown } | undefined {
  const purePath = expression.analysis.purePath;
  if (!purePath) return undefined;
  let current: unknown = scope[purePath.root];
  for (const segment of purePath.path) {
    if (current === null || current === undefined) return { value: undefined };
    if (Array.isArray(current)) {
      if (typeof segment !== 'number') return undefined; // JSONata maps over arrays: let it decide
      current = current[segment < 0 ? current.length + segment : segment];
    } else if (typeof current === 'object') {
      current = (current as Record<string, unknown>)[String(segment)];
    } else {
      return { value: undefined };
    }
  }
  if (Array.isArray(current)) return undefined;
  return { value: current };
}

export async function evaluateFast(expression: ChainExpression, scope: ExpressionScope): Promise<unknown> {
  const direct = resolvePurePath(expression, scope);
  if (direct) return direct.value;
  const simple = evaluateSimple(expression, scope);
  return simple === FALLBACK ? evaluateExpression(expression, scope) : simple;
}

/** JSONata's boolean of a condition, by the fast path when it can. */
export async function conditionFast(expression: ChainExpression, scope: ExpressionScope): Promise<boolean> {
  return isTruthy(await evaluateFast(expression, scope));
}

function batchReferenceFor(expression: ChainExpression, references: BatchReferences | undefined): string | undefined | typeof NOT_YET {
  if (!references) return undefined;
  const roots = expression.analysis.roots;
  const touchesScheduled = roots.some((root) => references.scheduled.has(root));
  if (!touchesScheduled) return undefined;
  const reference = subStepResultReferenceOf(expression, references.earlier);
  if (!reference) return NOT_YET;
  const commandName = references.scheduled.get(reference.step);
  return commandName === undefined ? NOT_YET : formatBatchReference(commandName, reference.path);
}

export async function renderParams(template: ValueTemplate, scope: ExpressionScope, references?: BatchReferences): Promise<unknown | typeof NOT_YET> {
  switch (template.kind) {
    case 'literal':
      return template.value;
    case 'expression': {
      const reference = batchReferenceFor(template.expression, references);
      if (reference !== undefined) return reference;
      return evaluateFast(template.expression, scope);
    }
    case 'text': {
      let text = '';
      for (const [index, part] of template.parts.entries()) {
        if (part.kind === 'literal') {
          text += part.text;
          continue;
        }
        const reference = batchReferenceFor(part.expression, references);
        if (reference === NOT_YET) return NOT_YET;
        if (reference !== undefined) {
          // The portal's pattern `$result(\S*)` swallows the rest of a word: only safe before
          // whitespace or at the end of the text.
          const next = template.parts[index + 1];
          if (next && (next.kind !== 'literal' || !/^\s/.test(next.text))) return NOT_YET;
          text += reference;
          continue;
        }
        text += stringifyForText(await evaluateFast(part.expression, scope));
      }
      return text;
    }
    case 'array': {
      const items: unknown[] = [];
      for (const item of template.items) {
        const value = await renderParams(item, scope, references);
        if (value === NOT_YET) return NOT_YET;
        items.push(value === undefined ? null : value);
      }
      return items;
    }
    case 'object': {
      const result: Record<string, unknown> = {};
      for (const [key, valueTemplate] of template.entries) {
        const value = await renderParams(valueTemplate, scope, references);
        if (value === NOT_YET) return NOT_YET;
        if (value !== undefined) result[key] = value;
      }
      return result;
    }
  }
}
