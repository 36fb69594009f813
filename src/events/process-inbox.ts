/**
 * Hands accepted online events to the handler chain, in the shape of offline rows (ID = inbox id,
 * EVENT_NAME, EVENT_DATA, MESSAGE_ID, TIMESTAMP_X), so one handler serves both. Events are grouped by
 * portal (`member_id`) and each group runs with that portal's own client (`clientFor`), so its runs,
 * writes and dead letters belong to that portal only. A failed event is tried again later; after
 * `1 + maxRetries` failures it goes to the dead-letter table (source `online`).
 */
import { createHash } from 'node:crypto';
import type { DeadLetterStore } from '../store/index.ts';
import type { HandlerEvent } from './event-row.ts';
import type { InboxEvent, InboxStore } from '../store/index.ts';
import { runHandler, type HandlerRunOptions, type RowVerdict } from './run-handler.ts';
import type { PortalClient } from '../client/index.ts';

export interface ProcessInboxInput {
  inbox: InboxStore;
  deadLetters: DeadLetterStore;
  /** Everything but the client, which is each portal's own. */
  handlerRun: Omit<HandlerRunOptions, 'client'>;
  /** The client of a portal's verified install, `undefined` when none is kept. */
  clientFor(memberId: string): Promise<PortalClient | undefined> | PortalClient | undefined;
  maxRetries: number;
  limit: number;
  retryDelayMs: number;
  now: () => number;
}

export interface InboxRound {
  done: number;
  failed: number;
  deadLettered: number;
  unsettled: number;
  /** A portal whose run failed as a whole (network...): its events stay pending, the others go on. */
  errors: Array<{ memberId: string; message: string }>;
}

function timestampOf(ts: string, receivedAt: number): string {
  const seconds = Number(ts);
  return new Date(ts !== '' && Number.isFinite(seconds) ? seconds * 1000 : receivedAt).toISOString();
}

export function toHandlerEvent(event: InboxEvent): HandlerEvent {
  return {
    ID: String(event.id),
    EVENT_NAME: event.eventName,
    EVENT_DATA: event.data,
    MESSAGE_ID: createHash('md5')
      .update(`${event.eventName}|${JSON.stringify(event.data)}`)
      .digest('hex'),
    TIMESTAMP_X: timestampOf(event.ts, event.receivedAt),
  };
}

const NOT_VERIFIED: RowVerdict = {
  status: 'failed',
  error: { code: 'PORTAL_NOT_VERIFIED', message: 'no verified install is kept for this portal (its tokens are missing); reinstall the application' },
};

/** The verdicts of one portal's events, run with its own client. */
async function portalVerdicts(input: ProcessInboxInput, memberId: string, events: InboxEvent[]): Promise<Map<string, RowVerdict>> {
  const client = await input.clientFor(memberId);
  if (client === undefined) return new Map(events.map((event) => [String(event.id), NOT_VERIFIED]));
  const result = await runHandler({ ...input.handlerRun, client }, events.map(toHandlerEvent));
  return result.verdicts;
}

/** One round over the pending inbox (at most `limit` events). */
export async function processInbox(input: ProcessInboxInput): Promise<InboxRound> {
  const round: InboxRound = { done: 0, failed: 0, deadLettered: 0, unsettled: 0, errors: [] };
  const events = input.inbox.pending(input.limit, input.retryDelayMs);
  if (events.length === 0) return round;
  const byPortal = new Map<string, InboxEvent[]>();
  for (const event of events) byPortal.set(event.memberId, [...(byPortal.get(event.memberId) ?? []), event]);
  const verdicts = new Map<string, RowVerdict>();
  for (const [memberId, portalEvents] of byPortal) {
    try {
      for (const [id, verdict] of await portalVerdicts(input, memberId, portalEvents)) verdicts.set(id, verdict);
    } catch (error) {
      round.errors.push({ memberId, message: error instanceof Error ? error.message : String(error) });
    }
  }
  for (const event of events) {
    const verdict = verdicts.get(String(event.id)) ?? { status: 'unsettled' as const };
    if (verdict.status === 'done') {
      input.inbox.setStatus(event.id, 'done');
      round.done += 1;
    } else if (verdict.status === 'unsettled') {
      round.unsettled += 1;
    } else {
      const attempts = event.attempts + 1;
      if (verdict.status === 'unknown' || attempts > input.maxRetries) {
        input.inbox.atomically(() => {
          input.deadLetters.add({
            portal: event.memberId,
            source: 'online',
            authConnector: '',
            eventName: event.eventName,
            rowId: String(event.id),
            messageId: toHandlerEvent(event).MESSAGE_ID,
            processId: '',
            payload: toHandlerEvent(event),
            error: verdict.error,
            attempts,
            firstSeen: event.receivedAt,
            lastSeen: input.now(),
          });
          input.inbox.setStatus(event.id, 'dead', { attempts, error: verdict.error.message });
        });
        round.deadLettered += 1;
      } else {
        input.inbox.setStatus(event.id, 'pending', { attempts, error: verdict.error.message });
        round.failed += 1;
      }
    }
  }
  return round;
}
