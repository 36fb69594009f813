/**
 * Before anything whose outcome is unknown is re-sent, ask the portal (DESIGN.md §4): a CRM record
 * created with ORIGINATOR_ID + ORIGIN_ID is looked up by that natural key; updates set the same
 * values again, so re-sending them has no second effect; anything else stays unknown for the user
 * to decide (`chain resume RUN_ID --resolve ITEM=sent|not-sent`).
 */
import type { BatchCommandInput, RunnerClient } from './runner-client.ts';

export interface SentWrite {
  /** Unique id of this write in the reconciliation (e.g. item key + sub-step). */
  id: string;
  method: string;
  params: unknown;
}

export type Reconciliation = { status: 'done'; result: unknown } | { status: 'not_sent' } | { status: 'unknown' };

const LEGACY_ADD = /^crm\.(lead|deal|contact|company)\.add$/;
const RESENDABLE = /^(crm\.(lead|deal|contact|company|item|activity)\.update|tasks\.task\.update|crm\.timeline\.comment\.update)$/;

function field(record: unknown, ...names: string[]): unknown {
  if (record === null || typeof record !== 'object') return undefined;
  for (const name of names) {
    const value = (record as Record<string, unknown>)[name];
    if (value !== undefined) return value;
  }
  return undefined;
}

function isLiteral(value: unknown): value is string | number {
  return (typeof value === 'string' && value !== '' && !value.includes('$result')) || typeof value === 'number';
}

interface Lookup {
  command: BatchCommandInput;
  found(result: unknown): Reconciliation;
}

/** The lookup that tells whether a write happened, or undefined when none exists. */
export function naturalKeyLookup(method: string, params: unknown): Lookup | undefined | 'resend' {
  const lower = method.toLowerCase();
  if (RESENDABLE.test(lower)) return 'resend';
  const fields = field(params, 'fields', 'FIELDS');
  const legacy = LEGACY_ADD.exec(lower);
  if (legacy) {
    const originator = field(fields, 'ORIGINATOR_ID', 'originator_id');
    const origin = field(fields, 'ORIGIN_ID', 'origin_id');
    if (!isLiteral(originator) || !isLiteral(origin)) return undefined;
    return {
      command: { method: `crm.${legacy[1]}.list`, params: { filter: { '=ORIGINATOR_ID': originator, '=ORIGIN_ID': origin }, select: ['ID'], order: { ID: 'ASC' } } },
      found: (result) => {
        const rows = Array.isArray(result) ? result : [];
        const id = field(rows[0], 'ID');
        return id === undefined ? { status: 'not_sent' } : { status: 'done', result: Number(id) };
      },
    };
  }
  if (lower === 'crm.item.add') {
    const originator = field(fields, 'originatorId', 'ORIGINATOR_ID');
    const origin = field(fields, 'originId', 'ORIGIN_ID');
    const entityTypeId = field(params, 'entityTypeId', 'ENTITY_TYPE_ID');
    if (!isLiteral(originator) || !isLiteral(origin) || !isLiteral(entityTypeId)) return undefined;
    return {
      command: { method: 'crm.item.list', params: { entityTypeId, filter: { '=originatorId': originator, '=originId': origin }, order: { id: 'ASC' } } },
      found: (result) => {
        const items = field(result, 'items');
        const first = Array.isArray(items) ? items[0] : undefined;
        return first === undefined ? { status: 'not_sent' } : { status: 'done', result: { item: first } };
      },
    };
  }
  return undefined;
}

export async function reconcileWrites(client: RunnerClient, writes: SentWrite[], signal?: AbortSignal): Promise<Map<string, Reconciliation>> {
  const outcome = new Map<string, Reconciliation>();
  const lookups: Array<{ write: SentWrite; lookup: Lookup }> = [];
  for (const write of writes) {
    const lookup = naturalKeyLookup(write.method, write.params);
    if (lookup === 'resend') outcome.set(write.id, { status: 'not_sent' });
    else if (lookup === undefined) outcome.set(write.id, { status: 'unknown' });
    else lookups.push({ write, lookup });
  }
  for (let start = 0; start < lookups.length; start += 50) {
    const chunk = lookups.slice(start, start + 50);
    const commands = Object.fromEntries(chunk.map((entry, index) => [`r${index}`, entry.lookup.command]));
    const answer = await client.batch(commands, { halt: false, ...(signal ? { signal } : {}) });
    chunk.forEach((entry, index) => {
      const name = `r${index}`;
      if (name in answer.results) outcome.set(entry.write.id, entry.lookup.found(answer.results[name]));
      else outcome.set(entry.write.id, { status: 'unknown' });
    });
  }
  return outcome;
}
