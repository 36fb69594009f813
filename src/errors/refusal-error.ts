import { B24ChainError } from './b24chain-error.ts';
import { redactSecrets } from './redact-secrets.ts';

export interface RefusalErrorOptions {
  /** Stable machine-readable code, e.g. `PACK_UNKNOWN`, `PLAN_EXPIRED`, `CONFIRMATION_REQUIRED`. */
  code: string;
  /** What to do about it: a flag to add, a command to run. */
  hint?: string;
  cause?: unknown;
  /** The method, plan id or flag the refusal is about. */
  subject?: string;
  /** Extra data for `--json` (never secrets). */
  details?: Record<string, unknown>;
}

/**
 * b24chain refused to go on, before any request was sent: bad input, a pack or allowlist refusal, a
 * missing confirmation, a plan that cannot run, an idempotency conflict. The CLI exits 2 for these.
 * Message form: `<subject>: <what happened> (<CODE>). <what to do>`.
 */
export class RefusalError extends B24ChainError {
  override name = 'RefusalError';
  /** Marks every refusal, subclasses included, for `isRefusalError` across module copies. */
  readonly refusal = true;
  readonly subject: string;
  readonly details: Record<string, unknown>;

  constructor(message: string, options: RefusalErrorOptions) {
    super(message, options);
    this.subject = redactSecrets(options.subject ?? '');
    this.details = options.details ?? {};
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), subject: this.subject, details: this.details };
  }
}

/**
 * Matches `instanceof`, and also the `refusal` mark or the name, so refusals (subclasses such as
 * `ConfirmationRequiredError` included) from another copy of the module still count.
 */
export function isRefusalError(value: unknown): value is RefusalError {
  if (value instanceof RefusalError) return true;
  if (!(value instanceof Error) || !('code' in value)) return false;
  return (value as { refusal?: unknown }).refusal === true || value.name === 'RefusalError';
}
