/**
 * Splits named commands into requests of at most 50 (the portal's `BATCH_MAX_LENGTH`) without ever
 * separating commands that reference each other: such commands form one group, and a group travels
 * whole, its commands in their original order. Pure.
 */
import { InvalidRequestError } from '../errors/index.ts';
import { checkBatchReferences } from './batch-references.ts';
import type { BatchCommand } from './encode-batch-commands.ts';

export const BATCH_MAX_COMMANDS = 50;

type Named = readonly [string, BatchCommand];

function find(parent: Map<string, string>, name: string): string {
  let root = name;
  while (parent.get(root) !== root) root = parent.get(root) as string;
  let current = name;
  while (parent.get(current) !== root) {
    const next = parent.get(current) as string;
    parent.set(current, root);
    current = next;
  }
  return root;
}

export function splitBatch(commands: readonly Named[], maxPerRequest = BATCH_MAX_COMMANDS): Named[][] {
  const names = new Set<string>();
  for (const [name] of commands) {
    if (names.has(name)) {
      throw new InvalidRequestError({
        method: 'batch',
        code: 'BATCH_DUPLICATE_NAME',
        detail: `two commands are named "${name}"`,
        hint: 'Give every command of a batch its own name.',
      });
    }
    names.add(name);
  }
  const graph = checkBatchReferences(commands);
  const parent = new Map<string, string>(commands.map(([name]) => [name, name]));
  for (const [name, targets] of graph) {
    for (const target of targets) parent.set(find(parent, name), find(parent, target));
  }
  const groups = new Map<string, Named[]>();
  for (const named of commands) {
    const root = find(parent, named[0]);
    const group = groups.get(root);
    if (group) group.push(named);
    else groups.set(root, [named]);
  }
  const requests: Named[][] = [];
  let current: Named[] = [];
  for (const group of groups.values()) {
    if (group.length > maxPerRequest) {
      throw new InvalidRequestError({
        method: 'batch',
        code: 'BATCH_GROUP_TOO_LARGE',
        detail: `${group.length} commands (${group[0]?.[0]} ... ${group[group.length - 1]?.[0]}) reference each other, more than the ${maxPerRequest} one request can hold`,
        hint: 'A $result[...] reference only works inside one request: break the chain, or pass the values yourself between batches.',
      });
    }
    if (current.length + group.length > maxPerRequest) {
      requests.push(current);
      current = [];
    }
    current.push(...group);
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
