/** Why the worker or the receiver refused to start, or stopped (DESIGN.md §8). */
import { B24ChainError, type B24ChainErrorOptions } from '../errors/b24chain-error.ts';
import { isBitrixApiError } from '../errors/bitrix-api-error.ts';
import { isNetworkError } from '../errors/network-error.ts';
import { isOutcomeUnknownError } from '../errors/outcome-unknown-error.ts';
import { isTimeoutError } from '../errors/timeout-error.ts';
import { RefusalError } from '../errors/refusal-error.ts';

/** Bad options, a handler that cannot take events, a webhook where an application is needed (exit 2). */
export class EventsRefusedError extends RefusalError {
  override name = 'EventsRefusedError';
}

/** The offline queue answered something the worker cannot get past (exit 1). */
export class EventQueueError extends B24ChainError {
  override name = 'EventQueueError';
  /** The failure may pass by itself (the portal or the network), so the worker may try again. */
  readonly retryable: boolean;

  constructor(message: string, options: B24ChainErrorOptions & { retryable?: boolean }) {
    const { retryable, ...rest } = options;
    super(message, rest);
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

function withoutHint(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const hint = (error as { hint?: unknown }).hint;
  const message = typeof hint === 'string' && hint !== '' && error.message.endsWith(` ${hint}`) ? error.message.slice(0, -hint.length - 1) : error.message;
  return message.replace(/[.\s]+$/, '');
}

/**
 * `chain worker --once` gave up after `attempts` transient failures in a row (exit 1). The message
 * names the call that failed; the rows stay reserved and the next worker reads them first.
 */
export function workerGaveUp(error: unknown, attempts: number): EventQueueError {
  const method = (error as { method?: unknown } | null)?.method;
  const code = (error as { code?: unknown } | null)?.code;
  const last = withoutHint(error);
  if (typeof method === 'string' && method.startsWith('event.offline.')) {
    return new EventQueueError(`${method}: the offline queue gave no usable answer ${attempts} times in a row; the last: ${last.startsWith(`${method}: `) ? last.slice(method.length + 2) : last} (QUEUE_UNAVAILABLE).`, {
      code: 'QUEUE_UNAVAILABLE',
      hint: 'Nothing is lost: rows already reserved stay reserved under their saved process_id, and rows not done were not cleared. Run chain worker --once again when the portal answers; it reads the saved reservations first.',
      cause: error,
    });
  }
  return new EventQueueError(`${last} (failed ${attempts} times in a row).`, {
    code: typeof code === 'string' && code !== '' ? code : 'WORKER_PASS_FAILED',
    hint: 'The rows stay reserved and were not cleared; run chain worker --once again when the portal answers.',
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
