/**
 * Reads the records a plan updates or deletes (`findPlanTargets`), up to 50 per `batch` request, and
 * keeps their modification time and a hash per field; before an execution, reads them again and
 * refuses the plan as stale, naming what changed, when any of them moved since planning (`PLAN_STALE`).
 */
import { RefusalError } from '../errors/index.ts';
import { classifyErrorCode } from '../protocol/index.ts';
import type { PortalClient } from '../client/index.ts';
import { valueHash, type PlanTarget } from '../store/index.ts';
import type { TargetReader } from './find-plan-targets.ts';

const commandsPerBatch = 50;

/** How many records one plan may name; a larger plan is refused (split it). */
export const maximumPlanTargets = 2000;

function recordAt(result: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  let value = result;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Each record as the portal has it now (undefined: the portal says it does not exist), in order. */
async function readRecords(client: PortalClient, readers: readonly TargetReader[], signal?: AbortSignal): Promise<Array<Record<string, unknown> | undefined>> {
  const records: Array<Record<string, unknown> | undefined> = [];
  for (let start = 0; start < readers.length; start += commandsPerBatch) {
    const chunk = readers.slice(start, start + commandsPerBatch);
    const commands = Object.fromEntries(chunk.map((reader, index) => [`t${index}`, { method: reader.readMethod, params: reader.readParams }]));
    const answer = await client.batch(commands, { halt: false, write: false, ...(signal === undefined ? {} : { signal }) });
    chunk.forEach((reader, index) => {
      const answered = answer.outcomes[`t${index}`];
      if (answered?.status === 'failed') {
        const error = { code: answered.error.bitrixCode, message: answered.error.description || answered.error.message };
        const category = classifyErrorCode(error.code, error.message).category;
        if (category === 'not-found' || category === 'argument') {
          records.push(undefined);
          return;
        }
        throw new RefusalError(
          `${reader.target}: could not be read to plan a change to it: ${error.code || 'error'} ${error.message}; no plan was made (TARGET_UNREADABLE).`,
          {
            code: 'TARGET_UNREADABLE',
            hint: 'Check the access of the webhook or app to this record, then ask again.',
            subject: reader.target,
          },
        );
      }
      if (answered?.status !== 'done') {
        throw new RefusalError(`${reader.target}: the portal did not read it; nothing was planned or sent (TARGET_UNREADABLE).`, {
          code: 'TARGET_UNREADABLE',
          hint: 'Try again.',
          subject: reader.target,
        });
      }
      records.push(recordAt(answered.result, reader.recordPath));
    });
  }
  return records;
}

function snapshot(reader: TargetReader, record: Record<string, unknown> | undefined): PlanTarget {
  const modified = record?.[reader.modifiedField];
  return {
    target: reader.target,
    readMethod: reader.readMethod,
    readParams: { ...reader.readParams },
    recordPath: [...reader.recordPath],
    modifiedField: reader.modifiedField,
    modifiedAt: record === undefined ? null : modified === undefined || modified === null ? '' : String(modified),
    fieldHashes: Object.fromEntries(Object.entries(record ?? {}).map(([field, value]) => [field, valueHash(value)])),
  };
}

/** Reads each target now, for the plan (each record once). Refuses more than `maximumPlanTargets`. */
export async function capturePlanTargets(client: PortalClient, readers: readonly TargetReader[], signal?: AbortSignal): Promise<PlanTarget[]> {
  const unique = [...new Map(readers.map((reader) => [reader.target, reader])).values()];
  if (unique.length > maximumPlanTargets) {
    throw new RefusalError(
      `plan: it would change ${unique.length} records, more than ${maximumPlanTargets} can be checked for staleness; nothing was planned (PLAN_TOO_LARGE).`,
      {
        code: 'PLAN_TOO_LARGE',
        hint: 'Narrow the chain inputs (a filter) and plan it in parts.',
        subject: 'plan',
      },
    );
  }
  const records = await readRecords(client, unique, signal);
  return unique.map((reader, index) => snapshot(reader, records[index]));
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
export async function checkPlanTargets(planId: string, client: PortalClient, planned: readonly PlanTarget[], signal?: AbortSignal): Promise<void> {
  if (planned.length === 0) return;
  const readers: TargetReader[] = planned.map((target) => ({
    target: target.target,
    readMethod: target.readMethod,
    readParams: target.readParams,
    modifiedField: target.modifiedField,
    recordPath: target.recordPath,
  }));
  const records = await readRecords(client, readers, signal);
  const changes = planned
    .map((target, index) => describeChange(target, snapshot(readers[index] as TargetReader, records[index])))
    .filter((change) => change !== undefined);
  if (changes.length === 0) return;
  const shown = changes.length > 10 ? [...changes.slice(0, 10), `and ${changes.length - 10} more`] : changes;
  throw new RefusalError(`plan ${planId}: stale, the records it changes moved since it was planned: ${shown.join('; ')}; nothing was sent (PLAN_STALE).`, {
    code: 'PLAN_STALE',
    hint: 'Read the records again and make a new plan; this one will not run.',
    subject: `plan ${planId}`,
    details: { changes },
  });
}
