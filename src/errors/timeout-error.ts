import { B24ChainError } from './b24chain-error.ts';

/** No (complete) answer within the time allowed. The request may have reached the portal. */
export class TimeoutError extends B24ChainError {
  override name = 'TimeoutError';
  readonly method: string;
  readonly timeoutMs: number;
  readonly phase: 'connect' | 'response';

  constructor(data: { method: string; timeoutMs: number; phase: 'connect' | 'response'; cause?: unknown }) {
    const what = data.phase === 'connect' ? 'no connection' : 'no answer';
    super(`${data.method}: ${what} within ${data.timeoutMs} ms (TIMEOUT).`, {
      code: 'TIMEOUT',
      hint: 'Reads are retried automatically; raise the timeout if the portal is slow (a cloud call may take up to 60 s).',
      ...(data.cause === undefined ? {} : { cause: data.cause }),
    });
    this.method = data.method;
    this.timeoutMs = data.timeoutMs;
    this.phase = data.phase;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), method: this.method, timeoutMs: this.timeoutMs, phase: this.phase };
  }
}

export function isTimeoutError(value: unknown): value is TimeoutError {
  return value instanceof TimeoutError || (value instanceof Error && value.name === 'TimeoutError');
}
