/**
 * A batch as the walker and the item settlement read it: results, errors and the commands that did not
 * run, by name. Made from the port's per-command outcomes in one place; an outcome the portal may or may
 * not have applied is never folded into these maps: it is thrown as `OutcomeUnknownError`, so the
 * caller reconciles before anything is sent again.
 */
import { unknownCommands, type BatchOptions, type BatchResult, type PortalClient } from '../client/index.ts';
import { OutcomeUnknownError } from '../errors/index.ts';

/** One structured command (the runner never sends encoded `method?query` strings). */
export interface StepCommand {
  method: string;
  params: Record<string, unknown>;
}

export interface BatchAnswer {
  /** Results by command name. */
  results: Record<string, unknown>;
  /** Errors by command name. */
  errors: Record<string, { code: string; message: string; retryable: boolean }>;
  /** Commands that did not run (halted): safe to send again. */
  notExecuted: string[];
  /** Writes whose lost answer reconciliation could not settle: they may or may not have run. */
  unknown?: string[];
}

/** The port's outcomes as a `BatchAnswer`; throws when an outcome is unknown or nothing was answered. */
export function toBatchAnswer(result: BatchResult): BatchAnswer {
  const unknown = unknownCommands(result);
  if (unknown.length > 0) {
    throw new OutcomeUnknownError({ method: 'batch', commands: unknown, reason: 'the answer was lost', ...(result.failure ? { cause: result.failure } : {}) });
  }
  const answer: BatchAnswer = { results: {}, errors: {}, notExecuted: [] };
  for (const [name, outcome] of Object.entries(result.outcomes)) {
    if (outcome.status === 'done') answer.results[name] = outcome.result;
    else if (outcome.status === 'failed')
      answer.errors[name] = { code: outcome.error.bitrixCode, message: outcome.error.description || outcome.error.message, retryable: outcome.error.retryable };
    else answer.notExecuted.push(name);
  }
  if (result.failure && Object.keys(answer.results).length === 0 && Object.keys(answer.errors).length === 0) throw result.failure;
  return answer;
}

/** Sends named commands through the port and reads the answer as a `BatchAnswer`. */
export async function sendBatchAnswer(
  client: PortalClient,
  commands: Record<string, StepCommand>,
  options: BatchOptions & { halt: boolean },
): Promise<BatchAnswer> {
  return toBatchAnswer(await client.batch(commands, options));
}
