/** Why a run was refused before its first request, or stopped. */
import { B24ChainError } from '../errors/index.ts';
import { RefusalError } from '../errors/index.ts';

export interface PlannedWrite {
  step: string;
  method: string;
  risk: 'write' | 'destructive';
}

/** A write or destructive step without its confirmation flag: refused before any request (exit 2). */
export class ConfirmationRequiredError extends RefusalError {
  override name = 'ConfirmationRequiredError';
  constructor(
    readonly writes: PlannedWrite[],
    readonly flag: '--confirm-write' | '--confirm-destructive',
  ) {
    const list = writes.map((write) => `${write.step} (${write.method})`).join(', ');
    super(`The chain ${flag === '--confirm-write' ? 'writes' : 'deletes'}: ${list}; nothing was sent (CONFIRMATION_REQUIRED).`, {
      code: 'CONFIRMATION_REQUIRED',
      hint: `Review it with \`chain plan\`, then run again with ${flag}${flag === '--confirm-destructive' ? ' and --confirm-write' : ''}.`,
      details: { writes, flag },
    });
  }
}

/** Any other refusal: missing scope, plan mismatch, unfinished run, changed chain file (exit 2). */
export class RunRefusedError extends RefusalError {
  override name = 'RunRefusedError';
}

/** An `assert` step whose condition failed (exit 1). */
export class AssertionFailedError extends B24ChainError {
  override name = 'AssertionFailedError';
}

/** `chain plan` met what would stop the run (an item's read failing under `on_error: stop`): no plan (exit 1). */
export class PlanStoppedError extends B24ChainError {
  override name = 'PlanStoppedError';
}
