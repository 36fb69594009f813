/**
 * `chain events bind` / `chain events list` (protocol.md §8): `event.bind` for each event — offline
 * (no handler; administrators only) or online (a handler URL) — where an existing binding counts as
 * done (the portal answers ERROR_CORE "already binded"), and `event.get`.
 */
import { isBitrixApiError } from '../errors/index.ts';
import type { PortalClient } from '../client/index.ts';
import { EventsRefusedError, explainQueueError } from './event-errors.ts';

export interface BindRequest {
  events: readonly string[];
  offline: boolean;
  /** Online only: the public HTTPS URL of `chain serve-events`. */
  handlerUrl?: string;
  authConnector?: string;
}

export interface BindResult {
  event: string;
  status: 'bound' | 'already bound';
}

export interface EventBinding {
  event: string;
  offline: boolean;
  handler?: string;
  connectorId?: string;
  authType?: string;
}

export async function bindEvents(client: PortalClient, request: BindRequest): Promise<BindResult[]> {
  if (request.events.length === 0) {
    throw new EventsRefusedError('chain events bind: no event named (EVENTS_MISSING).', {
      code: 'EVENTS_MISSING',
      hint: 'Name the events, e.g. chain events bind ONCRMLEADADD ONCRMLEADUPDATE --offline.',
    });
  }
  if (!request.offline && !request.handlerUrl) {
    throw new EventsRefusedError('chain events bind: an online binding needs the handler URL (HANDLER_URL_MISSING).', {
      code: 'HANDLER_URL_MISSING',
      hint: 'Pass --offline for the queue that chain worker reads, or --handler-url https://... for chain serve-events.',
    });
  }
  const results: BindResult[] = [];
  for (const event of request.events) {
    const name = event.trim().toUpperCase();
    const params: Record<string, unknown> = request.offline ? { event: name, event_type: 'offline' } : { event: name, handler: request.handlerUrl };
    if (request.authConnector) params.auth_connector = request.authConnector;
    try {
      await client.call('event.bind', params, { write: true });
      results.push({ event: name, status: 'bound' });
    } catch (error) {
      if (isBitrixApiError(error) && error.bitrixCode.toUpperCase() === 'ERROR_CORE' && /already/i.test(error.description)) {
        results.push({ event: name, status: 'already bound' });
        continue;
      }
      throw explainQueueError(error, 'chain events bind');
    }
  }
  return results;
}

export async function listBindings(client: PortalClient): Promise<EventBinding[]> {
  let answer;
  try {
    answer = await client.call('event.get', {}, { write: false });
  } catch (error) {
    throw explainQueueError(error, 'chain events list');
  }
  const rows = Array.isArray(answer.result) ? answer.result : [];
  return rows.map((row) => {
    const record = (row ?? {}) as Record<string, unknown>;
    const offline = String(record.offline) === '1';
    const binding: EventBinding = { event: String(record.event ?? ''), offline };
    if (typeof record.handler === 'string' && record.handler !== '') binding.handler = record.handler;
    if (typeof record.connector_id === 'string' && record.connector_id !== '') binding.connectorId = record.connector_id;
    if (record.auth_type !== undefined) binding.authType = String(record.auth_type);
    return binding;
  });
}
