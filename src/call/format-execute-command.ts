/** The exact command that executes a stored plan, confirmation flags included. Pure. */
import type { CallPlan } from '../store/index.ts';
import { requiredConfirmations } from './check-confirmations.ts';

export interface ExecuteCommandOptions {
  /** The program and subcommand (default `chain call`). */
  program?: readonly string[];
  /** `--idempotency-key` given when the plan was made: repeated so the execution carries it. */
  idempotencyKey?: string | undefined;
  /** `--no-idempotency` given when the plan was made. */
  idempotencyDisabled?: boolean;
  /** Arguments the execution needs too, such as `--db PATH`. */
  extraArguments?: readonly string[];
}

/** `chain call --execute-plan ID --confirm-write --packs core ...` as an argument vector. */
export function executePlanArguments(plan: CallPlan, options: ExecuteCommandOptions = {}): string[] {
  const argv = [...(options.program ?? ['chain', 'call']), '--execute-plan', plan.id];
  argv.push(...requiredConfirmations(plan.body.method, plan.body.params));
  argv.push('--packs', plan.body.packs.join(','));
  if (plan.body.allowlist.length > 0) argv.push('--method-allowlist', plan.body.allowlist.join(','));
  if (plan.body.allowUnlisted) argv.push('--allow-unlisted');
  if (options.idempotencyDisabled === true) argv.push('--no-idempotency');
  else if (options.idempotencyKey !== undefined) argv.push('--idempotency-key', options.idempotencyKey);
  argv.push(...(options.extraArguments ?? []));
  return argv;
}

/** Quotes an argument for a POSIX shell only when it needs it. */
export function quoteShellArgument(argument: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(argument)) return argument;
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

export function formatShellCommand(argv: readonly string[]): string {
  return argv.map(quoteShellArgument).join(' ');
}
