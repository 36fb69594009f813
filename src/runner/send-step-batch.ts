/**
 * A `batch:` step's request (issue 13): when every command's method resolves to REST 3.0 (the step's
 * `version`, else the chain's `api_version`, else `auto`), the commands go as one v3 array batch with
 * `$result[cmd][a]` references rewritten to `{"$ref": "cmd.a"}` and an `Idempotency-Key` derived from
 * the run and the step; otherwise (a method on v2, a reference inside other text, or a reference to a
 * write of the same batch, which v3 cannot `$ref`) as a v2 `cmd` batch. v3 batches are all or nothing:
 * a failing command fails every command of the step.
 */
import type { BatchStep } from '../chain/index.ts';
import { deriveIdempotencyKey, type BatchOptions, type PortalClient } from '../client/index.ts';
import { type BatchAnswer, sendBatchAnswer, type StepCommand } from './batch-answer.ts';
import { referencedNames, sendV3ItemBatch, toV3References, type V3ItemBatch } from './send-v3-item-batch.ts';

/** The v3 form of the step's commands, or undefined when they go as a v2 `cmd` batch. */
export function planV3StepBatch(
  runId: string,
  step: BatchStep,
  client: PortalClient,
  commands: Record<string, StepCommand>,
): Omit<V3ItemBatch, 'members'> | undefined {
  if (!client.batchV3 || !client.versionFor) return undefined;
  const writes = new Set(step.commands.filter((command) => command.risk !== 'read').map((command) => command.name));
  const converted: V3ItemBatch['commands'] = {};
  for (const [name, command] of Object.entries(commands)) {
    if (client.versionFor(command.method, command.params, step.version) !== 3) return undefined;
    if (referencedNames(command.params).some((reference) => writes.has(reference))) return undefined;
    const params = toV3References(command.params);
    if (params === undefined) return undefined;
    converted[name] = { method: command.method, params: params as Record<string, unknown> };
  }
  return Object.keys(converted).length === 0 ? undefined : { commands: converted, idempotencyKey: deriveIdempotencyKey([runId, step.id]) };
}

export function sendStepBatch(
  runId: string,
  client: PortalClient,
  step: BatchStep,
  commands: Record<string, StepCommand>,
  options: BatchOptions & { halt: boolean },
): Promise<BatchAnswer> {
  const v3 = planV3StepBatch(runId, step, client, commands);
  return v3 ? sendV3ItemBatch(client, { ...v3, members: [] }) : sendBatchAnswer(client, commands, options);
}
