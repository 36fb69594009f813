/**
 * Automation robots (`bizproc.robot.*`, scope `bizproc`, application context; docs
 * api-reference/bizproc/bizproc-robot): a robot belongs to the application that added it and is known
 * by its CODE. `add` needs HANDLER (a URL) and NAME and refuses a CODE the application has
 * (ERROR_ACTIVITY_ALREADY_INSTALLED); `update` takes CODE and FIELDS; `list` answers the codes; writes
 * answer true.
 */
import type { GenericRecord } from '../../state/portal-records.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { asPhpArray, isPlainObject, pickParamAnyCase, textOf } from '../read-params.ts';

const ROBOTS = 'bizproc.robot';

function param(call: MethodCall, name: string): unknown {
  return pickParamAnyCase(call.params, name);
}

function appOf(call: MethodCall): string {
  return call.auth.appId ?? `webhook:${call.auth.credentialKey}`;
}

function robotOf(call: MethodCall, code: string): GenericRecord | undefined {
  return [...call.portal.genericTable(ROBOTS).values()].find((robot) => robot.APP_ID === appOf(call) && robot.CODE === code);
}

function readRobotFields(source: Record<string, unknown>, partial: boolean): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const upper = Object.fromEntries(Object.entries(source).map(([key, value]) => [key.toUpperCase(), value]));
  for (const key of [
    'HANDLER',
    'AUTH_USER_ID',
    'USE_SUBSCRIPTION',
    'NAME',
    'DESCRIPTION',
    'PROPERTIES',
    'RETURN_PROPERTIES',
    'DOCUMENT_TYPE',
    'FILTER',
    'USE_PLACEMENT',
    'PLACEMENT_HANDLER',
  ]) {
    if (upper[key] !== undefined) fields[key] = upper[key];
  }
  if (fields.HANDLER !== undefined) {
    const handler = textOf(fields.HANDLER);
    if (!/^https?:\/\/[^\s/]+/i.test(handler)) throw new RestError('ERROR_WRONG_HANDLER_URL', 'Wrong handler URL');
  } else if (!partial) {
    throw new RestError('ERROR_EMPTY_HANDLER', 'Empty handler URL');
  }
  if (!partial && (fields.NAME === undefined || (isPlainObject(fields.NAME) ? Object.keys(fields.NAME).length === 0 : textOf(fields.NAME) === ''))) {
    throw new RestError('ERROR_EMPTY_NAME', 'Empty activity name');
  }
  return fields;
}

function readCode(call: MethodCall): string {
  const code = textOf(param(call, 'CODE')).trim();
  if (code === '') throw new RestError('ERROR_ACTIVITY_CODE', 'Empty activity code');
  if (!/^[a-z0-9._-]+$/i.test(code)) throw new RestError('ERROR_ACTIVITY_CODE', 'Wrong activity code');
  return code;
}

function robotAdd(call: MethodCall): MethodResult {
  const code = readCode(call);
  if (robotOf(call, code)) throw new RestError('ERROR_ACTIVITY_ALREADY_INSTALLED', 'Activity or Robot already installed!');
  const fields = readRobotFields(call.params, false);
  const table = call.portal.genericTable(ROBOTS);
  const id = table.allocateId();
  table.insert(id, { ID: id, APP_ID: appOf(call), CODE: code, ...fields });
  return { result: true };
}

function robotUpdate(call: MethodCall): MethodResult {
  const code = readCode(call);
  const robot = robotOf(call, code);
  if (!robot) throw new RestError('ERROR_ACTIVITY_NOT_FOUND', 'Activity or Robot not found!');
  const fields = asPhpArray(param(call, 'FIELDS'));
  if (!fields || Object.keys(fields).length === 0) throw new RestError('ERROR_UPDATE_FIELDS', 'No fields to update');
  call.portal.genericTable(ROBOTS).insert(robot.ID, { ...robot, ...readRobotFields(fields, true) });
  return { result: true };
}

function robotList(call: MethodCall): MethodResult {
  return { result: [...call.portal.genericTable(ROBOTS).values()].filter((robot) => robot.APP_ID === appOf(call)).map((robot) => robot.CODE) };
}

export function bizprocRobotMethods(): MethodSpec[] {
  return [
    { name: 'bizproc.robot.add', scope: 'bizproc', kind: 'write', appOnly: true, handler: robotAdd },
    { name: 'bizproc.robot.update', scope: 'bizproc', kind: 'write', appOnly: true, handler: robotUpdate },
    { name: 'bizproc.robot.list', scope: 'bizproc', kind: 'read', appOnly: true, handler: robotList },
  ];
}
