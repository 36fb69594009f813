import { B24ChainError } from './b24chain-error.ts';
import { redactSecrets } from './redact-secrets.ts';

/** What kind of failure a Bitrix24 error code stands for; drives retries and exit codes. */
export type ErrorCategory =
  | 'rate-limit'
  | 'operating-limit'
  | 'server'
  | 'network'
  | 'auth-expired'
  | 'auth'
  | 'scope'
  | 'licence'
  | 'not-found'
  | 'argument'
  | 'access'
  | 'batch'
  | 'blocked'
  | 'business'
  | 'unknown';

export interface BitrixApiErrorData {
  /** The method called (`batch` for a whole batch request). */
  method: string;
  /** HTTP status of the answer (200 when the error came inside a 200). */
  httpStatus: number;
  /** The Bitrix24 code exactly as sent: may be `''`, numeric (`'100'`), lower- or upper-case. */
  bitrixCode: string;
  /** `error_description` as sent (HTML stripped); empty when the body was not JSON. */
  description: string;
  category: ErrorCategory;
  /** True when sending the same request again may succeed (and the portal did not execute it, or it is a read). */
  retryable: boolean;
  /** What to do, from the error table. */
  hint: string;
  /** `ERROR_ARGUMENT` names the bad parameter. */
  argument?: string;
  /** The `Retry-After` header, in milliseconds, when the portal sent one. */
  retryAfterMs?: number;
  /** `operating_reset_at` known for this method when the error arrived (unix ms). */
  operatingResetAtMs?: number;
  /** The body was not JSON (an HTML error page, garbage): decided by status. */
  notJson?: boolean;
  cause?: unknown;
}

/** An error answered by the portal (or its front end), typed by its code. */
export class BitrixApiError extends B24ChainError {
  override name = 'BitrixApiError';
  readonly method: string;
  readonly httpStatus: number;
  readonly bitrixCode: string;
  readonly description: string;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly argument: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly operatingResetAtMs: number | undefined;
  readonly notJson: boolean;

  constructor(data: BitrixApiErrorData) {
    const code = data.bitrixCode === '' ? 'EMPTY_ERROR_CODE' : data.bitrixCode;
    const what = data.description || (data.notJson ? `HTTP ${data.httpStatus} with a body that is not JSON` : `HTTP ${data.httpStatus}`);
    const argument = data.argument ? ` [argument ${data.argument}]` : '';
    super(`${data.method}: ${what}${argument} (${code}, HTTP ${data.httpStatus}).`, {
      code,
      hint: data.hint,
      ...(data.cause === undefined ? {} : { cause: data.cause }),
    });
    this.method = data.method;
    this.httpStatus = data.httpStatus;
    this.bitrixCode = data.bitrixCode;
    this.description = redactSecrets(data.description);
    this.category = data.category;
    this.retryable = data.retryable;
    this.argument = data.argument;
    this.retryAfterMs = data.retryAfterMs;
    this.operatingResetAtMs = data.operatingResetAtMs;
    this.notJson = data.notJson ?? false;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      method: this.method,
      httpStatus: this.httpStatus,
      bitrixCode: this.bitrixCode,
      description: this.description,
      category: this.category,
      retryable: this.retryable,
      ...(this.argument === undefined ? {} : { argument: this.argument }),
    };
  }
}

export function isBitrixApiError(value: unknown): value is BitrixApiError {
  return value instanceof BitrixApiError || (value instanceof Error && value.name === 'BitrixApiError' && 'bitrixCode' in value);
}
