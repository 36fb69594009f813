import { B24ChainError } from './b24chain-error.ts';
import { redactSecrets } from './redact-secrets.ts';
import type { ErrorCategory } from './bitrix-api-error.ts';

export interface BatchCommandErrorData {
  /** The command's name in the batch. */
  command: string;
  method: string;
  /** The Bitrix24 code as sent (may be `''` or numeric). */
  bitrixCode: string;
  description: string;
  category: ErrorCategory;
  hint: string;
  /** True when the portal certainly did not execute the command and sending it again may succeed (e.g. OPERATION_TIME_LIMIT). */
  retryable: boolean;
  argument?: string;
}

/** One command of a batch failed; the batch itself was answered (HTTP 200). */
export class BatchCommandError extends B24ChainError {
  override name = 'BatchCommandError';
  readonly command: string;
  readonly method: string;
  readonly bitrixCode: string;
  readonly description: string;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly argument: string | undefined;

  constructor(data: BatchCommandErrorData) {
    const code = data.bitrixCode === '' ? 'EMPTY_ERROR_CODE' : data.bitrixCode;
    const argument = data.argument ? ` [argument ${data.argument}]` : '';
    super(`${data.method} (batch command "${data.command}"): ${data.description || 'failed'}${argument} (${code}).`, { code, hint: data.hint });
    this.command = data.command;
    this.method = data.method;
    this.bitrixCode = data.bitrixCode;
    this.description = redactSecrets(data.description);
    this.category = data.category;
    this.retryable = data.retryable;
    this.argument = data.argument;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      command: this.command,
      method: this.method,
      bitrixCode: this.bitrixCode,
      description: this.description,
      category: this.category,
      retryable: this.retryable,
      ...(this.argument === undefined ? {} : { argument: this.argument }),
    };
  }
}

export function isBatchCommandError(value: unknown): value is BatchCommandError {
  return value instanceof BatchCommandError || (value instanceof Error && value.name === 'BatchCommandError');
}
