/**
 * Hands accepted online events to the handler chain, in the shape of offline rows (ID = inbox id,
 * EVENT_NAME, EVENT_DATA, MESSAGE_ID, TIMESTAMP_X), so one handler serves both. A failed event is
 * tried again later; after `1 + maxRetries` failures it goes to the dead-letter table (source `online`).
 */
import { createHash } from 'node:crypto';
import type { DeadLetterStore } from './dead-letter-store.ts';
import type { HandlerEvent } from './event-row.ts';
import type { InboxEvent, InboxStore } from './inbox-store.ts';
import { runHandler, type HandlerRunOptions } from './run-handler.ts';

export interface ProcessInboxInput {
  inbox: InboxStore;
  deadLetters: DeadLetterStore;
  handlerRun: HandlerRunOptions;
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
    MESSAGE_ID: createHash('md5').update(`${event.eventName}|${JSON.stringify(event.data)}`).digest('hex'),
    TIMESTAMP_X: timestampOf(event.ts, event.receivedAt),
  };
}

/** One round over the pending inbox (at most `limit` events). */
export async function processInbox(input: ProcessInboxInput): Promise<InboxRound> {
  const round: InboxRound = { done: 0, failed: 0, deadLettered: 0, unsettled: 0 };
  const events = input.inbox.pending(input.limit, input.retryDelayMs);
  if (events.length === 0) return round;
  const result = await runHandler(input.handlerRun, events.map(toHandlerEvent));
  for (const event of events) {
    const verdict = result.verdicts.get(String(event.id)) ?? { status: 'unsettled' as const };
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
            portal: input.handlerRun.client.portalKey,
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
