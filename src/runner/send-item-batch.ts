/**
 * Sends one compiled batch of item commands and decides what happened to every item: done, retried
 * next round (not executed, or a transient error with attempts left), or failed and handled by its
 * `on_error`. Writes are recorded as `sent` before the request leaves, so a crash at any moment
 * leaves a trace that resume reconciles; an answer that never came is reconciled right away.
 */
import { isOutcomeUnknownError } from '../errors/outcome-unknown-error.ts';
import type { ForEachStep } from '../chain/chain-model.ts';
import type { CompiledItem, ItemCommand } from './compile-item-commands.ts';
import type { ItemState } from './item-state.ts';
import { reconcileWrites } from './reconcile-writes.ts';
import type { ItemUpdate, RunStore, SubStepUpdate } from './run-store.ts';
import type { BatchAnswer, BatchCommandInput, RunnerClient } from './runner-client.ts';

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

export async function sendItemBatch(input: { runId: string; step: ForEachStep; client: RunnerClient; store: RunStore; members: CompiledItem[] }): Promise<BatchSettlement> {
  const { runId, step, client, store, members } = input;
  const commands: Record<string, BatchCommandInput> = {};
  const sent: SubStepUpdate[] = [];
  const started: ItemUpdate[] = [];
  let halt = false;
  let writes = false;
  for (const { item, commands: itemCommands } of members) {
    for (const command of itemCommands) {
      commands[command.name] = { method: command.method, params: command.params };
      halt ||= command.referencesBatch;
      if (command.subStep.risk !== 'read') {
        writes = true;
        if (!item.touched) started.push({ stepId: step.id, itemKey: item.key, status: 'pending', row: item.row });
        item.touched = true;
        sent.push({ stepId: step.id, itemKey: item.key, subStepId: command.subStep.id, status: 'sent', method: command.method, params: command.params });
      }
    }
  }
  if (sent.length > 0) store.record(runId, sent, started);

  let answer: BatchAnswer;
  try {
    answer = await client.batch(commands, { halt, write: writes });
  } catch (error) {
    if (!isOutcomeUnknownError(error)) {
      // The portal refused the whole request: nothing ran. Put the writes back and stop the run.
      store.record(runId, sent.map((update) => ({ ...update, status: 'pending' as const })), []);
      throw error;
    }
    answer = await reconcileAnswer(client, members);
  }

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
      } else if (command.name in answer.errors) {
        const error = answer.errors[command.name] as { code: string; message: string; retryable: boolean };
        const maxAttempts = command.subStep.retry?.attempts ?? step.retry?.attempts ?? 1;
        if (error.code === 'OUTCOME_UNKNOWN') {
          unknown.push(base);
          subSteps.push({ ...base, status: 'sent' });
        } else if (error.retryable && attempts < maxAttempts) {
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
      const error = { code: failure.code, message: `${step.id}.${failure.command.subStep.id} (${failure.command.method}) for item ${item.key}: ${failure.message}` };
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

/** The batch's answer was lost: learn from the portal which writes happened. */
async function reconcileAnswer(client: RunnerClient, members: CompiledItem[]): Promise<BatchAnswer> {
  const writes = members.flatMap(({ commands }) => commands.filter((command) => command.subStep.risk !== 'read'));
  const verdicts = await reconcileWrites(client, writes.map((command) => ({ id: command.name, method: command.method, params: command.params })));
  const answer: BatchAnswer = { results: {}, errors: {}, notExecuted: [] };
  for (const { commands } of members) {
    for (const command of commands) {
      const verdict = verdicts.get(command.name);
      if (command.subStep.risk === 'read' || verdict?.status === 'not_sent') answer.notExecuted.push(command.name);
      else if (verdict?.status === 'done') answer.results[command.name] = verdict.result;
      else answer.errors[command.name] = { code: 'OUTCOME_UNKNOWN', message: `${command.method}: the answer was lost and the portal could not tell whether it ran`, retryable: false };
    }
  }
  return answer;
}
