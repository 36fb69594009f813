import { redactSecrets } from './redact-secrets.ts';

export interface B24ChainErrorOptions {
  code: string;
  hint?: string;
  cause?: unknown;
}

/**
 * The one base class of every error b24chain throws on purpose.
 * Message form: `<method or file:line:col>: <what happened> (<CODE>). <what to do>`.
 * Secrets are redacted from the message at construction.
 */
export class B24ChainError extends Error {
  override name = 'B24ChainError';
  readonly code: string;
  readonly hint: string;

  constructor(message: string, options: B24ChainErrorOptions) {
    const hint = options.hint ?? '';
    const full = hint ? `${message} ${hint}` : message;
    super(redactSecrets(full), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.hint = redactSecrets(hint);
  }

  /** The shape printed by `--json`: no stack, no cause chain, no secrets. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, hint: this.hint };
  }
}

export function isB24ChainError(value: unknown): value is B24ChainError {
  return value instanceof B24ChainError || (value instanceof Error && typeof (value as { code?: unknown }).code === 'string' && 'hint' in value);
}
