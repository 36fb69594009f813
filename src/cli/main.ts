import { Command, CommanderError } from 'commander';
import { ExitCode, exitCodeReturned } from './exit-code.ts';
import { printRefusal, refusalDocument } from './print-refusal.ts';
import { registerEmulatorCommand } from './commands/emulator.ts';
import { registerValidateCommand } from './commands/validate.ts';
import { registerPacksCommands } from './commands/packs.ts';
import { registerRunCommands } from './commands/run.ts';
import { registerPlanCommand } from './commands/plan.ts';
import { registerStatusCommand } from './commands/status.ts';
import { registerCallCommand } from './commands/call.ts';
import { registerAuditCommand } from './commands/audit.ts';
import { registerWorkerCommands } from './commands/worker.ts';
import { registerEventsCommands } from './commands/events.ts';
import { registerServeEventsCommand } from './commands/serve-events.ts';
import { registerListCommand } from './commands/list.ts';
import { registerMcpCommand } from './commands/mcp.ts';
import { registerApproveCommands } from './commands/approve.ts';
import { registerFleetCommands } from './commands/fleet.ts';

export function buildProgram(): Command {
  const program = new Command('chain')
    .description('Reusable Bitrix24 integration recipes in YAML, run safely and as fast as the portal allows.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerEmulatorCommand(program);
  registerValidateCommand(program);
  registerPacksCommands(program);
  registerRunCommands(program);
  registerPlanCommand(program);
  registerStatusCommand(program);
  registerCallCommand(program);
  registerAuditCommand(program);
  registerWorkerCommands(program);
  registerEventsCommands(program);
  registerServeEventsCommand(program);
  registerListCommand(program);
  registerMcpCommand(program);
  registerApproveCommands(program);
  registerFleetCommands(program);
  return program;
}

/**
 * A closed stdout or stderr (`chain methods | head -1`) ends the command quietly with exit 0, as a
 * pipeline expects, instead of an unhandled EPIPE with a stack trace.
 */
const guardedStreams = new WeakSet<NodeJS.WriteStream>();

function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  if (guardedStreams.has(stream)) return;
  guardedStreams.add(stream);
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(ExitCode.ok);
    throw error;
  });
}

/** A usage error commander already printed on stderr; with `--json`, stdout still gets the refusal document. */
function reportUsageError(error: CommanderError, json: boolean): number {
  if (json) {
    const message = `${error.message
      .replace(/^error: /, '')
      .trim()
      .replace(/\.$/, '')} (USAGE_INVALID).`;
    const hint = 'Run chain help COMMAND for the options it takes.';
    process.stdout.write(
      `${JSON.stringify(refusalDocument([{ name: 'UsageError', code: 'USAGE_INVALID', message: `${message} ${hint}`, hint }], ExitCode.refused))}\n`,
    );
  }
  return ExitCode.refused;
}

/** Runs the CLI and returns the process exit code (DESIGN.md §1). */
export async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.ok;
      return reportUsageError(error, argv.includes('--json'));
    }
    const exitCode = printRefusal(error, argv.includes('--json'));
    if (exitCode !== undefined) return exitCode;
    process.stderr.write(`chain: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return ExitCode.failed;
  }
  return exitCodeReturned(program);
}
