import { B24ChainError } from './b24chain-error.ts';

/**
 * This process no longer owns the run or worker queue it was working on (another process took it over
 * after this one looked dead): it stops before writing another checkpoint (DESIGN.md §11).
 */
export class LeaseLostError extends B24ChainError {
  override name = 'LeaseLostError';
  constructor(
    readonly resource: string,
    message: string,
  ) {
    super(message, { code: 'LEASE_LOST', hint: 'Nothing more was written by this process; chain status shows who owns it now.' });
  }
}

export function isLeaseLostError(value: unknown): value is LeaseLostError {
  return value instanceof LeaseLostError || (value instanceof Error && value.name === 'LeaseLostError');
}
