import type { Command } from 'commander';
import { parseInputAssignments, resolveChainInputs, validateChainFile, type ChainMethodUse, type ValidationReport } from '../../chain/index.ts';
import { formatChainFileProblem, isChainValidationError } from '../../errors/index.ts';
import { ExitCode, returnsExitCode } from '../exit-code.ts';

interface ValidateOptions {
  json?: boolean;
  input: string[];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** With `--input`, the inputs are checked against each valid chain too (unknown, ill-typed, missing). */
function checkInputs(report: ValidationReport, assignments: Record<string, string>): ValidationReport {
  if (!report.valid || !report.chain) return report;
  try {
    resolveChainInputs(report.chain, assignments);
    return report;
  } catch (error) {
    if (!isChainValidationError(error)) throw error;
    return { ...report, valid: false, problems: error.problems.map((problem) => problem.toProblem()) };
  }
}

/** The `--json` shape of one file (stable: agents rely on it). */
export function reportToJson(report: ValidationReport): Record<string, unknown> {
  return {
    file: report.file,
    valid: report.valid,
    problems: report.problems.map((problem) => ({
      line: problem.line,
      column: problem.column,
      code: problem.code,
      message: problem.detail,
      hint: problem.hint,
    })),
    warnings: report.warnings.map((warning) => ({
      line: warning.line,
      column: warning.column,
      code: warning.code,
      message: warning.detail,
      hint: warning.hint,
    })),
    writes: report.summary.writes,
    destructive: report.summary.destructive,
    scopes: report.summary.scopes,
  };
}

function describeUse(use: ChainMethodUse): string {
  const where = use.parent !== undefined ? `${use.parent} > ${use.step}` : use.command !== undefined ? `${use.step} > ${use.command}` : use.step;
  return `    ${where}: ${use.method} (line ${use.line})`;
}

/** `file:line:column: warning: what (CODE). hint`: the problem form, marked as a warning. */
function formatWarning(warning: ValidationReport['warnings'][number]): string {
  return formatChainFileProblem({ ...warning, detail: `warning: ${warning.detail}` });
}

/** The text a person reads for one file: every problem on its own line, or what a valid chain does; warnings either way. */
export function reportToText(report: ValidationReport): string {
  const warnings = report.warnings.map((warning) => `${formatWarning(warning)}\n`).join('');
  if (!report.valid) return `${report.problems.map(formatChainFileProblem).join('\n')}\n${warnings}`;
  const { writes, destructive, scopes, methodsWithoutScope } = report.summary;
  const lines = [`${report.file}: valid chain "${report.chain?.name ?? ''}"`];
  lines.push(writes.length === 0 ? '  writes: none' : '  writes (need --confirm-write):', ...writes.map(describeUse));
  lines.push(destructive.length === 0 ? '  destructive: none' : '  destructive (need --confirm-destructive too):', ...destructive.map(describeUse));
  lines.push(`  scopes: ${scopes.length === 0 ? 'none' : scopes.join(', ')}`);
  if (methodsWithoutScope.length > 0) lines.push(`  scope unknown for: ${methodsWithoutScope.join(', ')}`);
  return `${warnings}${lines.join('\n')}\n`;
}

/** `chain validate FILE...`: schema and semantic checks of every file at once; never sends a request. */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('Check chain files (YAML, schema, references, packs, write keys) and list their writes and scopes; sends no request.')
    .argument('<files...>', 'chain files (.yml)')
    .option('--input <name=value>', 'also check these inputs against each chain (repeatable)', collect, [])
    .option('--json', 'print one JSON document: {files:[{file, valid, problems, warnings, writes, destructive, scopes}]}')
    .action(
      returnsExitCode(async (files: string[], options: ValidateOptions) => {
        let assignments: Record<string, string> | undefined;
        try {
          assignments = options.input.length > 0 ? parseInputAssignments(options.input) : undefined;
        } catch (error) {
          if (!isChainValidationError(error)) throw error;
          const problems = error.problems.map((problem) => problem.toProblem());
          if (options.json)
            process.stdout.write(
              `${JSON.stringify({ files: [reportToJson({ file: '--input', valid: false, problems, warnings: [], sha256: '', summary: { writes: [], destructive: [], scopes: [], methodsWithoutScope: [] } })] }, null, 2)}\n`,
            );
          else process.stdout.write(`${problems.map(formatChainFileProblem).join('\n')}\n`);
          return ExitCode.refused;
        }
        const reports: ValidationReport[] = [];
        for (const file of files) {
          const report = await validateChainFile(file);
          reports.push(assignments ? checkInputs(report, assignments) : report);
        }
        const problemCount = reports.reduce((total, report) => total + report.problems.length, 0);
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ files: reports.map(reportToJson) }, null, 2)}\n`);
        } else {
          for (const report of reports) process.stdout.write(reportToText(report));
          if (problemCount > 0) {
            const invalid = reports.filter((report) => !report.valid).length;
            process.stderr.write(
              `${problemCount} problem${problemCount === 1 ? '' : 's'} in ${invalid} of ${reports.length} file${reports.length === 1 ? '' : 's'}.\n`,
            );
          }
        }
        return problemCount > 0 ? ExitCode.refused : ExitCode.ok;
      }),
    );
}
