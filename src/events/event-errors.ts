/** Why the worker or the receiver refused to start, or stopped (DESIGN.md §8). */
import { B24ChainError, type B24ChainErrorOptions } from '../errors/index.ts';
import { isBitrixApiError } from '../errors/index.ts';
import { isNetworkError } from '../errors/index.ts';
import { isOutcomeUnknownError } from '../errors/index.ts';
import { isTimeoutError } from '../errors/index.ts';
import { RefusalError } from '../errors/index.ts';

/** Bad options, a handler that cannot take events, a webhook where an application is needed (exit 2). */
export class EventsRefusedError extends RefusalError {
  override name = 'EventsRefusedError';
}

/** The offline queue answered something the worker cannot get past (exit 1). */
export class EventQueueError extends B24ChainError {
  override name = 'EventQueueError';
  /** The queue method that failed (`event.offline.get`...), '' when the failure is not one call's. */
  readonly method: string;
  /** The failure may pass by itself (the portal or the network), so the worker may try again. */
  readonly retryable: boolean;

  constructor(message: string, options: B24ChainErrorOptions & { method?: string; retryable?: boolean }) {
    const { method, retryable, ...rest } = options;
    super(message, rest);
    this.method = method ?? '';
    this.retryable = retryable === true;
  }
}

/**
 * Whether a failure of a worker pass may pass by itself: a 5xx, a garbage answer, a network error or
 * timeout, an answer lost in flight, or a handler run that failed on one of those. Pure.
 */
export function isTransientWorkerFailure(error: unknown): boolean {
  if (isOutcomeUnknownError(error) || isNetworkError(error) || isTimeoutError(error)) return true;
  if (isBitrixApiError(error)) return error.retryable;
  return error instanceof Error && error.name === 'EventQueueError' && (error as { retryable?: unknown }).retryable === true;
}

/** What went wrong, without the method in front, the code's parentheses at the end or the hint: `HTTP 503 ...`. */
export function failureReason(error: unknown): string {
  let failure = error;
  // A lost answer says little by itself: its cause (the 503, the dropped connection) says what happened.
  while (
    failure instanceof Error &&
    (isOutcomeUnknownError(failure) || (failure as { code?: unknown }).code === 'QUEUE_ANSWER_LOST') &&
    failure.cause instanceof Error
  )
    failure = failure.cause;
  if (!(failure instanceof Error)) return String(failure);
  const hint = (failure as { hint?: unknown }).hint;
  let text = typeof hint === 'string' && hint !== '' && failure.message.endsWith(` ${hint}`) ? failure.message.slice(0, -hint.length - 1) : failure.message;
  const method = (failure as { method?: unknown }).method;
  if (typeof method === 'string' && method !== '' && text.startsWith(`${method}: `)) text = text.slice(method.length + 2);
  return text.replace(/[.\s]+$/, '');
}

/** `event.offline.get {clear: 0}` got no usable answer; any reservation it made was looked up with `event.offline.list` and adopted. */
export function reservationAnswerLost(error: unknown, adopted: number): EventQueueError {
  const found =
    adopted > 0 ? `the ${adopted} reservation(s) it made were found with event.offline.list and adopted` : 'event.offline.list shows it reserved nothing';
  return new EventQueueError(`event.offline.get: the reservation got no usable answer (${failureReason(error)}); ${found} (QUEUE_ANSWER_LOST).`, {
    code: 'QUEUE_ANSWER_LOST',
    hint: 'Reserved rows stay reserved for this worker and are read again through their process_id; nothing is lost.',
    cause: error,
    method: 'event.offline.get',
    retryable: true,
  });
}

/**
 * `chain worker --once` gave up after `attempts` transient failures in a row (exit 1). The message
 * names the call that failed; the rows stay reserved and the next worker reads them first.
 */
export function workerGaveUp(error: unknown, attempts: number): EventQueueError {
  const method = (error as { method?: unknown } | null)?.method;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof method === 'string' && method.startsWith('event.offline.')) {
    return new EventQueueError(
      `${method}: the offline queue gave no usable answer ${attempts} times in a row; the last: ${failureReason(error)} (QUEUE_UNAVAILABLE).`,
      {
        code: 'QUEUE_UNAVAILABLE',
        hint: 'Nothing is lost: rows already reserved stay reserved under their saved process_id, and no row was cleared before it was done. Run chain worker --once again when the portal answers; it reads the saved reservations first.',
        cause: error,
        method,
      },
    );
  }
  const subject = typeof method === 'string' && method !== '' ? `${method}: ` : '';
  const finalCode = typeof code === 'string' && code !== '' ? code : 'WORKER_PASS_FAILED';
  const reason = failureReason(error);
  const withoutCode = reason.endsWith(` (${finalCode})`) ? reason.slice(0, -finalCode.length - 3) : reason;
  return new EventQueueError(`${subject}${withoutCode}; it failed ${attempts} times in a row (${finalCode}).`, {
    code: finalCode,
    hint: 'The rows stay reserved and none was cleared before it was done; run chain worker --once again when the portal answers.',
    cause: error,
  });
}

/** Offline events are app-only (protocol.md §8): a webhook is refused before any request. */
export function applicationRequired(command: string): EventsRefusedError {
  return new EventsRefusedError(
    `${command}: offline events need an application (OAuth) connection; this connection is an incoming webhook, which the portal refuses for event.* methods (OFFLINE_EVENTS_NEED_APPLICATION).`,
    {
      code: 'OFFLINE_EVENTS_NEED_APPLICATION',
      hint: 'Install a local application as a portal administrator and set B24_AUTH_MODE=oauth, B24_ACCESS_TOKEN, B24_REFRESH_TOKEN, B24_CLIENT_ID and B24_CLIENT_SECRET (or use a --portal profile of an application).',
    },
  );
}

/**
 * The portal's refusals of queue methods, turned into what to do. Other errors are returned as they are
 * (network errors and 5xx are retried by the loop).
 */
export function explainQueueError(error: unknown, command: string): unknown {
  if (!isBitrixApiError(error)) return error;
  switch (error.bitrixCode.toUpperCase()) {
    case 'WRONG_AUTH_TYPE':
      return applicationRequired(command);
    case 'ACCESS_DENIED':
      return new EventsRefusedError(`${error.method}: the portal refused the offline queue to this user (ACCESS_DENIED).`, {
        code: 'ACCESS_DENIED',
        hint: 'Offline events need an administrator: install the application as a portal administrator.',
        cause: error,
      });
    case 'WRONG_LICENSE':
      return new EventsRefusedError(`${error.method}: the portal's plan does not allow reserving events with clear=0 (WRONG_LICENSE).`, {
        code: 'WRONG_LICENSE',
        hint: 'The worker never reads with clear=1 (a crash would lose the rows it read). Check feature.get {CODE: "rest_offline_extended"}; a paid plan is needed (auth_connector needs Professional).',
        cause: error,
      });
    default:
      return error;
  }
}
