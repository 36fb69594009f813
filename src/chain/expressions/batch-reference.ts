/**
 * A reference to an earlier sub-step of the same item (`${{ contact.result.ID }}`) can travel inside
 * the same batch request as `$result[cmdName][ID]` (protocol.md §4), saving a round trip.
 */
import type { ChainExpression, PathSegment } from './template-model.ts';

export interface SubStepResultReference {
  /** The earlier sub-step's id. */
  step: string;
  /** The path inside its result (empty for the whole result). */
  path: PathSegment[];
}

/**
 * When the expression is exactly a path into an earlier sub-step's `result` (names and integer
 * indexes only), the sub-step and path; otherwise undefined (the command must wait for a later round).
 */
export function subStepResultReferenceOf(
  expression: ChainExpression,
  earlierSubSteps: readonly string[],
): SubStepResultReference | undefined {
  const purePath = expression.analysis.purePath;
  if (!purePath || !earlierSubSteps.includes(purePath.root)) return undefined;
  const [field, ...path] = purePath.path;
  if (field !== 'result') return undefined;
  if (path.some((segment) => typeof segment === 'string' && !isBatchPathSafe(segment))) return undefined;
  return { step: purePath.root, path };
}

/** A segment the portal's `[segment]` syntax can carry: no brackets, no whitespace, no `$`. */
function isBatchPathSafe(segment: string): boolean {
  return segment.length > 0 && !/[[\]\s$&=?#]/.test(segment);
}

/** `$result[cmd][ID][0]`: the batch reference to a command's result, or a path inside it. */
export function formatBatchReference(commandName: string, path: readonly PathSegment[] = []): string {
  return `$result[${commandName}]${path.map((segment) => `[${segment}]`).join('')}`;
}
