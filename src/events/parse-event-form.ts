/**
 * An online event as the portal posts it: `application/x-www-form-urlencoded`, nested keys in bracket
 * form, every value a string (protocol.md §8): `event`, `event_handler_id`, `data[...]`, `ts`,
 * `auth[member_id]`, `auth[application_token]`, `auth[domain]`... Pure. The tokens in `auth` are read
 * for the check and never kept.
 */
import { parseQuery, type QueryObject, type QueryValue } from '../protocol/index.ts';

export interface OnlineEvent {
  /** Upper-case event name. */
  eventName: string;
  data: unknown;
  ts: string;
  memberId: string;
  domain: string;
  applicationToken: string;
}

export type ParsedEventForm = { ok: true; event: OnlineEvent } | { ok: false; problem: string };

function text(value: QueryValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

export function parseEventForm(body: string): ParsedEventForm {
  let form;
  try {
    form = parseQuery(body);
  } catch {
    return { ok: false, problem: 'the body is not a form-encoded event' };
  }
  const eventName = text(form.event).trim().toUpperCase();
  const auth: QueryObject = form.auth !== undefined && typeof form.auth === 'object' && !Array.isArray(form.auth) ? form.auth : {};
  const memberId = text(auth.member_id).trim();
  const applicationToken = text(auth.application_token);
  if (eventName === '') return { ok: false, problem: 'the form has no event' };
  if (memberId === '') return { ok: false, problem: 'the form has no auth[member_id]' };
  if (applicationToken === '') return { ok: false, problem: 'the form has no auth[application_token]' };
  return { ok: true, event: { eventName, data: form.data ?? {}, ts: text(form.ts), memberId, domain: text(auth.domain), applicationToken } };
}
