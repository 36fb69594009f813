/**
 * Dead letters a person sent back with `chain worker dlq retry ID` go through the handler again on
 * the next pass, from their saved payload (the portal row was cleared when the row was dead-lettered).
 * Done → `resolved`; failed again → `dead` with the new error; a run that failed as a whole leaves them
 * waiting.
 */
import { checkEventRow, type HandlerEvent } from './event-row.ts';
import type { DeadLetter, DeadLetterSource, DeadLetterStore } from '../store/index.ts';
import { EventsRefusedError } from './event-errors.ts';
import { findUnknownWrites, riskyWrites } from './find-unknown-writes.ts';
import { runHandler, type HandlerRunOptions } from './run-handler.ts';

export interface RetryDeadLettersInput {
  deadLetters: DeadLetterStore;
  handlerRun: HandlerRunOptions;
  portal: string;
  source: DeadLetterSource;
  limit: number;
  onRetried?: (deadLetterId: number, status: 'resolved' | 'dead') => void;
}

/**
 * Before `chain worker dlq retry ID`: a dead letter whose write outcome is unknown, with a write that no
 * natural key can look up and that is not safe to send again, may apply its effect twice. Refused
 * (`DEAD_LETTER_UNSAFE_RETRY`, exit 2) unless `force`; with `force` the warning to print is returned.
 */
export function checkDeadLetterRetry(letter: DeadLetter, force: boolean): string | undefined {
  const { risky, writes } = riskyWrites(letter);
  if (!risky) return undefined;
  const what =
    writes.length > 0
      ? `the outcome of ${writes.map((write) => `${write.stepId}.${write.subStepId} (${write.method})`).join(', ')} is unknown and ${writes.length > 1 ? 'these writes have' : 'that write has'} no natural key to look ${writes.length > 1 ? 'them' : 'it'} up by`
      : "a write's outcome is unknown and the dead letter does not record which write, so nothing can look it up";
  const effect = `row ${letter.rowId} (${letter.eventName}) was given up on because ${what}; a retry may apply its effect twice`;
  if (force) return `chain worker dlq retry ${letter.id}: warning: ${effect} (DEAD_LETTER_UNSAFE_RETRY); retrying anyway (--force).`;
  throw new EventsRefusedError(`chain worker dlq retry ${letter.id}: ${effect} (DEAD_LETTER_UNSAFE_RETRY).`, {
    code: 'DEAD_LETTER_UNSAFE_RETRY',
    hint: `Check the portal for the effect first: if it is missing, retry with \`chain worker dlq retry ${letter.id} --force\`; if it is there, \`chain worker dlq drop ${letter.id}\`.`,
    subject: `dead letter ${letter.id}`,
    details: { id: letter.id, rowId: letter.rowId, eventName: letter.eventName, unknownWrites: letter.unknownWrites ?? null },
  });
}

/** Returns how many dead letters were settled (resolved or dead again). */
export async function retryDeadLetters(input: RetryDeadLettersInput): Promise<number> {
  const letters = input.deadLetters.waitingForRetry(input.portal, input.source, input.limit);
  if (letters.length === 0) return 0;
  const byRowId = new Map<string, number>();
  const eventOf = new Map<string, HandlerEvent>();
  const events: HandlerEvent[] = [];
  let settled = 0;
  for (const letter of letters) {
    const checked = checkEventRow(letter.payload);
    if (!checked.ok) {
      input.deadLetters.failAgain(letter.id, { code: 'MALFORMED_EVENT', message: `dead letter ${letter.id} is still malformed: ${checked.problem}` });
      input.onRetried?.(letter.id, 'dead');
      settled += 1;
    } else if (!byRowId.has(checked.event.ID)) {
      byRowId.set(checked.event.ID, letter.id);
      eventOf.set(checked.event.ID, checked.event);
      events.push(checked.event);
    }
  }
  if (events.length === 0) return settled;
  const result = await runHandler(input.handlerRun, events);
  for (const [rowId, verdict] of result.verdicts) {
    const id = byRowId.get(rowId);
    if (id === undefined || verdict.status === 'unsettled') continue;
    if (verdict.status === 'done') input.deadLetters.setStatus(id, 'resolved');
    else if (verdict.status === 'unknown')
      input.deadLetters.failAgain(
        id,
        verdict.error,
        await findUnknownWrites(input.handlerRun.handler, input.handlerRun.runs, result.runId, eventOf.get(rowId) as HandlerEvent),
      );
    else input.deadLetters.failAgain(id, verdict.error);
    input.onRetried?.(id, verdict.status === 'done' ? 'resolved' : 'dead');
    settled += 1;
  }
  return settled;
}
