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
export function subStepResultReferenceOf(expression: ChainExpression, earlierSubSteps: readonly string[]): SubStepResultReference | undefined {
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

/** Returned by `renderTemplate` when a command cannot be compiled into this round's batch. */
export const NOT_YET = Symbol('not-yet');

export interface BatchReferences {
  /** Sub-steps of this item sent in the same batch: id → command name. */
  scheduled: ReadonlyMap<string, string>;
  /** Ids of the sub-steps before the one being rendered. */
  earlier: readonly string[];
}

/**
 * The `$result[...]` text for an expression that reads a sub-step scheduled in the same batch,
 * `NOT_YET` when it reads one in a way the portal cannot substitute, undefined when it reads none.
 */
export function batchReferenceFor(expression: ChainExpression, references: BatchReferences | undefined): string | undefined | typeof NOT_YET {
  if (!references) return undefined;
  const touchesScheduled = expression.analysis.roots.some((root) => references.scheduled.has(root));
  if (!touchesScheduled) return undefined;
  const reference = subStepResultReferenceOf(expression, references.earlier);
  if (!reference) return NOT_YET;
  const commandName = references.scheduled.get(reference.step);
  return commandName === undefined ? NOT_YET : formatBatchReference(commandName, reference.path);
}
