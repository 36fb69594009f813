import { B24ChainError } from './b24chain-error.ts';

/** A call refused by the client before anything was sent: bad parameters, a bad batch, an insecure URL. */
export class InvalidRequestError extends B24ChainError {
  override name = 'InvalidRequestError';
  readonly method: string;

  constructor(data: { method: string; code: string; detail: string; hint: string; cause?: unknown }) {
    super(`${data.method}: ${data.detail} (${data.code}).`, {
      code: data.code,
      hint: data.hint,
      ...(data.cause === undefined ? {} : { cause: data.cause }),
    });
    this.method = data.method;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), method: this.method };
  }
}

export function isInvalidRequestError(value: unknown): value is InvalidRequestError {
  return value instanceof InvalidRequestError || (value instanceof Error && value.name === 'InvalidRequestError');
}
