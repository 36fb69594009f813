/** Exit codes of every `chain` command (DESIGN.md §1). */
import { isChainValidationError } from '../errors/chain-file-error.ts';
import { isConnectionConfigError } from '../errors/connection-config-error.ts';
import { isInvalidRequestError } from '../errors/invalid-request-error.ts';
import { isRefusalError } from '../errors/refusal-error.ts';
import { isStateDatabaseError } from '../errors/state-database-error.ts';

export const ExitCode = {
  /** Done. */
  ok: 0,
  /** A Bitrix24 or network error the command could not get past. */
  failed: 1,
  /** Bad input or a refusal (schema, pack, scope, missing confirmation, plan mismatch). */
  refused: 2,
  /** Interrupted or waiting for a decision; resumable. */
  interrupted: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

let current: number = ExitCode.ok;

/** Commands report their outcome here; `main` returns the highest code reported. */
export function reportExitCode(code: number): void {
  current = Math.max(current, code);
}

export function takeExitCode(): number {
  const code = current;
  current = ExitCode.ok;
  return code;
}

/**
 * The exit code of an error a command could not get past: 2 for bad input or configuration (a refusal,
 * connection settings, a request refused before sending, an invalid chain, a state database that cannot
 * be opened or is too new), 1 for everything else (the portal, the network, a failed migration).
 */
export function errorExitCode(error: unknown): ExitCodeValue {
  if (isRefusalError(error) || isConnectionConfigError(error) || isInvalidRequestError(error) || isChainValidationError(error)) return ExitCode.refused;
  if (isStateDatabaseError(error) && error.code !== 'STATE_DB_MIGRATION') return ExitCode.refused;
  return ExitCode.failed;
}
