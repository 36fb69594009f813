/**
 * The one template renderer: turns a `ValueTemplate` into plain JSON for a scope. An exact expression
 * gives its raw value; text with expressions gives a string; object entries whose expression finds
 * nothing are left out. With `batchReferences`, reads of sub-steps sent in the same batch become
 * `$result[cmd][path]` text (protocol.md §4), and a read the portal could not substitute safely
 * makes the whole render answer `NOT_YET` (the command waits a round).
 */
import { batchReferenceFor, NOT_YET, type BatchReferences } from './batch-reference.ts';
import { evaluateExpression, type ExpressionScope } from './evaluate-expression.ts';
import type { ValueTemplate } from './template-model.ts';

export interface RenderOptions {
  batchReferences?: BatchReferences;
}

/** How an expression's value reads inside text: nothing for undefined/null, JSON for objects and arrays. */
export function stringifyForText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

export function renderTemplate(template: ValueTemplate, scope: ExpressionScope): Promise<unknown>;
export function renderTemplate(template: ValueTemplate, scope: ExpressionScope, options: RenderOptions): Promise<unknown | typeof NOT_YET>;
export async function renderTemplate(template: ValueTemplate, scope: ExpressionScope, options: RenderOptions = {}): Promise<unknown> {
  const references = options.batchReferences;
  switch (template.kind) {
    case 'literal':
      return template.value;
    case 'expression': {
      const reference = batchReferenceFor(template.expression, references);
      return reference === undefined ? evaluateExpression(template.expression, scope) : reference;
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
        text += stringifyForText(await evaluateExpression(part.expression, scope));
      }
      return text;
    }
    case 'array': {
      const items: unknown[] = [];
      for (const item of template.items) {
        const value = await renderTemplate(item, scope, options);
        if (value === NOT_YET) return NOT_YET;
        items.push(value === undefined ? null : value);
      }
      return items;
    }
    case 'object': {
      const result: Record<string, unknown> = {};
      for (const [key, valueTemplate] of template.entries) {
        const value = await renderTemplate(valueTemplate, scope, options);
        if (value === NOT_YET) return NOT_YET;
        if (value !== undefined) result[key] = value;
      }
      return result;
    }
  }
}
