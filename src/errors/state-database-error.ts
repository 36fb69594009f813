import { B24ChainError } from './b24chain-error.ts';

export interface StateDatabaseErrorOptions {
  code:
    | 'STATE_DB_OPEN'
    | 'STATE_DB_TOO_NEW'
    | 'STATE_DB_OUTDATED'
    | 'STATE_DB_MIGRATION'
    | 'STATE_DB_TIMEOUT'
    | 'STATE_DB_CLOSED'
    | 'STATE_DB_QUERY'
    | 'STATE_DB_UNSUPPORTED_SQL'
    | 'TOKEN_LOCK_TIMEOUT'
    | 'STATE_DB_TOKENS_INVALID';
  /** The SQLite file, or the PostgreSQL URL without its password. */
  path: string;
  hint?: string;
  cause?: unknown;
}

/** The state database could not be opened or brought to the current schema. */
export class StateDatabaseError extends B24ChainError {
  override name = 'StateDatabaseError';
  readonly path: string;

  constructor(message: string, options: StateDatabaseErrorOptions) {
    super(message, options);
    this.path = options.path;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), path: this.path };
  }
}

export function isStateDatabaseError(value: unknown): value is StateDatabaseError {
  return value instanceof StateDatabaseError || (value instanceof Error && value.name === 'StateDatabaseError' && 'path' in value);
}
