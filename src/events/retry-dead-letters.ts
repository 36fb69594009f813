/**
 * Dead letters a person sent back with `chain worker dlq retry ID` go through the handler again on
 * the next pass, from their saved payload (the portal row was cleared when the row was dead-lettered).
 * Done → `resolved`; failed again → `dead` with the new error; a run that failed as a whole leaves them
 * waiting.
 */
import { checkEventRow, type HandlerEvent } from './event-row.ts';
import type { DeadLetterSource, DeadLetterStore } from './dead-letter-store.ts';
import { runHandler, type HandlerRunOptions } from './run-handler.ts';

export interface RetryDeadLettersInput {
  deadLetters: DeadLetterStore;
  handlerRun: HandlerRunOptions;
  portal: string;
  source: DeadLetterSource;
  limit: number;
  onRetried?: (deadLetterId: number, status: 'resolved' | 'dead') => void;
}

/** Returns how many dead letters were settled (resolved or dead again). */
export async function retryDeadLetters(input: RetryDeadLettersInput): Promise<number> {
  const letters = input.deadLetters.waitingForRetry(input.portal, input.source, input.limit);
  if (letters.length === 0) return 0;
  const byRowId = new Map<string, number>();
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
      events.push(checked.event);
    }
  }
  if (events.length === 0) return settled;
  const result = await runHandler(input.handlerRun, events);
  for (const [rowId, verdict] of result.verdicts) {
    const id = byRowId.get(rowId);
    if (id === undefined || verdict.status === 'unsettled') continue;
    if (verdict.status === 'done') input.deadLetters.setStatus(id, 'resolved');
    else input.deadLetters.failAgain(id, verdict.error);
    input.onRetried?.(id, verdict.status === 'done' ? 'resolved' : 'dead');
    settled += 1;
  }
  return settled;
}
