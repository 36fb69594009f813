/**
 * The risk gate (`packs.md`): a write needs `--confirm-write`, a destructive call
 * `--confirm-destructive` (the write confirmation does not cover it). A `batch` needs the flag of
 * every class among its commands: writes and a hidden `crm.lead.delete` need both. Pure.
 */
import { RefusalError } from '../errors/index.ts';
import { classifyMethodRisk, isBatchMethod, parseBatchCommands, type RiskClass } from '../protocol/index.ts';

export type ConfirmationFlag = '--confirm-write' | '--confirm-destructive';

export interface Confirmations {
  confirmWrite: boolean;
  confirmDestructive: boolean;
}

/** One part of the call that needs a confirmation: the method itself, or a batch command. */
export interface RiskyPart {
  /** The batch command's name; undefined for the method itself. */
  command?: string;
  method: string;
  risk: Exclude<RiskClass, 'read'>;
}

const flagOf: Record<RiskyPart['risk'], ConfirmationFlag> = { write: '--confirm-write', destructive: '--confirm-destructive' };

/** The parts of a call that write or delete: the method, or each such command of a batch. */
export function riskyParts(method: string, params: Record<string, unknown>): RiskyPart[] {
  if (!isBatchMethod(method)) {
    const risk = classifyMethodRisk(method, params);
    return risk === 'read' ? [] : [{ method, risk }];
  }
  const parts: RiskyPart[] = [];
  for (const command of parseBatchCommands(params)) {
    const risk = classifyMethodRisk(command.method, command.params);
    if (risk !== 'read') parts.push({ command: command.name, method: command.method, risk });
  }
  return parts;
}

/** The flags a call needs, in a fixed order (write first). */
export function requiredConfirmations(method: string, params: Record<string, unknown>): ConfirmationFlag[] {
  const risks = new Set(riskyParts(method, params).map((part) => part.risk));
  return (['write', 'destructive'] as const).filter((risk) => risks.has(risk)).map((risk) => flagOf[risk]);
}

function isGiven(flag: ConfirmationFlag, given: Confirmations): boolean {
  return flag === '--confirm-write' ? given.confirmWrite : given.confirmDestructive;
}

function describePart(part: RiskyPart): string {
  return part.command === undefined ? part.method : `"${part.command}" (${part.method})`;
}

/**
 * Refuses (`CONFIRMATION_REQUIRED`, exit 2) when a needed flag is missing, naming every flag and the
 * commands that need it. `retryHint` says how to run it again (the same command, or the plan's).
 */
export function checkConfirmations(method: string, params: Record<string, unknown>, given: Confirmations, retryHint: string): void {
  const parts = riskyParts(method, params);
  const missing = requiredConfirmations(method, params).filter((flag) => !isGiven(flag, given));
  if (missing.length === 0) return;
  const reasons = missing.map((flag) => {
    const risk = flag === '--confirm-write' ? 'write' : 'destructive';
    const found = parts.filter((part) => part.risk === risk);
    if (found.every((part) => part.command === undefined)) return `a ${risk} call needs ${flag}`;
    const what = found.map(describePart);
    const shown = what.length > 5 ? `${what.slice(0, 5).join(', ')} and ${what.length - 5} more` : what.join(', ');
    return `${risk} ${what.length === 1 ? 'command' : 'commands'} ${shown} ${what.length === 1 ? 'needs' : 'need'} ${flag}`;
  });
  const risk: RiskClass = missing.includes('--confirm-destructive') ? 'destructive' : 'write';
  throw new RefusalError(`${method}: ${reasons.join('; ')}; nothing was sent (CONFIRMATION_REQUIRED).`, {
    code: 'CONFIRMATION_REQUIRED',
    hint: `${retryHint} with ${missing.join(' ')}.`,
    subject: method,
    details: { risk, missing, parts },
  });
}
