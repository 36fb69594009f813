/** What every step of the worker works with, and the progress it reports (one line each with --json). */
import type { RunStore } from '../store/index.ts';
import type { PortalClient } from '../client/index.ts';
import type { Clock } from '../util/index.ts';
import type { DeadLetterStore } from '../store/index.ts';
import type { QueueScope } from './queue-client.ts';
import type { ReservationStore } from '../store/index.ts';
import type { HandlerRunOptions } from './run-handler.ts';

export type WorkerEvent =
  | { type: 'started'; portal: string; authConnector: string; openReservations: number }
  | { type: 'adopted'; processId: string; rows: number; errorRead: boolean }
  | { type: 'reserved'; processId: string; rows: number; errorRead: boolean }
  | { type: 'reread'; processId: string; rows: number; errorRead: boolean }
  | { type: 'processed'; processId: string; runId: string | null; done: number; failed: number; deadLettered: number; unsettled: number }
  | { type: 'dead_letter'; id: number; processId: string; rowId: string; eventName: string; code: string; attempts: number }
  | { type: 'cleared'; processId: string; rows: number }
  | { type: 'marked'; processId: string; rows: number }
  | { type: 'closed'; processId: string }
  | { type: 'retried'; deadLetterId: number; status: 'resolved' | 'dead' }
  | { type: 'idle'; sleepMs: number }
  | { type: 'error'; code: string; message: string; retryInMs: number }
  | { type: 'stopped'; reason: 'signal' | 'once' };

export interface WorkerContext {
  client: PortalClient;
  scope: QueueScope;
  reservations: ReservationStore;
  deadLetters: DeadLetterStore;
  runs: RunStore;
  handlerRun: HandlerRunOptions;
  /** Retries after the first failed attempt; a row failing 1 + maxRetries times is dead-lettered. */
  maxRetries: number;
  limit: number;
  pollIntervalMs: number;
  clock: Clock;
  emit(event: WorkerEvent): void;
}

const MAX_RETRY_DELAY_MS = 5 * 60_000;

/** Back-off before a failed row is read again: the poll interval doubled per attempt, at most 5 minutes. Pure. */
export function retryDelayMs(attempts: number, pollIntervalMs: number): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 20);
  return Math.min(pollIntervalMs * 2 ** exponent, MAX_RETRY_DELAY_MS);
}
