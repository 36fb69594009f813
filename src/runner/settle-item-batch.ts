/**
 * What a batch answer means for every item in it: done, retried next round (not executed, or a
 * transient error with attempts left), outcome unknown, or failed and handled by its `on_error`.
 * A run settles the portal's answer with it; a plan settles the answer of its counting effects.
 */
import type { ForEachStep } from '../chain/index.ts';
import type { CompiledItem, ItemCommand } from './compile-item-commands.ts';
import type { ItemState } from './item-state.ts';
import type { SubStepUpdate } from '../store/index.ts';
import type { BatchAnswer } from './batch-answer.ts';

/** An item whose commands keep being halted by others' failures gives up after this many rounds. */
const MAX_ROUNDS_PER_SUB_STEP = 25;

export type ItemVerdict =
  | { item: ItemState; status: 'retry' }
  | { item: ItemState; status: 'done' | 'skipped' | 'dead_letter' | 'failed'; error?: { code: string; message: string }; stop?: boolean }
  | { item: ItemState; status: 'unknown'; unknown: Array<{ itemKey: string; subStepId: string; method: string }> };

export interface BatchSettlement {
  subSteps: SubStepUpdate[];
  items: ItemVerdict[];
}

export function settleItemBatch(step: ForEachStep, members: readonly CompiledItem[], answer: BatchAnswer): BatchSettlement {
  const subSteps: SubStepUpdate[] = [];
  const items: ItemVerdict[] = [];
  for (const { item, commands: itemCommands } of members) {
    let failure: { command: ItemCommand; code: string; message: string } | undefined;
    let unknown: Array<{ itemKey: string; subStepId: string; method: string }> = [];
    for (const command of itemCommands) {
      const subStepId = command.subStep.id;
      const base = { stepId: step.id, itemKey: item.key, subStepId, method: command.method };
      const attempts = (item.attempts.get(subStepId) ?? 0) + 1;
      item.attempts.set(subStepId, attempts);
      if (command.name in answer.results) {
        const result = answer.results[command.name];
        item.statuses.set(subStepId, 'done');
        item.results.set(subStepId, result);
        subSteps.push({ ...base, status: 'done', result, error: null });
      } else if (answer.unknown?.includes(command.name)) {
        unknown.push(base);
        subSteps.push({ ...base, status: 'sent' });
      } else if (command.name in answer.errors) {
        const error = answer.errors[command.name] as { code: string; message: string; retryable: boolean };
        const maxAttempts = command.subStep.retry?.attempts ?? step.retry?.attempts ?? 1;
        if (error.retryable && attempts < maxAttempts) {
          item.statuses.set(subStepId, 'pending');
          subSteps.push({ ...base, status: 'pending', error: { code: error.code, message: error.message } });
        } else {
          item.statuses.set(subStepId, 'failed');
          subSteps.push({ ...base, status: 'failed', error: { code: error.code, message: error.message } });
          failure ??= { command, code: error.code, message: error.message };
        }
      } else if (attempts >= MAX_ROUNDS_PER_SUB_STEP) {
        item.statuses.set(subStepId, 'failed');
        const message = `${command.method} was not executed in ${attempts} rounds (halted by other commands)`;
        subSteps.push({ ...base, status: 'failed', error: { code: 'NOT_EXECUTED', message } });
        failure ??= { command, code: 'NOT_EXECUTED', message };
      } else {
        item.statuses.set(subStepId, 'pending');
        if (command.subStep.risk !== 'read') subSteps.push({ ...base, status: 'pending' });
      }
    }
    if (unknown.length > 0) {
      items.push({ item, status: 'unknown', unknown });
      unknown = [];
    } else if (failure) {
      const onError = failure.command.subStep.onError;
      const error = {
        code: failure.code,
        message: `${step.id}.${failure.command.subStep.id} (${failure.command.method}) for item ${item.key}: ${failure.message}`,
      };
      if (onError === 'skip') items.push({ item, status: 'skipped', error });
      else if (onError === 'dead_letter') items.push({ item, status: 'dead_letter', error });
      else items.push({ item, status: 'failed', error, stop: true });
    } else {
      const finished = step.do.every((subStep) => ['done', 'skipped'].includes(item.statuses.get(subStep.id) ?? 'pending'));
      items.push(finished ? { item, status: 'done' } : { item, status: 'retry' });
    }
  }
  return { subSteps, items };
}
