/**
 * A `for_each` batch on REST 3.0 (issue 13): when every command's method resolves to v3 (the step's
 * `version`, else the chain's `api_version`, else `auto`), the commands go as one v3 array batch, each
 * named by its `as` alias, with the same-batch references `$result[cmd][a][b]` rewritten to
 * `{"$ref": "cmd.a.b"}`. The batch carries an `Idempotency-Key` derived from the run, the step and
 * each command's item key and sub-step, so a re-send after a lost answer is replayed by the portal.
 * v3 batches are all or nothing: a failing command fails every command of the batch (nothing stayed
 * executed), so each of its items settles by its `on_error`.
 */
import type { ForEachStep } from '../chain/index.ts';
import { deriveIdempotencyKey, type PortalClient } from '../client/index.ts';
import { isBitrixApiError } from '../errors/index.ts';
import type { BatchAnswer } from './batch-answer.ts';
import type { CompiledItem } from './compile-item-commands.ts';

const WHOLE_REFERENCE = /^\$result\[([A-Za-z0-9_]+)\]((?:\[[^[\]]+\])*)$/;

/** The params with whole-value `$result[...]` references as `$ref`; undefined when a reference sits inside other text. */
export function toV3References(value: unknown): unknown {
  if (typeof value === 'string') {
    const match = WHOLE_REFERENCE.exec(value);
    if (match) {
      const path = [...(match[2] ?? '').matchAll(/\[([^[\]]+)\]/g)].map((segment) => segment[1]);
      return { $ref: [match[1], ...path].join('.') };
    }
    return value.includes('$result[') ? undefined : value;
  }
  if (Array.isArray(value)) {
    const items = value.map(toV3References);
    return items.some((item, index) => item === undefined && value[index] !== undefined) ? undefined : items;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => [key, toV3References(item), item] as const);
    if (entries.some(([, converted, original]) => converted === undefined && original !== undefined)) return undefined;
    return Object.fromEntries(entries.map(([key, converted]) => [key, converted]));
  }
  return value;
}

export interface V3ItemBatch {
  commands: Record<string, { method: string; params: Record<string, unknown> }>;
  idempotencyKey: string;
  /** The batch's items with only the commands sent now: a command reading a write of the same batch waits for the next round. */
  members: CompiledItem[];
}

/** The names of same-batch commands a command's params read (`$result[name]...`). */
export function referencedNames(params: unknown): string[] {
  return [...JSON.stringify(params ?? null).matchAll(/\$result\[([A-Za-z0-9_]+)\]/g)].map((match) => match[1] ?? '');
}

/**
 * The v3 form of a compiled batch, or undefined when it goes as a v2 `cmd` batch (a method not on v3,
 * a port without the v3 batch, a reference inside other text). Only get and list results can be
 * `$ref`-erenced on v3 (protocol.md §6): a command reading a write of the same batch, and the item's
 * later commands, are left to the next round, when the write's result is known.
 */
export function planV3ItemBatch(runId: string, step: ForEachStep, client: PortalClient, members: CompiledItem[]): V3ItemBatch | undefined {
  if (!client.batchV3 || !client.versionFor) return undefined;
  const commands: V3ItemBatch['commands'] = {};
  const identity: string[] = [runId, step.id];
  const writes = new Set<string>();
  const planned: CompiledItem[] = [];
  for (const member of members) {
    const sentNow: CompiledItem['commands'] = [];
    for (const command of member.commands) {
      if (client.versionFor(command.method, command.params, command.subStep.version) !== 3) return undefined;
      if (referencedNames(command.params).some((name) => writes.has(name))) break;
      const params = toV3References(command.params);
      if (params === undefined) return undefined;
      sentNow.push(command);
      if (command.subStep.risk !== 'read') writes.add(command.name);
    }
    for (const command of sentNow) {
      commands[command.name] = { method: command.method, params: toV3References(command.params) as Record<string, unknown> };
      identity.push(member.item.key, command.subStep.id);
    }
    planned.push({ ...member, commands: sentNow });
  }
  if (Object.keys(commands).length === 0) return undefined;
  return { commands, idempotencyKey: deriveIdempotencyKey(identity), members: planned };
}

/** Sends the v3 batch; a portal error (all or nothing) becomes that error on every command. */
export async function sendV3ItemBatch(client: PortalClient, batch: V3ItemBatch): Promise<BatchAnswer> {
  const send = client.batchV3;
  if (!send) throw new Error('sendV3ItemBatch: the client has no v3 batch');
  try {
    const { results } = await send.call(client, batch.commands, { idempotencyKey: batch.idempotencyKey });
    return { results, errors: {}, notExecuted: [] };
  } catch (error) {
    if (!isBitrixApiError(error)) throw error;
    const failure = { code: error.bitrixCode, message: error.description || error.message, retryable: error.retryable };
    return { results: {}, errors: Object.fromEntries(Object.keys(batch.commands).map((name) => [name, failure])), notExecuted: [] };
  }
}
