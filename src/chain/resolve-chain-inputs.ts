/**
 * The run's input values: `--input name=value` pairs parsed, unknown names refused, text coerced to
 * the declared types, defaults applied, missing required inputs reported. Every problem at once.
 */
import { ChainValidationError, type ChainFileProblem } from '../errors/index.ts';
import type { ChainDefinition } from './chain-model.ts';
import { checkInputValue, coerceInputText } from './coerce-input-value.ts';
import { suggestionHint } from './suggest-name.ts';

function commandLineProblem(label: string, code: string, detail: string, hint: string): ChainFileProblem {
  return { file: label, line: 0, column: 0, pointer: '', code, detail, hint };
}

/**
 * `["status=NEW", "limit=5"]` → `{status: "NEW", limit: "5"}`. The value is everything after the
 * first `=` (it may itself hold `=`). Throws a `ChainValidationError` for malformed or repeated names.
 */
export function parseInputAssignments(assignments: readonly string[]): Record<string, string> {
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  const problems: ChainFileProblem[] = [];
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    const name = equals < 0 ? assignment.trim() : assignment.slice(0, equals).trim();
    if (equals <= 0 || name === '') {
      problems.push(
        commandLineProblem(`--input ${assignment}`, 'INPUT_MALFORMED', 'expected name=value', 'Write --input name=value, e.g. --input status=NEW.'),
      );
      continue;
    }
    if (Object.hasOwn(values, name)) {
      problems.push(commandLineProblem(`--input ${assignment}`, 'INPUT_DUPLICATE', `input "${name}" is given twice`, 'Pass each input once.'));
      continue;
    }
    values[name] = assignment.slice(equals + 1);
  }
  if (problems.length > 0) throw new ChainValidationError('--input', problems);
  return values;
}

/**
 * The inputs a run evaluates expressions with. String values (from the command line) are coerced to
 * the declared type; other values must already have it. Throws a `ChainValidationError` listing
 * every unknown, ill-typed and missing input.
 */
export function resolveChainInputs(chain: ChainDefinition, provided: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const declared = new Map(chain.inputs.map((input) => [input.name, input]));
  const names = chain.inputs.map((input) => input.name);
  const resolved: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const problems: ChainFileProblem[] = [];
  for (const [name, value] of Object.entries(provided)) {
    const input = declared.get(name);
    if (!input) {
      const known = names.length === 0 ? `The chain "${chain.name}" declares no inputs.` : suggestionHint(name, names, 'inputs');
      problems.push(commandLineProblem(`--input ${name}`, 'INPUT_UNKNOWN', `chain "${chain.name}" has no input "${name}"`, known));
      continue;
    }
    if (typeof value === 'string') {
      const coerced = coerceInputText(input.type, value);
      if (coerced.ok) resolved[name] = coerced.value;
      else problems.push(commandLineProblem(`--input ${name}`, 'INPUT_TYPE', `${coerced.problem}; input "${name}" is declared as ${input.type}`, coerced.hint));
      continue;
    }
    const problem = checkInputValue(input.type, value);
    if (problem === undefined) resolved[name] = value;
    else
      problems.push(
        commandLineProblem(
          `--input ${name}`,
          'INPUT_TYPE',
          `the value ${problem}; input "${name}" is declared as ${input.type}`,
          `Pass ${input.type === 'integer' || input.type === 'array' || input.type === 'object' ? 'an' : 'a'} ${input.type}.`,
        ),
      );
  }
  for (const input of chain.inputs) {
    if (Object.hasOwn(resolved, input.name) || Object.hasOwn(provided, input.name)) continue;
    if (input.default !== undefined) resolved[input.name] = input.default;
    else if (input.required) {
      problems.push({
        file: chain.file,
        line: input.position.line,
        column: input.position.column,
        pointer: input.position.pointer,
        code: 'INPUT_REQUIRED',
        detail: `input "${input.name}" is required and has no default`,
        hint: `Pass --input ${input.name}=<${input.type}>${input.description ? ` (${input.description})` : ''}.`,
      });
    }
  }
  if (problems.length > 0) throw new ChainValidationError(chain.file, problems);
  return { ...resolved };
}
