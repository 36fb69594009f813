/** Exit codes of every `chain` command (DESIGN.md §1), and how an action's exit code reaches `main`. */
import { Command } from 'commander';

export const ExitCode = {
  /** Done. */
  ok: 0,
  /** A Bitrix24 or network error the command could not get past. */
  failed: 1,
  /** Bad input or a refusal (schema, pack, scope, missing confirmation, plan mismatch). */
  refused: 2,
  /** Interrupted or waiting for a decision; resumable. */
  interrupted: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code each parsed program's action returned; keyed by the root command, so nothing outlives a `main` call. */
const actionExitCodes = new WeakMap<Command, number>();

function rootOf(command: Command): Command {
  let root = command;
  while (root.parent) root = root.parent;
  return root;
}

/**
 * Wraps a command's action so that it returns its exit code: commander drops an action's return value,
 * so the wrapper keeps it for `main` (`exitCodeReturned(program)`), against the program the action ran in.
 */
export function returnsExitCode<Args extends unknown[]>(action: (...args: Args) => number | Promise<number>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const exitCode = await action(...(args as Args));
    const command = args.at(-1);
    if (command instanceof Command) actionExitCodes.set(rootOf(command), exitCode);
  };
}

/** The exit code the action that `program` ran returned; 0 when none ran (help, version). */
export function exitCodeReturned(program: Command): number {
  return actionExitCodes.get(program) ?? ExitCode.ok;
}
