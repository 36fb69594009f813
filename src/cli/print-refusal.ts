/** Prints an error the way every command does, and reports its exit code (2 for refusals and bad input, 1 otherwise). */
import { isB24ChainError } from '../errors/b24chain-error.ts';
import { formatChainFileProblem, isChainValidationError } from '../errors/chain-file-error.ts';
import { isRefusalError } from '../errors/refusal-error.ts';
import { isConnectionConfigError } from '../errors/connection-config-error.ts';
import { isInvalidRequestError } from '../errors/invalid-request-error.ts';
import { ExitCode, reportExitCode } from './exit-code.ts';

/** Returns false for errors it does not know (they propagate as unexpected). */
export function printRefusal(error: unknown, json: boolean): boolean {
  if (isChainValidationError(error)) {
    if (json) process.stdout.write(`${JSON.stringify({ runId: null, status: 'refused', exitCode: 2, errors: error.problems.map((problem) => problem.toJSON()) })}\n`);
    else for (const problem of error.problems) process.stderr.write(`${formatChainFileProblem(problem)}\n`);
    reportExitCode(ExitCode.refused);
    return true;
  }
  if (isB24ChainError(error)) {
    // Bad settings and requests the client refuses before sending are bad input, like refusals.
    const refused = isRefusalError(error) || isConnectionConfigError(error) || isInvalidRequestError(error);
    const exitCode = refused ? ExitCode.refused : ExitCode.failed;
    if (json) process.stdout.write(`${JSON.stringify({ runId: null, status: refused ? 'refused' : 'failed', exitCode, errors: [error.toJSON()] })}\n`);
    else process.stderr.write(`chain: ${error.message}\n`);
    reportExitCode(exitCode);
    return true;
  }
  return false;
}
