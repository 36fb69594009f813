/** Why the worker or the receiver refused to start, or stopped (DESIGN.md §8). */
import { B24ChainError } from '../errors/b24chain-error.ts';
import { isBitrixApiError } from '../errors/bitrix-api-error.ts';
import { RefusalError } from '../errors/refusal-error.ts';

/** Bad options, a handler that cannot take events, a webhook where an application is needed (exit 2). */
export class EventsRefusedError extends RefusalError {
  override name = 'EventsRefusedError';
}

/** The offline queue answered something the worker cannot get past (exit 1). */
export class EventQueueError extends B24ChainError {
  override name = 'EventQueueError';
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
