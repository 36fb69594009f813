import { Command, CommanderError } from 'commander';
import { ExitCode, reportExitCode, takeExitCode } from './exit-code.ts';
import { printRefusal } from './print-refusal.ts';
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
import { registerMcpCommand } from './commands/mcp.ts';
import { registerApproveCommands } from './commands/approve.ts';

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
  registerMcpCommand(program);
  registerApproveCommands(program);
  return program;
}

/** Runs the CLI and returns the process exit code (DESIGN.md §1). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.ok;
      return ExitCode.refused;
    }
    if (!printRefusal(error, argv.includes('--json'))) {
      process.stderr.write(`chain: unexpected error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      reportExitCode(ExitCode.failed);
    }
  }
  return takeExitCode();
}
