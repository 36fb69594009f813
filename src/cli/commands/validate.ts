import type { Command } from 'commander';
import { validateChainFile, type ChainMethodUse, type ValidationReport } from '../../chain/index.ts';
import { formatChainFileProblem } from '../../errors/chain-file-error.ts';
import { ExitCode, reportExitCode } from '../exit-code.ts';

interface ValidateOptions {
  json?: boolean;
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
    writes: report.summary.writes,
    destructive: report.summary.destructive,
    scopes: report.summary.scopes,
  };
}

function describeUse(use: ChainMethodUse): string {
  const where = use.parent !== undefined ? `${use.parent} > ${use.step}` : use.command !== undefined ? `${use.step} > ${use.command}` : use.step;
  return `    ${where}: ${use.method} (line ${use.line})`;
}

/** The text a person reads for one file: every problem on its own line, or what a valid chain does. */
export function reportToText(report: ValidationReport): string {
  if (!report.valid) return `${report.problems.map(formatChainFileProblem).join('\n')}\n`;
  const { writes, destructive, scopes, methodsWithoutScope } = report.summary;
  const lines = [`${report.file}: valid chain "${report.chain?.name ?? ''}"`];
  lines.push(writes.length === 0 ? '  writes: none' : '  writes (need --confirm-write):', ...writes.map(describeUse));
  lines.push(destructive.length === 0 ? '  destructive: none' : '  destructive (need --confirm-destructive too):', ...destructive.map(describeUse));
  lines.push(`  scopes: ${scopes.length === 0 ? 'none' : scopes.join(', ')}`);
  if (methodsWithoutScope.length > 0) lines.push(`  scope unknown for: ${methodsWithoutScope.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** `chain validate FILE...`: schema and semantic checks of every file at once; never sends a request. */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('Check chain files (YAML, schema, references, packs, write keys) and list their writes and scopes; sends no request.')
    .argument('<files...>', 'chain files (.yml)')
    .option('--json', 'print one JSON document: {files:[{file, valid, problems, writes, destructive, scopes}]}')
    .action(async (files: string[], options: ValidateOptions) => {
      const reports: ValidationReport[] = [];
      for (const file of files) reports.push(await validateChainFile(file));
      const problemCount = reports.reduce((total, report) => total + report.problems.length, 0);
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ files: reports.map(reportToJson) }, null, 2)}\n`);
      } else {
        for (const report of reports) process.stdout.write(reportToText(report));
        if (problemCount > 0) {
          const invalid = reports.filter((report) => !report.valid).length;
          process.stderr.write(`${problemCount} problem${problemCount === 1 ? '' : 's'} in ${invalid} of ${reports.length} file${reports.length === 1 ? '' : 's'}.\n`);
        }
      }
      if (problemCount > 0) reportExitCode(ExitCode.refused);
    });
}
