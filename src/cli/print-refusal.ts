/**
 * The one printer of an error a command stops on, for every command. Text: `chain: <message>` on stderr
 * (chain file problems one line each). `--json`: stdout gets exactly one document, the refusal document of
 * schemas/error.schema.json (`#/$defs/refusal`): `{runId: null, status, exitCode, errors: [error...]}`.
 * Each printer returns the exit code for the command to return (`exitCodeOf`: 2 refused, 1 failed).
 */
import { isB24ChainError } from '../errors/index.ts';
import { ChainFileError, formatChainFileProblem, isChainValidationError, type ChainFileProblem } from '../errors/index.ts';
import { exitCodeOf } from '../errors/index.ts';
import { ExitCode } from './exit-code.ts';

/** Where a command prints; the process streams unless a test passes its own. */
export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processOutput: CommandOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** The one `--json` shape of a command that stopped before doing its work. */
export function refusalDocument(errors: ReadonlyArray<Record<string, unknown>>, exitCode: number): Record<string, unknown> {
  return { runId: null, status: exitCode === ExitCode.refused ? 'refused' : 'failed', exitCode, errors };
}

/** Chain file problems (validation, `--input`): one line each on stderr, or the refusal document. Returns 2. */
export function printChainProblems(problems: readonly ChainFileProblem[], json: boolean, output: CommandOutput = processOutput): 2 {
  if (json) {
    const errors = problems.map((problem) => (problem instanceof ChainFileError ? problem : new ChainFileError(problem)).toJSON());
    output.stdout(`${JSON.stringify(refusalDocument(errors, ExitCode.refused))}\n`);
  } else {
    for (const problem of problems) output.stderr(`${formatChainFileProblem(problem)}\n`);
  }
  return ExitCode.refused;
}

/** Prints a b24chain error and returns its exit code; `undefined` for errors it does not know (they propagate as unexpected). */
export function printRefusal(error: unknown, json: boolean, output: CommandOutput = processOutput): 1 | 2 | undefined {
  if (isChainValidationError(error)) return printChainProblems(error.problems, json, output);
  if (!isB24ChainError(error)) return undefined;
  const exitCode = exitCodeOf(error);
  if (json) output.stdout(`${JSON.stringify(refusalDocument([error.toJSON()], exitCode))}\n`);
  else output.stderr(`chain: ${error.message}\n`);
  return exitCode;
}

/** `catch (error) { return printRefusalOrThrow(error, json); }`: prints a b24chain error and returns its exit code, rethrows anything else. */
export function printRefusalOrThrow(error: unknown, json: boolean, output: CommandOutput = processOutput): 1 | 2 {
  const exitCode = printRefusal(error, json, output);
  if (exitCode === undefined) throw error;
  return exitCode;
}
