/**
 * A test-only `chain` with just `call` and `audit`, run as a child process the way a user runs the
 * real binary (`node --import tsx call-cli-entry.ts call ...`), until the lead registers both commands
 * in `src/cli/main.ts`.
 */
import { Command, CommanderError } from 'commander';
import { registerAuditCommand } from '../../../src/cli/commands/audit.ts';
import { registerCallCommand } from '../../../src/cli/commands/call.ts';
import { ExitCode, reportExitCode, takeExitCode } from '../../../src/cli/exit-code.ts';

const program = new Command('chain').exitOverride().configureOutput({ writeErr: (text) => process.stderr.write(text) });
registerCallCommand(program);
registerAuditCommand(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) {
    process.stderr.write(`chain: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    reportExitCode(ExitCode.failed);
  } else if (error.exitCode !== 0) {
    reportExitCode(ExitCode.refused);
  }
}
process.exitCode = takeExitCode();
