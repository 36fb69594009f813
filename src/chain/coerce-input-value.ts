/** Input values: type checks for typed values and coercion of command-line text. Pure. */
import type { InputType } from './chain-model.ts';
import { describeJsonType } from './describe-pointer.ts';

/** Undefined when `value` is of `type`, else what is wrong ("is a string, not an integer"). */
export function checkInputValue(type: InputType, value: unknown): string | undefined {
  const matches =
    (type === 'string' && typeof value === 'string') ||
    (type === 'number' && typeof value === 'number' && Number.isFinite(value)) ||
    (type === 'integer' && typeof value === 'number' && Number.isInteger(value)) ||
    (type === 'boolean' && typeof value === 'boolean') ||
    (type === 'array' && Array.isArray(value)) ||
    (type === 'object' && typeof value === 'object' && value !== null && !Array.isArray(value));
  if (matches) return undefined;
  const article = type === 'array' || type === 'integer' || type === 'object' ? 'an' : 'a';
  return `is ${describeJsonType(value)}, not ${article} ${type}`;
}

const TRUE_WORDS = ['true', 'yes', 'y', '1', 'on'];
const FALSE_WORDS = ['false', 'no', 'n', '0', 'off'];

export type CoercedInput = { ok: true; value: unknown } | { ok: false; problem: string; hint: string };

/** Turns the text of `--input name=text` into a value of `type`. */
export function coerceInputText(type: InputType, text: string): CoercedInput {
  const trimmed = text.trim();
  switch (type) {
    case 'string':
      return { ok: true, value: text };
    case 'number': {
      const value = Number(trimmed);
      if (trimmed !== '' && Number.isFinite(value)) return { ok: true, value };
      return { ok: false, problem: `"${text}" is not a number`, hint: 'Pass a number such as 42 or 3.5.' };
    }
    case 'integer': {
      if (/^[+-]?\d+$/.test(trimmed) && Number.isSafeInteger(Number(trimmed))) return { ok: true, value: Number(trimmed) };
      return { ok: false, problem: `"${text}" is not an integer`, hint: 'Pass a whole number such as 42.' };
    }
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (TRUE_WORDS.includes(lower)) return { ok: true, value: true };
      if (FALSE_WORDS.includes(lower)) return { ok: true, value: false };
      return { ok: false, problem: `"${text}" is not a boolean`, hint: 'Pass true or false.' };
    }
    case 'array':
    case 'object': {
      let value: unknown;
      try {
        value = JSON.parse(trimmed);
      } catch {
        return {
          ok: false,
          problem: `"${text}" is not JSON`,
          hint: `Pass ${type === 'array' ? 'a JSON array such as ["a","b"]' : 'a JSON object such as {"a":1}'} (quote it for the shell).`,
        };
      }
      const problem = checkInputValue(type, value);
      return problem === undefined ? { ok: true, value } : { ok: false, problem: `"${text}" ${problem}`, hint: `Pass a JSON ${type}.` };
    }
  }
}
