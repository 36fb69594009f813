/**
 * Before anything whose outcome is unknown is re-sent, ask the portal (DESIGN.md §4): a CRM record
 * created with ORIGINATOR_ID + ORIGIN_ID is looked up by that natural key; updates set the same
 * values again, so re-sending them has no second effect; anything else stays unknown for the user
 * to decide (`chain resume RUN_ID --resolve ITEM=sent|not-sent`).
 */
import { naturalKeyParts } from '../store/index.ts';
import type { PortalClient } from '../client/index.ts';
import type { StepCommand } from './batch-answer.ts';

export interface SentWrite {
  /** Unique id of this write in the reconciliation (e.g. item key + sub-step). */
  id: string;
  method: string;
  params: unknown;
}

export type Reconciliation = { status: 'done'; result: unknown } | { status: 'not_sent' } | { status: 'unknown' };

const LEGACY_ADD = /^crm\.(lead|deal|contact|company)\.add$/;
const RESENDABLE = /^(crm\.(lead|deal|contact|company|item|activity)\.update|tasks\.task\.update|crm\.timeline\.comment\.update)$/;

interface Lookup {
  command: StepCommand;
  found(result: unknown): Reconciliation;
}

function firstRowId(rows: unknown, idField: string): unknown {
  const first = Array.isArray(rows) ? (rows[0] as Record<string, unknown> | undefined) : undefined;
  return first?.[idField];
}

/** The lookup that tells whether a write happened, `'resend'` for writes safe to repeat, or undefined. */
export function naturalKeyLookup(method: string, params: unknown): Lookup | undefined | 'resend' {
  const lower = method.toLowerCase();
  if (RESENDABLE.test(lower)) return 'resend';
  const parts = params !== null && typeof params === 'object' ? naturalKeyParts(lower, params as Record<string, unknown>) : undefined;
  // A key still holding a `$result[...]` reference was never rendered: it cannot be looked up.
  if (!parts || `${parts.originator}${parts.origin}`.includes('$result')) return undefined;
  const legacy = LEGACY_ADD.exec(lower);
  if (legacy) {
    const filter = { ...(parts.originator ? { '=ORIGINATOR_ID': parts.originator } : {}), '=ORIGIN_ID': parts.origin };
    return {
      command: { method: `crm.${legacy[1]}.list`, params: { filter, select: ['ID'], order: { ID: 'ASC' } } },
      found: (result) => {
        const id = firstRowId(result, 'ID');
        return id === undefined ? { status: 'not_sent' } : { status: 'done', result: Number(id) };
      },
    };
  }
  if (lower === 'crm.item.add' && parts.entityTypeId !== undefined) {
    const filter = { ...(parts.originator ? { '=originatorId': parts.originator } : {}), '=originId': parts.origin };
    return {
      command: { method: 'crm.item.list', params: { entityTypeId: parts.entityTypeId, filter, order: { id: 'ASC' } } },
      found: (result) => {
        const items = (result as { items?: unknown } | null)?.items;
        const first = Array.isArray(items) ? items[0] : undefined;
        return first === undefined ? { status: 'not_sent' } : { status: 'done', result: { item: first } };
      },
    };
  }
  return undefined;
}

export async function reconcileWrites(client: PortalClient, writes: SentWrite[], signal?: AbortSignal): Promise<Map<string, Reconciliation>> {
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
      const answered = answer.outcomes[`r${index}`];
      outcome.set(entry.write.id, answered?.status === 'done' ? entry.lookup.found(answered.result) : { status: 'unknown' });
    });
  }
  return outcome;
}
