/**
 * Sends one compiled batch of item commands and decides what happened to every item: done, retried
 * next round (not executed, or a transient error with attempts left), or failed and handled by its
 * `on_error`. Writes are recorded as `sent` before the request leaves, so a crash at any moment
 * leaves a trace that resume reconciles; an answer that never came is reconciled right away.
 */
import { isOutcomeUnknownError } from '../errors/index.ts';
import type { ForEachStep } from '../chain/index.ts';
import type { CompiledItem } from './compile-item-commands.ts';
import { reconcileWrites } from './reconcile-writes.ts';
import type { ItemUpdate, RunStore, SubStepUpdate } from '../store/index.ts';
import type { PortalClient } from '../client/index.ts';
import { sendBatchAnswer, type BatchAnswer, type StepCommand } from './batch-answer.ts';
import { settleItemBatch, type BatchSettlement } from './settle-item-batch.ts';
import { planV3ItemBatch, sendV3ItemBatch } from './send-v3-item-batch.ts';

export type { BatchSettlement, ItemVerdict } from './settle-item-batch.ts';

export async function sendItemBatch(input: {
  runId: string;
  step: ForEachStep;
  client: PortalClient;
  store: Pick<RunStore, 'record'>;
  members: CompiledItem[];
}): Promise<BatchSettlement> {
  const { runId, step, client, store } = input;
  // REST 3.0 when every command's method resolves to v3: one array batch, maybe fewer commands this round.
  const v3 = planV3ItemBatch(runId, step, client, input.members);
  const members = v3 ? v3.members : input.members;
  const commands: Record<string, StepCommand> = {};
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
    answer = v3 ? await sendV3ItemBatch(client, v3) : await sendBatchAnswer(client, commands, { halt, write: writes });
  } catch (error) {
    if (!isOutcomeUnknownError(error)) {
      // The portal refused the whole request: nothing ran. Put the writes back and stop the run.
      store.record(
        runId,
        sent.map((update) => ({ ...update, status: 'pending' as const })),
        [],
      );
      throw error;
    }
    answer = await reconcileAnswer(client, members);
  }

  return settleItemBatch(step, members, answer);
}

/** The batch's answer was lost: learn from the portal which writes happened. */
async function reconcileAnswer(client: PortalClient, members: CompiledItem[]): Promise<BatchAnswer> {
  const writes = members.flatMap(({ commands }) => commands.filter((command) => command.subStep.risk !== 'read'));
  const verdicts = await reconcileWrites(
    client,
    writes.map((command) => ({ id: command.name, method: command.method, params: command.params })),
  );
  const unknown: string[] = [];
  const answer: BatchAnswer = { results: {}, errors: {}, notExecuted: [], unknown };
  for (const { commands } of members) {
    for (const command of commands) {
      const verdict = verdicts.get(command.name);
      if (command.subStep.risk === 'read' || verdict?.status === 'not_sent') answer.notExecuted.push(command.name);
      else if (verdict?.status === 'done') answer.results[command.name] = verdict.result;
      else unknown.push(command.name);
    }
  }
  return answer;
}
