/** Activity fields of `crm.activity.*`: how they are stored and returned (strings, ISO dates). */
import { phpIsoDate } from '../../envelope.ts';
import type { ResolveField } from '../../list/build-filter.ts';
import type { ActivityRecord } from '../../state/crm-state.ts';
import { parseDateInput, toFlag, toInteger } from './crm-values.ts';

type ActivityKind = 'integer' | 'string' | 'char' | 'datetime';

export const ACTIVITY_FIELDS: Record<string, ActivityKind> = {
  ID: 'integer',
  OWNER_ID: 'integer',
  OWNER_TYPE_ID: 'integer',
  TYPE_ID: 'integer',
  PROVIDER_ID: 'string',
  PROVIDER_TYPE_ID: 'string',
  ASSOCIATED_ENTITY_ID: 'integer',
  SUBJECT: 'string',
  CREATED: 'datetime',
  LAST_UPDATED: 'datetime',
  START_TIME: 'datetime',
  END_TIME: 'datetime',
  DEADLINE: 'datetime',
  COMPLETED: 'char',
  STATUS: 'integer',
  RESPONSIBLE_ID: 'integer',
  PRIORITY: 'integer',
  NOTIFY_TYPE: 'integer',
  NOTIFY_VALUE: 'integer',
  DESCRIPTION: 'string',
  DESCRIPTION_TYPE: 'integer',
  DIRECTION: 'integer',
  LOCATION: 'string',
  AUTHOR_ID: 'integer',
  EDITOR_ID: 'integer',
  ORIGINATOR_ID: 'string',
  ORIGIN_ID: 'string',
};

const READ_ONLY = new Set(['ID', 'CREATED', 'LAST_UPDATED', 'AUTHOR_ID', 'EDITOR_ID', 'PROVIDER_TYPE_ID']);

export function storeActivityFields(record: ActivityRecord, fields: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(fields)) {
    const kind = ACTIVITY_FIELDS[name];
    if (kind === undefined || READ_ONLY.has(name)) continue;
    if (kind === 'integer') record[name] = toInteger(value) ?? null;
    else if (kind === 'char') record[name] = toFlag(value);
    else if (kind === 'datetime') record[name] = value === '' || value === null ? null : (parseDateInput(value) ?? null);
    else record[name] = value === null || value === undefined ? null : String(value);
  }
}

/** Communications as the portal stores them: `{ID, TYPE, VALUE, ENTITY_ID, ENTITY_TYPE_ID}`. */
export function readCommunications(value: unknown, nextId: () => number): Array<Record<string, unknown>> {
  const list = Array.isArray(value) ? value : value !== null && typeof value === 'object' ? Object.values(value) : [];
  return list
    .filter((entry): entry is Record<string, unknown> => entry !== null && typeof entry === 'object')
    .map((entry) => ({
      ID: nextId(),
      TYPE: String(entry.TYPE ?? (String(entry.VALUE ?? '').includes('@') ? 'EMAIL' : 'PHONE')),
      VALUE: String(entry.VALUE ?? ''),
      ENTITY_ID: toInteger(entry.ENTITY_ID) ?? 0,
      ENTITY_TYPE_ID: toInteger(entry.ENTITY_TYPE_ID) ?? 0,
    }));
}

export function renderActivity(record: ActivityRecord, names: readonly string[]): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  for (const name of names) {
    const value = record[name];
    if (name === 'COMMUNICATIONS') {
      output[name] = ((value as Array<Record<string, unknown>> | undefined) ?? []).map((entry) =>
        Object.fromEntries(Object.entries(entry).map(([key, item]) => [key, typeof item === 'number' ? String(item) : item])),
      );
      continue;
    }
    const kind = ACTIVITY_FIELDS[name];
    if (value === null || value === undefined) output[name] = kind === 'datetime' ? '' : null;
    else if (kind === 'datetime') output[name] = phpIsoDate(value as number);
    else output[name] = String(value);
  }
  return output;
}

export const resolveActivityField: ResolveField<ActivityRecord> = (name) => {
  const upper = name.toUpperCase();
  if (ACTIVITY_FIELDS[upper] === undefined) return undefined;
  return { key: upper, read: (record) => record[upper] ?? null };
};
