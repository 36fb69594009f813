/**
 * What the receiver answers to one posted event (DESIGN.md §8): `ONAPPINSTALL` stores the portal's
 * application token (a first install, or a re-install with the same token); any other event is
 * checked against the stored token of its `member_id` — 404 for an unknown portal, 401 on mismatch,
 * nothing stored — and stored in the inbox before the 200 goes out. Log lines carry no secret.
 */
import { digestApplicationToken, matchesApplicationToken } from './application-token.ts';
import type { InboxStore } from './inbox-store.ts';
import { parseEventForm } from './parse-event-form.ts';

export interface ReceiverAnswer {
  status: number;
  body: Record<string, unknown>;
  /** One line for the log: event, member, outcome; never a token. */
  log: string;
  /** The inbox id of an accepted event. */
  acceptedId?: number;
}

function refusal(status: number, code: string, description: string, log: string): ReceiverAnswer {
  return { status, body: { error: code, error_description: description }, log };
}

export function acceptOnlineEvent(inbox: InboxStore, body: string): ReceiverAnswer {
  const parsed = parseEventForm(body);
  if (!parsed.ok) return refusal(400, 'BAD_EVENT', `${parsed.problem}.`, `refused a post: ${parsed.problem} (400)`);
  const event = parsed.event;
  const who = `${event.eventName} from member ${event.memberId}`;
  const stored = inbox.portal(event.memberId);
  if (event.eventName === 'ONAPPINSTALL') {
    if (stored) {
      if (!matchesApplicationToken(event.applicationToken, stored.tokenDigest)) {
        return refusal(401, 'TOKEN_MISMATCH', 'The application token differs from the one stored at installation.', `refused ${who}: application_token differs from the installed one (401)`);
      }
      return { status: 200, body: { ok: true, installed: true }, log: `${who}: already installed, token matches (200)` };
    }
    inbox.installPortal(event.memberId, event.domain, digestApplicationToken(event.applicationToken));
    return { status: 200, body: { ok: true, installed: true }, log: `installed member ${event.memberId} (${event.domain || 'no domain'}) (200)` };
  }
  if (!stored) return refusal(404, 'PORTAL_UNKNOWN', 'No ONAPPINSTALL was received from this portal.', `refused ${who}: unknown portal (404)`);
  if (!matchesApplicationToken(event.applicationToken, stored.tokenDigest)) {
    return refusal(401, 'TOKEN_MISMATCH', 'The application token does not match.', `refused ${who}: application_token mismatch (401)`);
  }
  const id = inbox.add({ memberId: event.memberId, domain: event.domain, eventName: event.eventName, data: event.data, ts: event.ts });
  return { status: 200, body: { ok: true, id }, log: `accepted ${who} as inbox ${id} (200)`, acceptedId: id };
}
