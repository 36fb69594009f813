/**
 * `event.bind`, `event.unbind`, `event.get` (app-only, scope `basic`; protocol.md §8): offline
 * bindings for administrators only, unknown events refused with ERROR_EVENT_NOT_FOUND, duplicates with
 * ERROR_CORE, an online binding without a handler with ERROR_ARGUMENT (`argument: "HANDLER"`).
 */
import type { PortalEventBinding } from '../../state/event-state.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec } from '../../types.ts';
import { authConnectorOf, isPlainObject, textOf } from '../read-params.ts';
import { toInteger } from '../crm/crm-values.ts';
import { grantsScope } from '../system/system-methods.ts';
import { accessDenied, appIdOf, argumentError, argumentMissing, upperCaseKeys } from './event-access.ts';
import { ONLINE_ONLY_EVENTS, scopeOfEvent } from './event-catalog.ts';

function readEventType(value: unknown): 'online' | 'offline' {
  const type = textOf(value).toLowerCase();
  if (type === '') return 'online';
  if (type !== 'online' && type !== 'offline') throw argumentError('EVENT_TYPE', 'Value must be one of {online|offline}');
  return type;
}

function bind(call: MethodCall): MethodResult {
  const query = upperCaseKeys(call.params);
  const event = textOf(query.EVENT).toUpperCase();
  const eventType = readEventType(query.EVENT_TYPE);
  let authType = toInteger(query.AUTH_TYPE) ?? 0;
  let handler = textOf(query.HANDLER);
  if (authType > 0 && !call.auth.isAdmin && authType !== call.auth.userId) {
    throw accessDenied('Event binding with AUTH_TYPE requires administrator access rights');
  }
  if (authType <= 0 && !call.auth.isAdmin) authType = call.auth.userId;
  if (event === '') throw argumentMissing('EVENT');
  if (eventType === 'offline') {
    if (!call.auth.isAdmin) throw accessDenied('Offline events binding requires administrator access rights');
    handler = '';
    authType = 0;
  } else if (handler === '') {
    throw argumentMissing('HANDLER');
  }
  const scope = scopeOfEvent(event);
  if (scope === undefined || !grantsScope(call.auth, scope)) throw new RestError('ERROR_EVENT_NOT_FOUND', 'Event not found');
  if (handler === '' && ONLINE_ONLY_EVENTS.has(event)) throw argumentError('EVENT', 'Offline event cannot be registered for this event.');
  const options: Record<string, number> = {};
  if (isPlainObject(query.OPTIONS) && query.OPTIONS.minTimeout !== undefined) options.minTimeout = toInteger(query.OPTIONS.minTimeout) ?? 0;
  const stored = call.portal.events.bind({
    appId: appIdOf(call),
    event,
    handler,
    authType,
    connectorId: authConnectorOf(call),
    offline: eventType === 'offline',
    options,
  });
  if (!stored) throw new RestError('ERROR_CORE', 'Unable to set event handler: Handler already binded');
  return { result: true };
}

function unbind(call: MethodCall): MethodResult {
  const query = upperCaseKeys(call.params);
  const event = textOf(query.EVENT).toUpperCase();
  if (event === '') throw argumentMissing('EVENT');
  const eventType = readEventType(query.EVENT_TYPE);
  const appId = appIdOf(call);
  let matches: (binding: PortalEventBinding) => boolean;
  if (eventType === 'offline') {
    if (!call.auth.isAdmin) throw accessDenied('Offline events unbinding requires administrator access rights');
    const connectorId = authConnectorOf(call);
    matches = (binding) => binding.appId === appId && binding.event === event && binding.handler === '' && binding.connectorId === connectorId;
  } else {
    const handler = textOf(query.HANDLER);
    if (handler === '') throw argumentMissing('HANDLER');
    let userId: number | undefined;
    if (query.AUTH_TYPE !== undefined) {
      userId = toInteger(query.AUTH_TYPE) ?? 0;
      if (!call.auth.isAdmin && userId !== call.auth.userId) throw accessDenied('Event unbinding with AUTH_TYPE requires administrator access rights');
    } else if (!call.auth.isAdmin) {
      userId = call.auth.userId;
    }
    matches = (binding) =>
      binding.appId === appId && binding.event === event && binding.handler === handler && (userId === undefined || binding.authType === userId);
  }
  return { result: { count: call.portal.events.unbind(matches) } };
}

function list(call: MethodCall): MethodResult {
  const appId = appIdOf(call);
  const rows = call.portal.events
    .list()
    .filter((binding) => binding.appId === appId && (call.auth.isAdmin || binding.authType === call.auth.userId))
    .map((binding) =>
      binding.handler !== ''
        ? { event: binding.event, handler: binding.handler, auth_type: String(binding.authType), offline: 0 }
        : { event: binding.event, connector_id: binding.connectorId, offline: 1 },
    );
  return { result: rows };
}

export function eventBindMethods(): MethodSpec[] {
  return [
    { name: 'event.bind', scope: 'basic', kind: 'write', appOnly: true, handler: bind },
    { name: 'event.unbind', scope: 'basic', kind: 'write', appOnly: true, handler: unbind },
    { name: 'event.get', scope: 'basic', kind: 'read', appOnly: true, handler: list },
  ];
}
