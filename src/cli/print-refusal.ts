/**
 * Prints an error the way every command does, and reports its exit code (2 for refusals and bad input,
 * 1 otherwise). With `--json`, stdout gets exactly one document, the refusal document of
 * schemas/error.schema.json (`#/$defs/refusal`): `{runId: null, status, exitCode, errors: [error...]}`.
 */
import { isB24ChainError } from '../errors/b24chain-error.ts';
import { ChainFileError, formatChainFileProblem, isChainValidationError, type ChainFileProblem } from '../errors/chain-file-error.ts';
import { ExitCode, errorExitCode, reportExitCode } from './exit-code.ts';

/** The one `--json` shape of a command that stopped before doing its work. */
export function refusalDocument(errors: ReadonlyArray<Record<string, unknown>>, exitCode: number): Record<string, unknown> {
  return { runId: null, status: exitCode === ExitCode.refused ? 'refused' : 'failed', exitCode, errors };
}

/** Chain file problems (validation, `--input`): one line each on stderr, or the refusal document. Exit 2. */
export function printChainProblems(problems: readonly ChainFileProblem[], json: boolean): void {
  if (json) {
    const errors = problems.map((problem) => (problem instanceof ChainFileError ? problem : new ChainFileError(problem)).toJSON());
    process.stdout.write(`${JSON.stringify(refusalDocument(errors, ExitCode.refused))}\n`);
  } else {
    for (const problem of problems) process.stderr.write(`${formatChainFileProblem(problem)}\n`);
  }
  reportExitCode(ExitCode.refused);
}

/** Returns false for errors it does not know (they propagate as unexpected). */
export function printRefusal(error: unknown, json: boolean): boolean {
  if (isChainValidationError(error)) {
    printChainProblems(error.problems, json);
    return true;
  }
  if (isB24ChainError(error)) {
    const exitCode = errorExitCode(error);
    if (json) process.stdout.write(`${JSON.stringify(refusalDocument([error.toJSON()], exitCode))}\n`);
    else process.stderr.write(`chain: ${error.message}\n`);
    reportExitCode(exitCode);
    return true;
  }
  return false;
}
