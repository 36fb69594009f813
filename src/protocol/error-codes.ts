/**
 * Bitrix24 error codes → what they mean for the client (protocol.md §10; the seed skill's table of
 * immediate actions, extended). Dispatch on the code; the HTTP status decides only when the body is
 * not JSON (see `classifyError`).
 */
import type { ErrorCategory } from '../errors/index.ts';

/**
 * `rate`: the request was refused before execution, retry after the bucket drains.
 * `operating`: refused before execution, retry after `operating_reset_at`.
 * `refresh`: an access token to renew, then retry (refused before execution).
 * `transient`: a passing failure; reads are retried, a write may have been executed unless
 *   `beforeExecution` says it certainly was not.
 * `never`: retrying cannot help.
 */
export type RetryClass = 'rate' | 'operating' | 'refresh' | 'transient' | 'never';

export interface ErrorCodeEntry {
  category: ErrorCategory;
  retry: RetryClass;
  /** True when the portal refuses with this code before running the method, so a write is safe to resend. */
  beforeExecution: boolean;
  hint: string;
}

const never = (category: ErrorCategory, hint: string, beforeExecution = true): ErrorCodeEntry => ({ category, retry: 'never', beforeExecution, hint });

/** Keyed by the upper-cased code. */
export const ERROR_CODES: Readonly<Record<string, ErrorCodeEntry>> = {
  QUERY_LIMIT_EXCEEDED: {
    category: 'rate-limit',
    retry: 'rate',
    beforeExecution: true,
    hint: 'Requests came faster than the portal allows: the client backs off and retries; lower --concurrency and share one limiter between processes (B24_RATE_LIMITER=sqlite).',
  },
  OPERATION_TIME_LIMIT: {
    category: 'operating-limit',
    retry: 'operating',
    beforeExecution: true,
    hint: 'This method used its operating-time budget (480 s per 10 min): the client pauses it until operating_reset_at; narrow filters or spread the load.',
  },
  OVERLOAD_LIMIT: never('blocked', 'REST is blocked for this portal or webhook (manual block or hold): do not retry; contact Bitrix24 support.'),
  INTERNAL_SERVER_ERROR: {
    category: 'server',
    retry: 'transient',
    beforeExecution: false,
    hint: 'A fault on the portal: reads are retried with back-off; check whether a write took effect before sending it again.',
  },
  ERROR_UNEXPECTED_ANSWER: {
    category: 'server',
    retry: 'transient',
    beforeExecution: false,
    hint: 'The portal answered something unexpected: reads are retried; check whether a write took effect before sending it again.',
  },
  CONNECTION_ERROR: {
    category: 'server',
    retry: 'transient',
    beforeExecution: true,
    hint: 'The portal could not reach its OAuth server: retried with back-off.',
  },
  ERROR_BATCH_LENGTH_EXCEEDED: never('batch', 'Split the batch: at most 50 commands per request (B24Client.batch splits automatically).'),
  ERROR_BATCH_METHOD_NOT_ALLOWED: never('batch', 'Call this method directly, not inside batch (nested batch, upload and download are not allowed).'),
  NO_AUTH_FOUND: never('auth', 'No credentials were recognised: check the webhook URL (B24_WEBHOOK_USER_ID, B24_WEBHOOK_CODE) or the access token.'),
  INVALID_REQUEST: never('auth', 'The portal requires HTTPS: use an https:// address in B24_DOMAIN.'),
  INVALID_CREDENTIALS: never('auth', 'The webhook code or user id is wrong: re-issue the webhook and update B24_WEBHOOK_CODE and B24_WEBHOOK_USER_ID.'),
  EXPIRED_TOKEN: {
    category: 'auth-expired',
    retry: 'refresh',
    beforeExecution: true,
    hint: 'The access token expired: the client refreshes it once and retries (--auto-refresh), or refresh it through your own flow.',
  },
  INVALID_TOKEN: {
    category: 'auth',
    retry: 'refresh',
    beforeExecution: true,
    hint: 'The portal does not know this access token: the client tries one refresh; if that fails, re-authorise the application.',
  },
  AUTHORIZATION_ERROR: never('auth', 'The user behind the credentials is inactive: use credentials of an active user.'),
  APPLICATION_NOT_FOUND: never('auth', 'The application was deleted or deactivated on the portal: reinstall it.'),
  ERROR_OAUTH: never('auth', 'The application is not installed on this portal: install it, then authorise again.'),
  WRONG_AUTH_TYPE: never('auth', 'This method needs another auth model: switch between webhook and OAuth application for it (event.* need an application).'),
  INSUFFICIENT_SCOPE: never('scope', 'The token or webhook lacks the scope this method needs: add the scope and reinstall the app or re-issue the webhook.'),
  ACCESS_DENIED: never('access', 'The user lacks the permission (or REST needs a commercial plan): grant the right or use another user.'),
  USER_ACCESS_ERROR: never('access', 'An administrator limited the application to other users: use an allowed user.'),
  ALLOWED_ONLY_INTRANET_USER: never('access', 'Extranet users cannot call this method: use an intranet user.'),
  METHOD_CONFIRM_WAITING: never('access', 'An administrator must confirm this method for the application first.'),
  METHOD_CONFIRM_DENIED: never('access', 'An administrator denied this method for the application.'),
  PAYMENT_REQUIRED: never('licence', 'The application subscription or trial has ended: renew it.'),
  WRONG_LICENSE: never('licence', 'The portal plan lacks this feature (e.g. offline clear=0, auth_connector): upgrade the plan or avoid the feature.'),
  PORTAL_DELETED: never('blocked', 'The portal is deleted or stopped: check the address.'),
  ERROR_METHOD_NOT_FOUND: never('not-found', 'Unknown method, or its module or scope is missing: check the name with `chain methods` and the scopes granted.'),
  ERROR_MANIFEST_IS_NOT_AVAILABLE: never('not-found', 'The manifest is not available on this portal.'),
  ERROR_EVENT_NOT_FOUND: never('not-found', 'Unknown event name: list valid names with the `events` method.', false),
  ERROR_NOT_FOUND: never('not-found', 'The object does not exist (or was deleted): check the id.', false),
  NOT_FOUND: never('not-found', 'The object does not exist (or was deleted): check the id.', false),
  ERROR_ARGUMENT: never('argument', 'A parameter is missing or wrong: fix the parameter named in the error.', false),
  INVALID_ARG_VALUE: never('argument', 'A filter, order or field value is not valid for this method: fix it.', false),
  WRONG_ENCODING: never('argument', 'The answer could not be encoded: send valid UTF-8 values.', false),
  ERROR_CORE: never('business', 'The module refused the operation: read the description and fix the data.', false),
};

const FALLBACK_HINTS: Record<ErrorCategory, string> = {
  'rate-limit': ERROR_CODES.QUERY_LIMIT_EXCEEDED?.hint ?? '',
  'operating-limit': ERROR_CODES.OPERATION_TIME_LIMIT?.hint ?? '',
  server: 'A fault on the portal or its front end: reads are retried; check whether a write took effect before sending it again.',
  network: 'Check the network and the portal address.',
  'auth-expired': ERROR_CODES.EXPIRED_TOKEN?.hint ?? '',
  auth: 'Check the credentials.',
  scope: ERROR_CODES.INSUFFICIENT_SCOPE?.hint ?? '',
  licence: 'The plan or subscription does not allow this.',
  'not-found': 'Check the method name or the object id.',
  argument: 'Fix the parameters (see the method reference).',
  access: 'The user lacks the permission: grant it or use another user.',
  batch: 'Fix the batch.',
  blocked: 'Do not retry; contact Bitrix24 support.',
  business: 'Read the description and fix the data.',
  unknown: 'Look the code up in the Bitrix24 REST docs; it is not retried.',
};

export function hintForCategory(category: ErrorCategory): string {
  return FALLBACK_HINTS[category];
}
