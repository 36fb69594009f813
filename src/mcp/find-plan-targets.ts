/**
 * Which records a call updates or deletes, and how to read each one back with its modification time
 * (DESIGN.md §12, stale plans). Table-driven and pure; a batch contributes each of its commands.
 */
import { isBatchMethod, parseBatchCommands } from '../protocol/index.ts';

export interface TargetReader {
  /** e.g. `crm.lead 42`. */
  target: string;
  readMethod: string;
  readParams: Record<string, unknown>;
  modifiedField: string;
  /** The record inside the read method's `result`. */
  recordPath: readonly string[];
}

interface TargetRule {
  pattern: RegExp;
  build(match: RegExpMatchArray, params: Record<string, unknown>): TargetReader | undefined;
}

function param(params: Record<string, unknown>, ...names: string[]): unknown {
  for (const name of names) {
    const found = Object.entries(params).find(([key]) => key.toLowerCase() === name.toLowerCase());
    if (found !== undefined && found[1] !== undefined && found[1] !== null && found[1] !== '') return found[1];
  }
  return undefined;
}

function idOf(value: unknown): string | number | undefined {
  return typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value)) ? value : undefined;
}

const rules: readonly TargetRule[] = [
  {
    pattern: /^crm\.(lead|deal|contact|company|quote)\.(update|delete)$/i,
    build(match, params) {
      const id = idOf(param(params, 'id'));
      const entity = (match[1] ?? '').toLowerCase();
      return id === undefined
        ? undefined
        : { target: `crm.${entity} ${id}`, readMethod: `crm.${entity}.get`, readParams: { id }, modifiedField: 'DATE_MODIFY', recordPath: [] };
    },
  },
  {
    pattern: /^crm\.item\.(update|delete)$/i,
    build(_match, params) {
      const id = idOf(param(params, 'id'));
      const entityTypeId = idOf(param(params, 'entityTypeId'));
      return id === undefined || entityTypeId === undefined
        ? undefined
        : {
            target: `crm.item ${entityTypeId}/${id}`,
            readMethod: 'crm.item.get',
            readParams: { entityTypeId, id },
            modifiedField: 'updatedTime',
            recordPath: ['item'],
          };
    },
  },
  {
    pattern: /^crm\.activity\.(update|delete)$/i,
    build(_match, params) {
      const id = idOf(param(params, 'id'));
      return id === undefined
        ? undefined
        : { target: `crm.activity ${id}`, readMethod: 'crm.activity.get', readParams: { id }, modifiedField: 'LAST_UPDATED', recordPath: [] };
    },
  },
  {
    pattern: /^tasks\.task\.(update|delete)$/i,
    build(_match, params) {
      const id = idOf(param(params, 'taskId', 'id'));
      return id === undefined
        ? undefined
        : { target: `tasks.task ${id}`, readMethod: 'tasks.task.get', readParams: { taskId: id }, modifiedField: 'changedDate', recordPath: ['task'] };
    },
  },
];

function readerFor(method: string, params: Record<string, unknown>): TargetReader | undefined {
  for (const rule of rules) {
    const match = method.trim().match(rule.pattern);
    if (match) return rule.build(match, params);
  }
  return undefined;
}

/** The records `method` with `params` updates or deletes (each once), in call order. */
export function findPlanTargets(method: string, params: Record<string, unknown>): TargetReader[] {
  const calls = isBatchMethod(method)
    ? parseBatchCommands(params).map((command) => ({ method: command.method, params: command.params }))
    : [{ method, params }];
  const readers = new Map<string, TargetReader>();
  for (const call of calls) {
    const reader = readerFor(call.method, call.params);
    if (reader !== undefined && !readers.has(reader.target)) readers.set(reader.target, reader);
  }
  return [...readers.values()];
}
