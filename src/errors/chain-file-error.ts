import { B24ChainError } from './b24chain-error.ts';

/** Where a problem sits in a chain file. `line` 0 means "not in the file" (e.g. `--input` on the command line). */
export interface ChainFileLocation {
  /** The file as the user named it (or `--input` for command-line inputs). */
  file: string;
  /** 1-based; 0 when the problem has no line. */
  line: number;
  /** 1-based; 0 when the problem has no column. */
  column: number;
  /** JSON pointer into the chain document (`/steps/1/do/0/params`), `''` for the whole document. */
  pointer: string;
}

export interface ChainFileProblem extends ChainFileLocation {
  code: string;
  /** What happened, without location or code: `unknown field "cal"`. */
  detail: string;
  /** What to do: `Did you mean "call"?`. May be empty. */
  hint: string;
}

/** `file:line:column` (or just `file` when there is no line). */
export function formatChainFileLocation(location: ChainFileLocation): string {
  if (location.line <= 0) return location.file;
  return `${location.file}:${location.line}:${location.column}`;
}

/** The one-line form every tool prints: `file:line:column: detail (CODE). hint`. */
export function formatChainFileProblem(problem: ChainFileProblem): string {
  const head = `${formatChainFileLocation(problem)}: ${problem.detail} (${problem.code}).`;
  return problem.hint ? `${head} ${problem.hint}` : head;
}

/** One problem in a chain file, with its position (Spectral-style: a code and a JSON pointer mapped to line:column). */
export class ChainFileError extends B24ChainError implements ChainFileProblem {
  override name = 'ChainFileError';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly pointer: string;
  readonly detail: string;

  constructor(problem: ChainFileProblem, options: { cause?: unknown } = {}) {
    const head = `${formatChainFileLocation(problem)}: ${problem.detail} (${problem.code}).`;
    super(head, { code: problem.code, hint: problem.hint, ...(options.cause === undefined ? {} : { cause: options.cause }) });
    this.file = problem.file;
    this.line = problem.line;
    this.column = problem.column;
    this.pointer = problem.pointer;
    this.detail = problem.detail;
  }

  toProblem(): ChainFileProblem {
    return {
      file: this.file,
      line: this.line,
      column: this.column,
      pointer: this.pointer,
      code: this.code,
      detail: this.detail,
      hint: this.hint,
    };
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), file: this.file, line: this.line, column: this.column, pointer: this.pointer };
  }
}

/** Every problem of one chain file (or of the command-line inputs) at once. */
export class ChainValidationError extends B24ChainError {
  override name = 'ChainValidationError';
  readonly file: string;
  readonly problems: readonly ChainFileError[];

  constructor(file: string, problems: readonly ChainFileProblem[]) {
    const count = problems.length;
    const lines = problems.map((problem) => `  ${formatChainFileProblem(problem)}`).join('\n');
    super(
      `${file}: ${count} problem${count === 1 ? '' : 's'} (CHAIN_INVALID). ` +
        `Fix each one below; \`chain validate FILE\` lists them without sending any request.\n${lines}`,
      { code: 'CHAIN_INVALID' },
    );
    this.file = file;
    this.problems = problems.map((problem) => (problem instanceof ChainFileError ? problem : new ChainFileError(problem)));
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), file: this.file, problems: this.problems.map((problem) => problem.toJSON()) };
  }
}

export function isChainFileError(value: unknown): value is ChainFileError {
  return value instanceof ChainFileError || (value instanceof Error && value.name === 'ChainFileError');
}

export function isChainValidationError(value: unknown): value is ChainValidationError {
  return value instanceof ChainValidationError || (value instanceof Error && value.name === 'ChainValidationError');
}
