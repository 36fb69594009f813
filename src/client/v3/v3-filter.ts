/**
 * REST 3.0 filters: an array of conditions joined with AND, each `["field", "op", value]` or
 * `["field", value]` (`=`, or `in` for an array), and OR groups `{"logic": "or", "conditions": [...]}`.
 * Builders for code, and a check before sending so a malformed filter is reported by the client with
 * the position of the bad condition instead of a portal 400.
 */
import { B24ChainError } from '../../errors/index.ts';

export type V3Operator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'in' | 'between';
export type V3Condition = [string, V3Operator, unknown] | [string, unknown] | { logic: 'or'; conditions: V3Condition[] };

const OPERATORS = new Set<string>(['=', '!=', '>', '>=', '<', '<=', 'in', 'between']);

export function where(field: string, operator: V3Operator, value: unknown): V3Condition {
  return [field, operator, value];
}

export function anyOf(...conditions: V3Condition[]): V3Condition {
  return { logic: 'or', conditions };
}

function problemOf(condition: unknown, path: string): string | undefined {
  if (condition !== null && typeof condition === 'object' && !Array.isArray(condition)) {
    const group = condition as { logic?: unknown; conditions?: unknown };
    if (group.logic !== 'or' || !Array.isArray(group.conditions)) return `${path} is an object but not {"logic": "or", "conditions": [...]}`;
    for (const [index, inner] of group.conditions.entries()) {
      const problem = problemOf(inner, `${path}.conditions[${index}]`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (!Array.isArray(condition) || condition.length < 2 || condition.length > 3 || typeof condition[0] !== 'string')
    return `${path} must be ["field", "op", value] or ["field", value]`;
  if (condition.length === 3 && !OPERATORS.has(String(condition[1]).toLowerCase()))
    return `${path} uses the unknown operator ${JSON.stringify(condition[1])} (use = != > >= < <= in between)`;
  return undefined;
}

/** Throws `V3_INVALID_FILTER` naming the first bad condition. */
export function assertV3Filter(method: string, filter: unknown): void {
  if (filter === undefined) return;
  if (!Array.isArray(filter)) {
    throw new B24ChainError(`${method}: a REST 3.0 filter is an array of conditions, not ${JSON.stringify(filter).slice(0, 60)} (V3_INVALID_FILTER).`, {
      code: 'V3_INVALID_FILTER',
      hint: 'Write it as [["field", "op", value], ...], or call the method with version 2 for the {"FIELD": value} form.',
    });
  }
  for (const [index, condition] of filter.entries()) {
    const problem = problemOf(condition, `filter[${index}]`);
    if (problem !== undefined)
      throw new B24ChainError(`${method}: ${problem} (V3_INVALID_FILTER).`, {
        code: 'V3_INVALID_FILTER',
        hint: 'Fix the condition; operators are = != > >= < <= in between.',
      });
  }
}
