/**
 * Commands return their exit code: what `main` returns is what the action of that program returned,
 * with no state shared between programs (two `chain` invocations in one process, as the MCP server and
 * the tests make, never see each other's code).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { registerPacksCommands } from '../../src/cli/commands/packs.ts';
import { exitCodeReturned, returnsExitCode } from '../../src/cli/exit-code.ts';

const quiet = { stdout: () => undefined, stderr: () => undefined };

function packsProgram(): Command {
  const program = new Command('chain').exitOverride();
  registerPacksCommands(program, quiet);
  return program;
}

describe('exit codes returned by commands', () => {
  it('is the code the action of that program returned, whatever another program returned before or at the same time', async () => {
    const refused = packsProgram();
    const listed = packsProgram();
    await Promise.all([refused.parseAsync(['node', 'chain', 'methods', '--pack', 'bogus']), listed.parseAsync(['node', 'chain', 'packs'])]);
    assert.equal(exitCodeReturned(refused), 2);
    assert.equal(exitCodeReturned(listed), 0);
    const again = packsProgram();
    await again.parseAsync(['node', 'chain', 'methods', '--pack', 'core']);
    assert.equal(exitCodeReturned(again), 0);
  });

  it('reaches the root program from a sub-command', async () => {
    const program = new Command('chain').exitOverride();
    program
      .command('worker')
      .command('dlq')
      .command('list')
      .action(returnsExitCode(() => 3));
    await program.parseAsync(['node', 'chain', 'worker', 'dlq', 'list']);
    assert.equal(exitCodeReturned(program), 3);
  });

  it('is 0 when no action ran', () => {
    assert.equal(exitCodeReturned(packsProgram()), 0);
  });
});
