/**
 * What the receiver answers to one posted event (DESIGN.md §8). `ONAPPINSTALL` binds a portal only
 * when the install is proven (`InstallGate.verify`: the OAuth server confirms the install's token for
 * the posted `member_id` and our application): an invented portal, or a second install of a known
 * `member_id` with a new application token and no proof, is refused (403) and changes nothing. The
 * same holds for an `ONAPPUPDATE` that brings a new application token. A repeated install with the
 * token already bound is answered 200 without change. Any other event is checked against the stored
 * token of its `member_id` — 404 for an unknown portal, 401 on mismatch, 403 for a portal whose
 * install was never verified — and stored in the inbox before the 200 goes out. Log lines carry no secret.
 */
import { registerSecret } from '../errors/index.ts';
import { digestApplicationToken, matchesApplicationToken } from './application-token.ts';
import type { InboxStore } from '../store/index.ts';
import type { InstallGate } from './install-gate.ts';
import { parseEventForm, type OnlineEvent } from './parse-event-form.ts';
import { readInstallClaim } from './read-install-claim.ts';

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

async function acceptInstall(inbox: InboxStore, gate: InstallGate, body: string, event: OnlineEvent): Promise<ReceiverAnswer> {
  const who = `${event.eventName} from member ${event.memberId}`;
  return gate.exclusive(event.memberId, async () => {
    const stored = inbox.portal(event.memberId);
    const sameToken = stored !== undefined && matchesApplicationToken(event.applicationToken, stored.tokenDigest);
    if (sameToken && gate.isVerified(event.memberId)) {
      return { status: 200, body: { ok: true, installed: true }, log: `${who}: already installed, token matches (200)` };
    }
    const verdict = await gate.verify(readInstallClaim(body));
    if (!verdict.ok) {
      const known = stored !== undefined && !sameToken ? 'a new application token for an installed portal without proof: ' : '';
      const description =
        verdict.status === 503
          ? 'The install could not be verified now; nothing was changed.'
          : 'The install could not be verified with the OAuth server for this portal and application; nothing was changed.';
      return refusal(verdict.status, verdict.code, description, `refused ${who}: ${known}${verdict.reason} (${verdict.code}, ${verdict.status})`);
    }
    registerSecret(event.applicationToken);
    await gate.bind(verdict.install);
    inbox.bindPortal(event.memberId, verdict.install.host, digestApplicationToken(event.applicationToken));
    const what = stored === undefined ? 'installed' : sameToken ? 'verified the install of' : 're-bound, with a new application token,';
    return {
      status: 200,
      body: { ok: true, installed: true },
      log: `${what} member ${event.memberId} (${verdict.install.host}), verified by ${verdict.install.verifiedBy} (200)`,
    };
  });
}

export async function acceptOnlineEvent(inbox: InboxStore, gate: InstallGate, body: string): Promise<ReceiverAnswer> {
  const parsed = parseEventForm(body);
  if (!parsed.ok) return refusal(400, 'BAD_EVENT', `${parsed.problem}.`, `refused a post: ${parsed.problem} (400)`);
  const event = parsed.event;
  const who = `${event.eventName} from member ${event.memberId}`;
  const stored = inbox.portal(event.memberId);
  const tokenMatches = stored !== undefined && matchesApplicationToken(event.applicationToken, stored.tokenDigest);
  if (event.eventName === 'ONAPPINSTALL' || (event.eventName === 'ONAPPUPDATE' && stored !== undefined && !tokenMatches)) {
    return acceptInstall(inbox, gate, body, event);
  }
  if (!stored) return refusal(404, 'PORTAL_UNKNOWN', 'No verified ONAPPINSTALL was received from this portal.', `refused ${who}: unknown portal (404)`);
  if (!tokenMatches) {
    return refusal(401, 'TOKEN_MISMATCH', 'The application token does not match.', `refused ${who}: application_token mismatch (401)`);
  }
  if (!gate.isVerified(event.memberId)) {
    return refusal(
      403,
      'PORTAL_NOT_VERIFIED',
      'This portal installed before installs were verified; reinstall the application.',
      `refused ${who}: its install was never verified (403)`,
    );
  }
  const id = inbox.add({ memberId: event.memberId, domain: event.domain, eventName: event.eventName, data: event.data, ts: event.ts });
  return { status: 200, body: { ok: true, id }, log: `accepted ${who} as inbox ${id} (200)`, acceptedId: id };
}
