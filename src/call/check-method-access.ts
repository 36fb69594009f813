/**
 * The pack and allowlist gate (`packs.md`): a method is allowed when a selected pack or an allowlist
 * pattern covers it (the allowlist adds to the packs, as in the seed), or with `--allow-unlisted`. A
 * `batch` is judged by its commands, as the seed did (the container itself does nothing): every command
 * must pass, a nested `batch` is refused, and so is a batch the portal would refuse (empty, more than
 * 50 commands, a command it cannot read). Pure: throws a `RefusalError`, sends nothing.
 */
import { RefusalError } from '../errors/index.ts';
import { isValidMethodName } from '../protocol/index.ts';
import { methodAllowedByPacks, methodMatchesAnyPattern, noPack, packsForMethod } from '../protocol/index.ts';
import { isBatchMethod, parseBatchCommands, type ParsedBatchCommand } from '../protocol/index.ts';

export interface MethodAccess {
  /** Resolved pack names (`['none']` allows nothing by itself). */
  packs: readonly string[];
  /** Extra method patterns allowed on top of the packs. */
  allowlist: readonly string[];
  /** Skip the pack and allowlist check (the seed's `--allow-unlisted`); batch rules still apply. */
  allowUnlisted: boolean;
}

/** The portal refuses a batch of more than this many commands (`ERROR_BATCH_LENGTH_EXCEEDED`). */
export const maximumBatchCommands = 50;

/** Whether the packs or the allowlist cover a method (before `--allow-unlisted`). */
export function isMethodListed(method: string, access: MethodAccess): boolean {
  return methodAllowedByPacks(method, access.packs) || methodMatchesAnyPattern(method, access.allowlist);
}

function assertMethodName(method: string, subject: string): void {
  if (!isValidMethodName(method)) {
    throw new RefusalError(`${subject}: "${method}" is not a Bitrix24 method name (METHOD_NAME_INVALID).`, {
      code: 'METHOD_NAME_INVALID',
      hint: 'Use a dotted method name such as crm.lead.list (letters, digits, "_" and ".").',
      subject,
    });
  }
}

function accessHint(methods: readonly string[], access: MethodAccess): string {
  const packs = [...new Set(methods.flatMap((method) => packsForMethod(method)))];
  const selected = access.packs.filter((pack) => pack !== noPack);
  const widen =
    packs.length > 0 ? `Add the pack to --packs (e.g. --packs ${[...new Set([...selected, ...packs])].join(',')}), or allow` : 'No pack covers it; allow';
  return `${widen} exactly this with --method-allowlist ${methods.join(',')}. \`chain packs\` lists the packs.`;
}

function refuseUnlisted(subject: string, methods: readonly string[], access: MethodAccess): never {
  const packs = access.packs.join(',');
  const list = methods.join(', ');
  throw new RefusalError(
    `${subject}: ${list} ${methods.length === 1 ? 'is' : 'are'} outside the selected packs (${packs}) and the method allowlist; nothing was sent (METHOD_NOT_ALLOWED).`,
    {
      code: 'METHOD_NOT_ALLOWED',
      hint: accessHint(methods, access),
      subject,
      details: { methods: [...methods], packs: [...access.packs], allowlist: [...access.allowlist] },
    },
  );
}

function refuseBatch(code: string, what: string, hint: string, details: Record<string, unknown> = {}): never {
  throw new RefusalError(`batch: ${what}; nothing was sent (${code}).`, { code, hint, subject: 'batch', details });
}

function checkBatchCommands(commands: readonly ParsedBatchCommand[], access: MethodAccess): void {
  if (commands.length === 0) {
    refuseBatch('BATCH_EMPTY', 'no commands in params.cmd', 'Pass {"cmd": {"name": "method?query", ...}} with 1 to 50 commands.');
  }
  if (commands.length > maximumBatchCommands) {
    refuseBatch(
      'BATCH_TOO_LONG',
      `${commands.length} commands, the portal takes at most ${maximumBatchCommands}`,
      'Split it into several batch calls, or write a chain: `chain run` splits batches itself.',
    );
  }
  const malformed = commands.filter((command) => command.malformed).map((command) => command.name);
  if (malformed.length > 0) {
    refuseBatch(
      'BATCH_COMMAND_MALFORMED',
      `command ${malformed.join(', ')} is not a "method?query" string`,
      'Write each command as a string such as "crm.lead.get?id=5".',
      { commands: malformed },
    );
  }
  const nested = commands.filter((command) => isBatchMethod(command.method)).map((command) => command.name);
  if (nested.length > 0) {
    refuseBatch(
      'BATCH_NESTED',
      `command ${nested.join(', ')} is itself a batch, and a batch cannot contain another batch`,
      'Put the inner commands into the outer batch directly.',
      { commands: nested },
    );
  }
  for (const command of commands) assertMethodName(command.method, `batch command "${command.name}"`);
  if (access.allowUnlisted) return;
  const refused = [...new Set(commands.filter((command) => !isMethodListed(command.method, access)).map((command) => command.method))];
  if (refused.length > 0) refuseUnlisted('batch', refused, access);
}

/**
 * Refuses a method the packs and allowlist do not cover (`METHOD_NOT_ALLOWED`), a bad method name
 * (`METHOD_NAME_INVALID`), and a batch the portal or the packs would refuse (`BATCH_*`, every
 * command checked). Returns normally when the call may go on to the risk gate.
 */
export function checkMethodAccess(method: string, params: Record<string, unknown>, access: MethodAccess): void {
  assertMethodName(method, method.trim() === '' ? 'call' : method);
  if (isBatchMethod(method)) {
    checkBatchCommands(parseBatchCommands(params), access);
    return;
  }
  if (!access.allowUnlisted && !isMethodListed(method, access)) refuseUnlisted(method, [method], access);
}
