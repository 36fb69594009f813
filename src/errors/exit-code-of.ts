import { isB24ChainError } from './b24chain-error.ts';
import { isBatchCommandError } from './batch-command-error.ts';
import { isBitrixApiError } from './bitrix-api-error.ts';
import { isChainValidationError } from './chain-file-error.ts';
import { isConnectionConfigError } from './connection-config-error.ts';
import { ERROR_CATALOGUE, isCataloguedCode } from './error-codes.ts';
import { isInvalidRequestError } from './invalid-request-error.ts';
import { isRefusalError } from './refusal-error.ts';

/**
 * The exit code of an error a command could not get past (DESIGN.md §1): 2 for bad input, configuration
 * and refusals (nothing was sent), 1 for everything else. Refusal classes are 2 and the portal's own
 * errors 1 whatever their code; otherwise the catalogue decides (`STATE_DB_TOO_NEW` 2,
 * `STATE_DB_MIGRATION` 1), and an unknown error is 1.
 */
export function exitCodeOf(error: unknown): 1 | 2 {
  if (isRefusalError(error) || isConnectionConfigError(error) || isInvalidRequestError(error) || isChainValidationError(error)) return 2;
  if (!isB24ChainError(error) || isBitrixApiError(error) || isBatchCommandError(error)) return 1;
  return isCataloguedCode(error.code) ? (ERROR_CATALOGUE[error.code].exitCode ?? 1) : 1;
}
