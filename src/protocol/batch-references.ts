/**
 * `$result[name][...]` references inside batch commands (protocol.md §4): found in any parameter
 * value, and checked so that each names an EARLIER command of the same request. The portal does not
 * fail an unresolvable reference; it silently substitutes the deepest value it found, so the client
 * must refuse such a batch before sending it. Pure.
 */
import { InvalidRequestError } from '../errors/index.ts';
import type { BatchCommand } from './encode-batch-commands.ts';

export interface BatchReference {
  /** `result`, `next`, `total`, `time` or `error`. */
  kind: string;
  /** The command referred to (first path segment). */
  name: string;
  /** The whole reference text, e.g. `$result[lead][ID]`. */
  text: string;
}

const REFERENCE = /\$(result|next|total|time|error)((?:\[[^\]\s]*\])*)/gi;

function collectStrings(value: unknown, into: string[]): void {
  if (typeof value === 'string') {
    if (value.includes('$')) into.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('$')) into.push(key);
      collectStrings(item, into);
    }
  }
}

/** Every reference in a command's parameters. */
export function findBatchReferences(command: BatchCommand): BatchReference[] {
  const strings: string[] = [];
  collectStrings(command.params, strings);
  const found: BatchReference[] = [];
  for (const text of strings) {
    for (const match of text.matchAll(REFERENCE)) {
      const path = match[2] ?? '';
      const first = /^\[([^\]]*)\]/.exec(path);
      found.push({ kind: (match[1] as string).toLowerCase(), name: first ? (first[1] as string) : '', text: match[0] });
    }
  }
  return found;
}

/**
 * For each command, the names it references; throws when a reference names no earlier command.
 * `commands` are in request order.
 */
export function checkBatchReferences(commands: ReadonlyArray<readonly [string, BatchCommand]>): Map<string, string[]> {
  const seen = new Set<string>();
  const all = new Set(commands.map(([name]) => name));
  const graph = new Map<string, string[]>();
  for (const [name, command] of commands) {
    const targets: string[] = [];
    for (const reference of findBatchReferences(command)) {
      if (!seen.has(reference.name)) {
        const later = all.has(reference.name);
        throw new InvalidRequestError({
          method: `batch command "${name}"`,
          code: later ? 'BATCH_REFERENCE_FORWARD' : 'BATCH_REFERENCE_UNKNOWN',
          detail: later
            ? `${reference.text} refers to "${reference.name}", which does not come before it`
            : `${reference.text} refers to "${reference.name}", which is not a command of this batch`,
          hint: 'A $result[...] reference must name an earlier command of the same batch; the portal would silently substitute another value.',
        });
      }
      if (!targets.includes(reference.name)) targets.push(reference.name);
    }
    graph.set(name, targets);
    seen.add(name);
  }
  return graph;
}
