/**
 * Whether and when to send a failed request again (DESIGN.md §5, §7). Pure: the caller passes the
 * failure, the attempt number, the clock reading and a random source.
 *
 * Writes are re-sent only when the portal certainly did not execute them: QUERY_LIMIT_EXCEEDED,
 * OPERATION_TIME_LIMIT, an expired token, a connection that never opened. Any other transient failure
 * on a write is an "outcome unknown" for the caller to reconcile.
 */
import { isBitrixApiError, type BitrixApiError } from '../errors/index.ts';
import { isNetworkError } from '../errors/index.ts';
import { isTimeoutError } from '../errors/index.ts';
import { classifyErrorCode, classifyHttpStatus } from './classify-error.ts';
import type { RetryClass } from './error-codes.ts';

export interface RetryPolicyOptions {
  /** Attempts in all for transient failures (server errors, network, timeouts). */
  maxAttempts: number;
  /** Attempts in all for rate-limit refusals (503 QUERY_LIMIT_EXCEEDED). */
  maxRateLimitAttempts: number;
  /** First back-off step; doubles per attempt. */
  baseDelayMs: number;
  /** Cap of one back-off step. */
  maxDelayMs: number;
  /** The longest pause accepted for OPERATION_TIME_LIMIT before giving up (a window is 10 min). */
  maxOperatingWaitMs: number;
  /** Pause after OPERATION_TIME_LIMIT when no `operating_reset_at` is known. */
  operatingFallbackWaitMs: number;
}

export const defaultRetryPolicyOptions = {
  maxAttempts: 5,
  maxRateLimitAttempts: 20,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxOperatingWaitMs: 11 * 60_000,
  operatingFallbackWaitMs: 60_000,
} as const satisfies RetryPolicyOptions;

export interface RetryTraits {
  retry: RetryClass;
  /** The portal certainly did not execute the request. */
  beforeExecution: boolean;
}

/** What kind of retry a failure allows. Unknown errors: never. */
export function retryTraits(error: unknown): RetryTraits {
  if (isBitrixApiError(error)) {
    const classification = error.notJson ? classifyHttpStatus(error.httpStatus) : classifyErrorCode(error.bitrixCode, error.description);
    return { retry: classification.retry, beforeExecution: classification.beforeExecution };
  }
  if (isNetworkError(error)) return { retry: 'transient', beforeExecution: error.phase === 'connect' };
  if (isTimeoutError(error)) return { retry: 'transient', beforeExecution: error.phase === 'connect' };
  return { retry: 'never', beforeExecution: false };
}

export type RetryDecision =
  | { action: 'retry'; delayMs: number; reason: string }
  | { action: 'refresh' }
  | { action: 'fail' }
  | { action: 'outcome-unknown'; reason: string };

export interface RetryInput {
  error: unknown;
  /** Attempts made so far, the failed one included (1 after the first failure). */
  attempt: number;
  /** Attempts so far that were refused by the rate limit. */
  rateLimitAttempts: number;
  isWrite: boolean;
  nowMs: number;
  /** Last `operating_reset_at` seen for this method (unix ms), if any. */
  operatingResetAtMs?: number;
  /** 0 ≤ x < 1. */
  random: () => number;
  options: RetryPolicyOptions;
}

/** Capped exponential back-off with full jitter: uniform in [0, min(cap, base·2^(attempt-1))]. */
export function backoffDelay(attempt: number, options: Pick<RetryPolicyOptions, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

function retryAfterOf(error: unknown): number | undefined {
  return isBitrixApiError(error) ? (error as BitrixApiError).retryAfterMs : undefined;
}

export function decideRetry(input: RetryInput): RetryDecision {
  const traits = retryTraits(input.error);
  const { options } = input;
  const retryAfter = retryAfterOf(input.error);
  switch (traits.retry) {
    case 'never':
      return { action: 'fail' };
    case 'refresh':
      return { action: 'refresh' };
    case 'rate': {
      if (input.rateLimitAttempts >= options.maxRateLimitAttempts) return { action: 'fail' };
      // The limiter already holds the next slot back (it marks the bucket full after a 503); add a
      // jittered back-off only when refusals repeat, i.e. when someone else drains the same bucket.
      const backoff = input.rateLimitAttempts > 1 ? backoffDelay(input.rateLimitAttempts - 1, options, input.random) : 0;
      return { action: 'retry', delayMs: Math.max(retryAfter ?? 0, backoff), reason: 'rate limit' };
    }
    case 'operating': {
      const known = isBitrixApiError(input.error) ? (input.error.operatingResetAtMs ?? input.operatingResetAtMs) : input.operatingResetAtMs;
      const until = known !== undefined && known > input.nowMs ? known - input.nowMs + 1000 : undefined;
      const delay = Math.max(retryAfter ?? 0, until ?? options.operatingFallbackWaitMs);
      if (delay > options.maxOperatingWaitMs || input.attempt >= options.maxAttempts + 2) return { action: 'fail' };
      return { action: 'retry', delayMs: delay, reason: 'operating-time limit' };
    }
    case 'transient': {
      if (input.isWrite && !traits.beforeExecution) {
        return { action: 'outcome-unknown', reason: 'the request may have reached the portal' };
      }
      if (input.attempt - input.rateLimitAttempts >= options.maxAttempts) return { action: 'fail' };
      const delay = Math.max(retryAfter ?? 0, backoffDelay(input.attempt - input.rateLimitAttempts, options, input.random));
      return { action: 'retry', delayMs: delay, reason: 'transient failure' };
    }
  }
}
