import { B24ChainError } from './b24chain-error.ts';

/** Credentials that cannot be used or renewed: the user must re-authorise or fix the configuration. */
export class AuthError extends B24ChainError {
  override name = 'AuthError';
  /** The OAuth server's or portal's code (`invalid_grant`, `invalid_client`...), when there was one. */
  readonly serverCode: string | undefined;
  readonly httpStatus: number | undefined;

  constructor(data: { code: string; message: string; hint: string; serverCode?: string; httpStatus?: number; cause?: unknown }) {
    super(data.message, { code: data.code, hint: data.hint, ...(data.cause === undefined ? {} : { cause: data.cause }) });
    this.serverCode = data.serverCode;
    this.httpStatus = data.httpStatus;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      ...(this.serverCode === undefined ? {} : { serverCode: this.serverCode }),
      ...(this.httpStatus === undefined ? {} : { httpStatus: this.httpStatus }),
    };
  }
}

export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError || (value instanceof Error && value.name === 'AuthError');
}
