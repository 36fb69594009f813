/**
 * A test-only `chain` with the event commands (worker, worker dlq, events, serve-events), run as a
 * child process the way a user runs the real binary, until the lead registers them in `src/cli/main.ts`.
 */
import { Command, CommanderError } from 'commander';
import { registerEventsCommands } from '../../../src/cli/commands/events.ts';
import { registerServeEventsCommand } from '../../../src/cli/commands/serve-events.ts';
import { registerWorkerCommands } from '../../../src/cli/commands/worker.ts';
import { ExitCode, reportExitCode, takeExitCode } from '../../../src/cli/exit-code.ts';

const program = new Command('chain').exitOverride().configureOutput({ writeErr: (text) => process.stderr.write(text) });
registerWorkerCommands(program);
registerEventsCommands(program);
registerServeEventsCommand(program);
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
