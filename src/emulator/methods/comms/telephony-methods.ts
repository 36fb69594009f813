/**
 * External telephony (`telephony.externalCall.*`, scope `telephony`, application context only;
 * docs api-reference/telephony): `register` answers `{CALL_ID, CRM_CREATED_LEAD, CRM_CREATED_ENTITIES,
 * CRM_ENTITY_TYPE, CRM_ENTITY_ID}` and, as the docs describe, returns the existing CALL_ID when the same
 * PHONE_NUMBER, TYPE, USER_ID, LINE_NUMBER and EXTERNAL_CALL_ID were registered in the last 30 minutes;
 * `finish` closes the call into a statistics record (DURATION, STATUS_CODE, a CRM activity id), a second
 * finish answers the same record; `attachRecord` attaches the one recording of a finished call by
 * RECORD_URL or FILE_CONTENT (a second call replaces it; neither: an `uploadUrl` to post it to).
 */
import { phpIsoDate } from '../../envelope.ts';
import type { GenericRecord } from '../../state/portal-records.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { pickParamAnyCase, positiveInteger, textOf } from '../read-params.ts';
import { toInteger } from '../crm/crm-values.ts';

const CALLS = 'telephony.call';
const REREGISTER_WINDOW_MS = 30 * 60 * 1000;

function param(call: MethodCall, name: string): unknown {
  return pickParamAnyCase(call.params, name);
}

function core(description: string): RestError {
  return new RestError('ERROR_CORE', description);
}

function register(call: MethodCall): MethodResult {
  const userId = positiveInteger(param(call, 'USER_ID'));
  const inner = textOf(param(call, 'USER_PHONE_INNER')).trim();
  if (userId === undefined && inner === '') throw core('USER_ID or USER_PHONE_INNER should be set');
  if (userId !== undefined && call.portal.users.get(userId)?.ACTIVE !== true) throw core('User is not found or is not active');
  const type = toInteger(param(call, 'TYPE'));
  if (type === undefined || type < 1 || type > 5) throw core('Unknown TYPE');
  const phone = textOf(param(call, 'PHONE_NUMBER')).trim();
  if (!/^\+?[\d\s()-]{3,}$/.test(phone)) throw core('Unsupported phone number format');
  const start = textOf(param(call, 'CALL_START_DATE')).trim();
  if (start !== '' && Number.isNaN(Date.parse(start))) throw core('CALL_START_DATE should be in the ISO-8601 format');
  const line = textOf(param(call, 'LINE_NUMBER'));
  const externalId = textOf(param(call, 'EXTERNAL_CALL_ID'));
  const appId = call.auth.appId ?? '';
  const table = call.portal.genericTable(CALLS);
  const existing = [...table.values()].find(
    (row) =>
      row.APP_ID === appId &&
      row.PHONE_NUMBER === phone &&
      row.TYPE === type &&
      row.USER_ID === (userId ?? 0) &&
      row.LINE_NUMBER === line &&
      row.EXTERNAL_CALL_ID === externalId &&
      call.nowMs - Number(row.REGISTERED_AT) < REREGISTER_WINDOW_MS,
  );
  const entityType = textOf(param(call, 'CRM_ENTITY_TYPE')).toUpperCase();
  const entityId = positiveInteger(param(call, 'CRM_ENTITY_ID'));
  const row: GenericRecord = existing ?? {
    ID: table.allocateId(),
    CALL_ID: '',
    APP_ID: appId,
    USER_ID: userId ?? 0,
    PHONE_NUMBER: phone,
    TYPE: type,
    LINE_NUMBER: line,
    EXTERNAL_CALL_ID: externalId,
    CALL_START_DATE: start === '' ? phpIsoDate(call.nowMs) : start,
    REGISTERED_AT: call.nowMs,
    CRM_ENTITY_TYPE: ['CONTACT', 'COMPANY', 'LEAD'].includes(entityType) ? entityType : '',
    CRM_ENTITY_ID: entityId ?? null,
    FINISHED: false,
  };
  if (!existing) {
    row.CALL_ID = `externalCall.${call.portal.memberId.slice(0, 32).padEnd(32, '0')}.${Math.floor(call.nowMs / 1000)}${row.ID}`;
    table.insert(row.ID, row);
  }
  return {
    result: {
      CALL_ID: row.CALL_ID,
      CRM_CREATED_LEAD: null,
      CRM_CREATED_ENTITIES: [],
      CRM_ENTITY_TYPE: row.CRM_ENTITY_TYPE === '' ? null : row.CRM_ENTITY_TYPE,
      CRM_ENTITY_ID: row.CRM_ENTITY_ID,
    },
  };
}

function findCall(call: MethodCall): GenericRecord {
  const callId = textOf(param(call, 'CALL_ID')).trim();
  if (callId === '') throw new RestError('ERROR_ARGUMENT', 'CALL_ID is not set');
  const row = [...call.portal.genericTable(CALLS).values()].find((candidate) => candidate.CALL_ID === callId && candidate.APP_ID === (call.auth.appId ?? ''));
  if (!row) throw new RestError('ERROR_NOT_FOUND', 'Call is not found (call should be registered prior to finishing');
  return row;
}

function statistic(row: GenericRecord): Record<string, unknown> {
  return {
    ID: row.ID,
    CALL_ID: row.CALL_ID,
    PORTAL_USER_ID: row.USER_ID,
    PHONE_NUMBER: row.PHONE_NUMBER,
    CALL_TYPE: row.TYPE,
    CALL_DURATION: row.CALL_DURATION,
    CALL_START_DATE: row.CALL_START_DATE,
    CALL_FAILED_CODE: row.CALL_FAILED_CODE,
    CALL_FAILED_REASON: row.CALL_FAILED_REASON,
    COST: row.COST,
    COST_CURRENCY: row.COST_CURRENCY,
    CALL_RECORD_URL: row.RECORD_URL ?? '',
    CRM_ENTITY_TYPE: row.CRM_ENTITY_TYPE,
    CRM_ENTITY_ID: row.CRM_ENTITY_ID,
    CRM_ACTIVITY_ID: row.CRM_ACTIVITY_ID,
    EXTERNAL_CALL_ID: row.EXTERNAL_CALL_ID,
  };
}

function finish(call: MethodCall): MethodResult {
  const row = findCall(call);
  if (row.FINISHED === true) return { result: statistic(row) };
  const userId = positiveInteger(param(call, 'USER_ID'));
  if (userId === undefined) throw core('USER_ID or USER_PHONE_INNER should be set');
  const duration = toInteger(param(call, 'DURATION'));
  if (duration === undefined || duration < 0) throw new RestError('ERROR_ARGUMENT', 'DURATION is not set');
  const status = textOf(param(call, 'STATUS_CODE')).trim() || '200';
  const next: GenericRecord = {
    ...row,
    FINISHED: true,
    CALL_DURATION: duration,
    CALL_FAILED_CODE: status,
    CALL_FAILED_REASON: textOf(param(call, 'FAILED_REASON')),
    COST: Number(textOf(param(call, 'COST')) || 0),
    COST_CURRENCY: textOf(param(call, 'COST_CURRENCY')) || 'USD',
    CRM_ACTIVITY_ID: row.CRM_ENTITY_ID === null ? null : row.ID,
    ...(textOf(param(call, 'RECORD_URL')) === '' ? {} : { RECORD_URL: textOf(param(call, 'RECORD_URL')) }),
  };
  call.portal.genericTable(CALLS).insert(row.ID, next);
  return { result: statistic(next) };
}

function attachRecord(call: MethodCall): MethodResult {
  const row = findCall(call);
  const url = textOf(param(call, 'RECORD_URL')).trim();
  const content = textOf(param(call, 'FILE_CONTENT')).trim();
  const fileName = textOf(param(call, 'FILENAME')).trim();
  if (fileName === '') throw new RestError('ERROR_ARGUMENT', 'FILENAME is not set');
  if (!/\.(mp3|wav)$/i.test(fileName)) throw new RestError('ERROR_ARGUMENT', 'FILENAME should end with .mp3 or .wav');
  if (row.FINISHED !== true) throw new RestError('ERROR_NOT_FOUND', 'Call is not finished: call telephony.externalCall.finish first');
  if (url === '' && content === '')
    return { result: { uploadUrl: `https://${call.portal.domain}/rest/upload.json?call=${encodeURIComponent(String(row.CALL_ID))}`, fieldName: 'file' } };
  const fileId = Number(row.RECORD_FILE_ID ?? 0) || row.ID;
  call.portal.genericTable(CALLS).insert(row.ID, { ...row, RECORD_URL: url, RECORD_FILE_NAME: fileName, RECORD_FILE_ID: fileId });
  return { result: { FILE_ID: fileId } };
}

export function telephonyMethods(): MethodSpec[] {
  return [
    { name: 'telephony.externalcall.register', scope: 'telephony', kind: 'write', appOnly: true, handler: register },
    { name: 'telephony.externalcall.finish', scope: 'telephony', kind: 'write', appOnly: true, handler: finish },
    { name: 'telephony.externalcall.attachrecord', scope: 'telephony', kind: 'write', appOnly: true, handler: attachRecord },
  ];
}
