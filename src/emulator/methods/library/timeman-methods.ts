/**
 * Work time (docs `api-reference/timeman/base/`): one workday per user, CLOSED until `timeman.open`,
 * OPENED until `timeman.close` (or `timeman.pause`, then PAUSED until `timeman.open` resumes it).
 * Each method answers the workday as `timeman.status` does: STATUS, TIME_START, TIME_FINISH (ATOM
 * dates), DURATION and TIME_LEAKS ("HH:MM:SS"), ACTIVE, IP/LAT/LON of opening and closing, TZ_OFFSET.
 * `TIME` must be today when opening and the day it opened when closing (WRONG_DATETIME); an unknown
 * USER_ID is "" "User not found"; closing a closed day changes nothing and answers its status.
 */
import { phpIsoDate } from '../../envelope.ts';
import type { GenericRecord } from '../../state/portal-records.ts';
import { RestError, type MethodCall, type MethodSpec } from '../../types.ts';
import { pickParam, positiveInteger, textOf } from '../read-params.ts';

function userOf(call: MethodCall): number {
  const raw = pickParam(call.params, 'USER_ID', 'user_id');
  const userId = raw === undefined ? call.auth.userId : positiveInteger(raw);
  if (userId === undefined || !call.portal.users.has(userId)) throw new RestError('', 'User not found', 400);
  return userId;
}

function dayOf(call: MethodCall, userId: number): GenericRecord {
  return (
    call.portal.genericTable('timeman.day').get(userId) ?? {
      ID: userId,
      STATUS: 'CLOSED',
      START_MS: null,
      FINISH_MS: null,
      LEAKS_S: 0,
      PAUSED_AT: null,
      LAT_OPEN: 0,
      LON_OPEN: 0,
      LAT_CLOSE: 0,
      LON_CLOSE: 0,
    }
  );
}

function clock(seconds: number): string {
  const two = (value: number): string => String(value).padStart(2, '0');
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}`;
}

function render(day: GenericRecord): Record<string, unknown> {
  const start = day.START_MS as number | null;
  const finish = day.FINISH_MS as number | null;
  const leaks = day.LEAKS_S as number;
  return {
    STATUS: day.STATUS,
    TIME_START: start === null ? null : phpIsoDate(start),
    TIME_FINISH: finish === null ? null : phpIsoDate(finish),
    DURATION: start !== null && finish !== null ? clock(Math.max(0, Math.floor((finish - start) / 1000) - leaks)) : '00:00:00',
    TIME_LEAKS: clock(leaks),
    ACTIVE: true,
    IP_OPEN: '',
    IP_CLOSE: '',
    LAT_OPEN: day.LAT_OPEN,
    LON_OPEN: day.LON_OPEN,
    LAT_CLOSE: day.LAT_CLOSE,
    LON_CLOSE: day.LON_CLOSE,
    TZ_OFFSET: 0,
  };
}

const dateOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The `TIME` parameter, or now; it must fall on `day` (today when opening, the opening day when closing). */
function timeOf(call: MethodCall, day: number, message: string): number {
  const raw = pickParam(call.params, 'TIME', 'time');
  if (raw === undefined || raw === '') return call.nowMs;
  const ms = Date.parse(textOf(raw));
  if (!Number.isFinite(ms) || dateOf(ms) !== dateOf(day)) throw new RestError('WRONG_DATETIME', message, 400);
  return ms;
}

function save(call: MethodCall, day: GenericRecord): { result: Record<string, unknown> } {
  call.portal.genericTable('timeman.day').insert(day.ID, day);
  return { result: render(day) };
}

function coordinate(call: MethodCall, name: string): number {
  const value = Number(pickParam(call.params, name) ?? 0);
  return Number.isFinite(value) ? value : 0;
}

export function timemanMethods(): MethodSpec[] {
  return [
    { name: 'timeman.status', scope: 'timeman', kind: 'read', handler: (call) => ({ result: render(dayOf(call, userOf(call))) }) },
    {
      name: 'timeman.open',
      scope: 'timeman',
      kind: 'write',
      handler: (call) => {
        const day = { ...dayOf(call, userOf(call)) };
        const at = timeOf(call, call.nowMs, 'Day open date should correspond to the current date');
        if (day.STATUS === 'PAUSED') {
          if (pickParam(call.params, 'TIME') !== undefined) throw new RestError('TIME', 'Unable to set time, work day is paused', 400);
          day.LEAKS_S = (day.LEAKS_S as number) + Math.floor((at - (day.PAUSED_AT as number)) / 1000);
          day.PAUSED_AT = null;
        } else if (day.STATUS === 'CLOSED') {
          day.START_MS = at;
          day.LEAKS_S = 0;
          day.LAT_OPEN = coordinate(call, 'LAT');
          day.LON_OPEN = coordinate(call, 'LON');
        }
        day.STATUS = 'OPENED';
        day.FINISH_MS = null;
        return save(call, day);
      },
    },
    {
      name: 'timeman.pause',
      scope: 'timeman',
      kind: 'write',
      handler: (call) => {
        const day = { ...dayOf(call, userOf(call)) };
        if (day.STATUS !== 'OPENED') throw new RestError('', 'Unable to pause the workday: it is not open', 400);
        day.STATUS = 'PAUSED';
        day.PAUSED_AT = call.nowMs;
        return save(call, day);
      },
    },
    {
      name: 'timeman.close',
      scope: 'timeman',
      kind: 'write',
      handler: (call) => {
        const day = { ...dayOf(call, userOf(call)) };
        if (day.STATUS === 'CLOSED') return { result: render(day) };
        const at = timeOf(call, day.START_MS as number, 'Day close date should correspond to the day open date');
        if (day.STATUS === 'PAUSED') day.LEAKS_S = (day.LEAKS_S as number) + Math.floor((at - (day.PAUSED_AT as number)) / 1000);
        day.STATUS = 'CLOSED';
        day.PAUSED_AT = null;
        day.FINISH_MS = Math.max(at, day.START_MS as number);
        day.LAT_CLOSE = coordinate(call, 'LAT');
        day.LON_CLOSE = coordinate(call, 'LON');
        return save(call, day);
      },
    },
  ];
}
