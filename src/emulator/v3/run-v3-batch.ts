/**
 * The v3 `batch`: a bare JSON array of `{method, query, as?}` run in order, `{"$ref": "alias.path"}`
 * and `{"$refArray": "alias.field"}` resolved from earlier get/list results, all-or-nothing: the first
 * failure fails the batch and the task table is put back as it was (protocol.md §6).
 */
import type { AuthContext } from '../types.ts';
import { V3Error, validationError } from './v3-error.ts';
import { isRecord, type V3MethodSpec } from './v3-method.ts';

function readPath(value: unknown, path: string[]): unknown {
  let current = value;
  for (const part of path) {
    if (Array.isArray(current) && /^\d+$/.test(part)) current = current[Number(part)];
    else if (isRecord(current)) current = current[part];
    else return undefined;
  }
  return current;
}

function resolveRefs(value: unknown, aliases: Map<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveRefs(item, aliases));
  if (!isRecord(value)) return value;
  const single = value.$ref;
  const many = value.$refArray;
  if (typeof single === 'string' || typeof many === 'string') {
    const [alias = '', ...path] = String(single ?? many).split('.');
    if (!aliases.has(alias)) throw validationError('$ref', `Unknown batch alias \`${alias}\``);
    const result = aliases.get(alias);
    if (typeof single === 'string') return readPath(result, path);
    const items = readPath(result, ['items']);
    return Array.isArray(items) ? items.map((item) => readPath(item, path)) : [];
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveRefs(item, aliases)]));
}

export interface V3BatchCommand {
  method: string;
  query: Record<string, unknown>;
  as?: string;
}

export function readV3BatchCommands(body: unknown): V3BatchCommand[] {
  if (!Array.isArray(body)) throw new V3Error('INVALIDSELECTEXCEPTION', 'The v3 batch takes a JSON array of {"method", "query"}');
  return body.map((raw, index) => {
    if (!isRecord(raw) || typeof raw.method !== 'string') throw validationError(`[${index}].method`, 'Required field `method` is missing');
    const query = raw.query ?? {};
    if (!isRecord(query)) throw validationError(`[${index}].query`, 'The `query` field requires a `array` data type for this request');
    return { method: raw.method.toLowerCase(), query, ...(typeof raw.as === 'string' ? { as: raw.as } : {}) };
  });
}

export function runV3Batch(
  commands: V3BatchCommand[],
  auth: AuthContext,
  execute: (spec: V3MethodSpec | undefined, method: string, query: Record<string, unknown>) => Record<string, unknown>,
  table: ReadonlyMap<string, V3MethodSpec>,
): unknown[] {
  const tasks = auth.portal.tasks;
  const before = new Map([...tasks.values()].map((record) => [record.ID, record] as const));
  const aliases = new Map<string, unknown>();
  const results: unknown[] = [];
  try {
    for (const command of commands) {
      if (command.method === 'batch') throw new V3Error('INVALIDSELECTEXCEPTION', 'A batch cannot contain a batch');
      const spec = table.get(command.method);
      const result = execute(spec, command.method, resolveRefs(command.query, aliases) as Record<string, unknown>);
      if (command.as !== undefined && spec?.kind === 'read') aliases.set(command.as, result);
      results.push(result);
    }
  } catch (error) {
    for (const record of [...tasks.values()]) if (!before.has(record.ID)) tasks.delete(record.ID);
    for (const [id, record] of before) tasks.insert(id, record);
    throw error;
  }
  return results;
}
