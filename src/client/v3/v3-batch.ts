/**
 * The REST 3.0 batch: a bare JSON array of `{method, query, as}` (the name of each command is its
 * alias, so later commands can use `{"$ref": "name.item.id"}` or `{"$refArray": "name.id"}`), answered
 * with `result` as an array in the same order. All-or-nothing: one failing command fails the batch
 * and nothing of it stays executed, so results are all or none.
 */
import { B24ChainError } from '../../errors/index.ts';

export interface V3BatchCommand {
  method: string;
  params: Record<string, unknown>;
}

export function encodeV3Batch(commands: Readonly<Record<string, V3BatchCommand>>): Array<{ method: string; query: Record<string, unknown>; as: string }> {
  return Object.entries(commands).map(([name, command]) => {
    if (command.method.toLowerCase() === 'batch') {
      throw new B24ChainError(`batch: command ${name} is itself a batch (V3_NESTED_BATCH).`, {
        code: 'V3_NESTED_BATCH',
        hint: 'Put the commands in the one batch.',
      });
    }
    return { method: command.method, query: command.params, as: name };
  });
}

export function decodeV3BatchResults(names: readonly string[], result: unknown): Record<string, unknown> {
  if (!Array.isArray(result) || result.length !== names.length) {
    throw new B24ChainError(
      `batch: REST 3.0 answered ${Array.isArray(result) ? `${result.length} results for ${names.length} commands` : 'without a result array'} (V3_UNEXPECTED_BATCH_ANSWER).`,
      {
        code: 'V3_UNEXPECTED_BATCH_ANSWER',
        hint: 'The portal may not support the v3 batch yet: send the commands with version 2.',
      },
    );
  }
  return Object.fromEntries(names.map((name, index) => [name, result[index]]));
}
