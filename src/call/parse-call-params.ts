/** `--params JSON` → the call's parameters, or a refusal (exit 2) that says where the JSON breaks. */
import { RefusalError } from '../errors/index.ts';
import { locateJsonError } from './locate-json-error.ts';

const example = `Pass one JSON object, e.g. --params '{"id": 5}' (single quotes around it in a shell).`;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Parses `--params`. Absent or blank means `{}`. Not JSON → `PARAMS_INVALID_JSON` naming line, column
 * and offset (never the values); JSON that is not an object → `PARAMS_NOT_OBJECT`.
 */
export function parseCallParams(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const location = locateJsonError(text);
    const where = location === undefined ? 'somewhere' : `at line ${location.line}, column ${location.column} (offset ${location.offset}): ${location.problem}`;
    throw new RefusalError(`--params: not valid JSON ${where} (PARAMS_INVALID_JSON).`, {
      code: 'PARAMS_INVALID_JSON',
      hint: example,
      subject: '--params',
      details: location === undefined ? {} : { line: location.line, column: location.column, offset: location.offset, problem: location.problem },
      cause: error,
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new RefusalError(`--params: expected a JSON object, got ${kindOf(parsed)} (PARAMS_NOT_OBJECT).`, {
      code: 'PARAMS_NOT_OBJECT',
      hint: `${example} Positional legacy methods take {"0": 123, "1": {...}}.`,
      subject: '--params',
    });
  }
  return parsed as Record<string, unknown>;
}
