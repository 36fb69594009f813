/** Splits a string into literal text and `${{ ... }}` occurrences (pure, no JSONata involved). */

export const EXPRESSION_OPEN = '${{';
export const EXPRESSION_CLOSE = '}}';

export type SplitPart =
  | { kind: 'literal'; text: string }
  | {
      kind: 'expression';
      /** The JSONata source between the delimiters, trimmed. */
      source: string;
      /** The occurrence as written. */
      text: string;
      /** Index of `${{` in the string. */
      start: number;
      /** How many `${{` came before this one in the string. */
      occurrence: number;
    };

export interface SplitProblem {
  /** Index of the offending `${{` in the string. */
  start: number;
  occurrence: number;
  code: 'EXPRESSION_UNCLOSED' | 'EXPRESSION_EMPTY';
  detail: string;
  hint: string;
}

export interface SplitTemplate {
  parts: SplitPart[];
  problems: SplitProblem[];
}

/**
 * Finds the `}}` closing the expression that starts at `from` (just after `${{`), skipping braces of
 * JSONata object constructors and anything inside string literals or backquoted names.
 * Returns the index of the closing `}}`, or -1.
 */
function findClose(text: string, from: number): number {
  let depth = 0;
  let index = from;
  while (index < text.length) {
    const character = text[index];
    if (character === '"' || character === "'" || character === '`') {
      index = skipQuoted(text, index, character);
      continue;
    }
    if (character === '{') depth += 1;
    else if (character === '}') {
      if (depth === 0 && text[index + 1] === '}') return index;
      depth = Math.max(0, depth - 1);
    }
    index += 1;
  }
  return -1;
}

/** Index just past the closing quote (or the end of the text when unterminated). */
function skipQuoted(text: string, start: number, quote: string): number {
  let index = start + 1;
  while (index < text.length) {
    const character = text[index];
    if (character === '\\' && quote !== '`') {
      index += 2;
      continue;
    }
    if (character === quote) return index + 1;
    index += 1;
  }
  return text.length;
}

export function splitTemplate(text: string): SplitTemplate {
  const parts: SplitPart[] = [];
  const problems: SplitProblem[] = [];
  let cursor = 0;
  let occurrence = 0;
  while (cursor < text.length) {
    const start = text.indexOf(EXPRESSION_OPEN, cursor);
    if (start < 0) break;
    if (start > cursor) parts.push({ kind: 'literal', text: text.slice(cursor, start) });
    const bodyStart = start + EXPRESSION_OPEN.length;
    const close = findClose(text, bodyStart);
    if (close < 0) {
      problems.push({
        start,
        occurrence,
        code: 'EXPRESSION_UNCLOSED',
        detail: 'expression opened with "${{" is never closed',
        hint: 'Close it with "}}".',
      });
      parts.push({ kind: 'literal', text: text.slice(start) });
      cursor = text.length;
      break;
    }
    const source = text.slice(bodyStart, close).trim();
    const written = text.slice(start, close + EXPRESSION_CLOSE.length);
    if (source === '') {
      problems.push({
        start,
        occurrence,
        code: 'EXPRESSION_EMPTY',
        detail: 'empty expression "${{ }}"',
        hint: 'Write a JSONata expression inside, e.g. "${{ inputs.status }}", or remove it.',
      });
    }
    parts.push({ kind: 'expression', source, text: written, start, occurrence });
    occurrence += 1;
    cursor = close + EXPRESSION_CLOSE.length;
  }
  if (cursor < text.length) parts.push({ kind: 'literal', text: text.slice(cursor) });
  return { parts, problems };
}

/** True when the string holds `${{` at all (cheap pre-check). */
export function containsExpression(text: string): boolean {
  return text.includes(EXPRESSION_OPEN);
}
