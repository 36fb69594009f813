import { B24ChainError } from './b24chain-error.ts';

/**
 * REST 3.0 answered 422: this `Idempotency-Key` was already used for the method with a different
 * body. Never retried: the earlier request, not this one, is what the portal executed.
 */
export class IdempotencyKeyReusedError extends B24ChainError {
  override name = 'IdempotencyKeyReusedError';
  readonly method: string;
  /** A digest-derived key, never a secret. */
  readonly idempotencyKey: string;

  constructor(data: { method: string; idempotencyKey: string; cause?: unknown }) {
    super(
      `${data.method}: the idempotency key ${data.idempotencyKey} was already used with a different body; the portal refused it with HTTP 422 (IDEMPOTENCY_KEY_REUSED).`,
      {
        code: 'IDEMPOTENCY_KEY_REUSED',
        hint: 'The parameters changed since the first send: keep them as they were, or use a new key (a new run, or another --idempotency-key).',
        ...(data.cause === undefined ? {} : { cause: data.cause }),
      },
    );
    this.method = data.method;
    this.idempotencyKey = data.idempotencyKey;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), method: this.method, idempotencyKey: this.idempotencyKey };
  }
}

export function isIdempotencyKeyReusedError(value: unknown): value is IdempotencyKeyReusedError {
  return value instanceof IdempotencyKeyReusedError || (value instanceof Error && value.name === 'IdempotencyKeyReusedError');
}
