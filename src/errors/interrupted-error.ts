import { B24ChainError } from './b24chain-error.ts';

/**
 * A wait (the rate limit, a method's operating-time pause) was cut short by a stop request (Ctrl-C):
 * the request it was waiting to send was never sent, so nothing needs reconciling.
 */
export class InterruptedError extends B24ChainError {
  override name = 'InterruptedError';
  /** What was being waited for: `rate` (a bucket slot), `operating` (a paused method) or `retry` (a back-off). */
  readonly waitingFor: 'rate' | 'operating' | 'retry';

  constructor(data: { key: string; waitingFor: 'rate' | 'operating' | 'retry'; method?: string; cause?: unknown }) {
    const what =
      data.waitingFor === 'rate' ? 'the rate limit' : data.waitingFor === 'retry' ? 'a retry' : `the operating-time pause of ${data.method ?? 'a method'}`;
    super(`${data.key}: stopped while waiting for ${what}; the request was not sent (INTERRUPTED).`, {
      code: 'INTERRUPTED',
      hint: 'Nothing is lost: resume the run to continue where it stopped.',
      ...(data.cause === undefined ? {} : { cause: data.cause }),
    });
    this.waitingFor = data.waitingFor;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), waitingFor: this.waitingFor };
  }
}

export function isInterruptedError(value: unknown): value is InterruptedError {
  return value instanceof InterruptedError || (value instanceof Error && value.name === 'InterruptedError');
}
