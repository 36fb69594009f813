/**
 * Reads the records a plan updates or deletes (`findPlanTargets`) and keeps their modification time
 * and a hash per field; before an execution, reads them again and refuses the plan as stale, naming
 * what changed, when any of them moved since planning (`PLAN_STALE`).
 */
import { isBitrixApiError } from '../errors/bitrix-api-error.ts';
import { RefusalError } from '../errors/refusal-error.ts';
import type { CallClient } from '../call/index.ts';
import { valueHash, type PlanTarget } from '../store/index.ts';
import type { TargetReader } from './find-plan-targets.ts';

function recordAt(result: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  let value = result;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The record as the portal has it now; undefined when the portal says it does not exist. */
async function readRecord(client: CallClient, reader: Pick<TargetReader, 'readMethod' | 'readParams'> & { recordPath?: readonly string[] }, signal?: AbortSignal): Promise<Record<string, unknown> | undefined> {
  try {
    const answer = await client.call(reader.readMethod, reader.readParams, signal === undefined ? {} : { signal });
    return recordAt(answer.result, reader.recordPath ?? []);
  } catch (error) {
    if (isBitrixApiError(error) && (error.category === 'not-found' || error.category === 'argument')) return undefined;
    throw error;
  }
}

function snapshot(reader: TargetReader, record: Record<string, unknown> | undefined): PlanTarget {
  const modified = record?.[reader.modifiedField];
  return {
    target: reader.target,
    readMethod: reader.readMethod,
    readParams: { ...reader.readParams, recordPath: [...reader.recordPath] },
    modifiedField: reader.modifiedField,
    modifiedAt: record === undefined ? null : modified === undefined || modified === null ? '' : String(modified),
    fieldHashes: Object.fromEntries(Object.entries(record ?? {}).map(([field, value]) => [field, valueHash(value)])),
  };
}

/** Reads each target now, for the plan. */
export async function capturePlanTargets(client: CallClient, readers: readonly TargetReader[], signal?: AbortSignal): Promise<PlanTarget[]> {
  const targets: PlanTarget[] = [];
  for (const reader of readers) targets.push(snapshot(reader, await readRecord(client, reader, signal)));
  return targets;
}

function describeChange(planned: PlanTarget, now: PlanTarget): string | undefined {
  if (planned.modifiedAt === null && now.modifiedAt === null) return undefined;
  if (now.modifiedAt === null) return `${planned.target} no longer exists`;
  if (planned.modifiedAt === null) return `${planned.target} did not exist when planned and exists now`;
  const fields = [...new Set([...Object.keys(planned.fieldHashes), ...Object.keys(now.fieldHashes)])]
    .filter((field) => field !== planned.modifiedField && planned.fieldHashes[field] !== now.fieldHashes[field])
    .sort();
  if (planned.modifiedAt === now.modifiedAt && fields.length === 0) return undefined;
  const when = planned.modifiedAt === now.modifiedAt ? '' : ` (${planned.modifiedField} ${planned.modifiedAt || '-'} → ${now.modifiedAt || '-'})`;
  return `${planned.target} changed${when}${fields.length === 0 ? '' : `: ${fields.slice(0, 10).join(', ')}${fields.length > 10 ? ` and ${fields.length - 10} more` : ''}`}`;
}

/** Refuses `PLAN_STALE` when a planned target changed since planning; reads only, writes nothing. */
export async function checkPlanTargets(planId: string, client: CallClient, planned: readonly PlanTarget[], signal?: AbortSignal): Promise<void> {
  const changes: string[] = [];
  for (const target of planned) {
    const { recordPath, ...readParams } = target.readParams as Record<string, unknown> & { recordPath?: string[] };
    const reader: TargetReader = { target: target.target, readMethod: target.readMethod, readParams, modifiedField: target.modifiedField, recordPath: recordPath ?? [] };
    const change = describeChange(target, snapshot(reader, await readRecord(client, reader, signal)));
    if (change !== undefined) changes.push(change);
  }
  if (changes.length === 0) return;
  throw new RefusalError(`plan ${planId}: stale, the records it changes moved since it was planned: ${changes.join('; ')}; nothing was sent (PLAN_STALE).`, {
    code: 'PLAN_STALE',
    hint: 'Read the records again and make a new plan; this one will not run.',
    subject: `plan ${planId}`,
    details: { changes },
  });
}
