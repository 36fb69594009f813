import { B24ChainError } from './b24chain-error.ts';

/**
 * A write reached (or may have reached) the portal and no usable answer came back: it may or may not
 * have been executed. It is never re-sent automatically; the caller reconciles (DESIGN.md §4).
 */
export class OutcomeUnknownError extends B24ChainError {
  override name = 'OutcomeUnknownError';
  readonly method: string;
  /** For a batch: the names of the commands whose outcome is unknown. */
  readonly commands: readonly string[];

  constructor(data: { method: string; commands?: readonly string[]; reason: string; cause?: unknown }) {
    const commands = data.commands ?? [];
    const which = commands.length > 0 ? ` (commands ${commands.slice(0, 10).join(', ')}${commands.length > 10 ? ', ...' : ''})` : '';
    super(`${data.method}: the write may or may not have been executed${which}: ${data.reason} (OUTCOME_UNKNOWN).`, {
      code: 'OUTCOME_UNKNOWN',
      hint: 'It was not re-sent. Look the record up (e.g. by ORIGIN_ID) before sending it again.',
      ...(data.cause === undefined ? {} : { cause: data.cause }),
    });
    this.method = data.method;
    this.commands = [...commands];
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), method: this.method, commands: this.commands };
  }
}

export function isOutcomeUnknownError(value: unknown): value is OutcomeUnknownError {
  return value instanceof OutcomeUnknownError || (value instanceof Error && value.name === 'OutcomeUnknownError');
}
