/**
 * Runs a validated chain (DESIGN.md §3–§5): gates first (confirmations, plan, scopes) so a refusal
 * sends nothing; then each step in order, checkpointed so that `resume` continues where it stopped;
 * unknown write outcomes reconciled before anything is re-sent.
 */
import { isInterruptedError } from '../errors/interrupted-error.ts';
import type { BatchStep, ChainDefinition, ChainStep, ChainSummary, ForEachStep, ListStep } from '../chain/chain-model.ts';
import { evaluateCondition, renderTemplate } from '../chain/expressions/evaluate-template.ts';
import { executeCallStep } from './execute-call-step.ts';
import { renderItemKey } from './render-item-key.ts';
import { executeForEach, type ItemSource } from './execute-for-each.ts';
import { evaluateFast, NOT_YET, renderParams } from './render-params.ts';
import { reconcileWrites } from './reconcile-writes.ts';
import { AssertionFailedError, ConfirmationRequiredError, RunRefusedError } from './run-errors.ts';
import type { ItemStatus, RunRecord, RunStatus, RunStore } from './run-store.ts';
import type { RunnerClient } from './runner-client.ts';

export interface RunOptions {
  chain: ChainDefinition;
  chainPath: string;
  chainSha256: string;
  summary: ChainSummary;
  inputs: Record<string, unknown>;
  client: RunnerClient;
  store: RunStore;
  confirmWrite?: boolean;
  confirmDestructive?: boolean;
  concurrency?: number;
  /** Ctrl-C: batches in flight finish, nothing more is sent, the run is resumable (exit 3). */
  stopSignal?: AbortSignal;
  /** Continue this run instead of starting one. */
  resume?: RunRecord;
  /** `--resolve ITEM=sent|not-sent` decisions for unknown outcomes. */
  resolutions?: ReadonlyMap<string, 'sent' | 'not-sent'>;
  /** A plan-bound run writes only the planned item keys (per for_each step id). */
  plannedKeys?: ReadonlyMap<string, ReadonlySet<string>>;
  planId?: string | null;
  onEvent?: (event: RunEvent) => void;
}

export type RunEvent =
  | { type: 'started'; runId: string; resumed: boolean }
  | { type: 'step'; runId: string; stepId: string; status: string }
  | { type: 'progress'; runId: string; stepId: string; rows: number; itemsDone: number; itemsFailed: number; expectedRows?: number };

export interface RunOutcome {
  run: RunRecord;
  status: RunStatus;
  outputs: Record<string, unknown>;
  items: Record<ItemStatus, number>;
  steps: Record<string, { status: string; count?: number }>;
  rows: number;
  unknownOutcomes: Array<{ stepId: string; itemKey: string; subStepId: string; method: string }>;
  /** Writes found sent-but-unanswered when a resume started, and looked up before anything was re-sent. */
  reconciled: number;
  error?: { code: string; message: string; hint?: string; name?: string };
  /** The run stopped on a refusal (missing scope, bad batch reference) rather than a portal error. */
  refused?: boolean;
}

/** Exit code of a run outcome (DESIGN.md §1). */
export function exitCodeOf(outcome: Pick<RunOutcome, 'status' | 'refused'>): 0 | 1 | 2 | 3 {
  if (outcome.status === 'done') return 0;
  if (outcome.status === 'interrupted' || outcome.status === 'awaiting_decision') return 3;
  return outcome.refused ? 2 : 1;
}

const USER_SCOPE_ALIASES = ['user', 'user_brief', 'user_basic'];

/** Refuses before any request when a write or destructive step lacks its confirmation flag. */
export function checkWriteGates(summary: ChainSummary, options: { confirmWrite?: boolean; confirmDestructive?: boolean }): void {
  const toPlanned = (use: ChainSummary['writes'][number], risk: 'write' | 'destructive') => ({ step: use.parent ? `${use.parent}.${use.step}` : use.step, method: use.method, risk });
  if (summary.destructive.length > 0 && !options.confirmDestructive) {
    throw new ConfirmationRequiredError(summary.destructive.map((use) => toPlanned(use, 'destructive')), '--confirm-destructive');
  }
  const writes = [...summary.writes.map((use) => toPlanned(use, 'write')), ...summary.destructive.map((use) => toPlanned(use, 'destructive'))];
  if (writes.length > 0 && !options.confirmWrite) throw new ConfirmationRequiredError(writes, '--confirm-write');
}

async function checkScopes(client: RunnerClient, summary: ChainSummary): Promise<void> {
  const answer = await client.call('scope', {});
  const granted = new Set(Array.isArray(answer.result) ? answer.result.map(String) : []);
  const missing = summary.scopes.filter((scope) => scope !== 'basic' && !granted.has(scope) && !(scope === 'user' && USER_SCOPE_ALIASES.some((alias) => granted.has(alias))));
  if (missing.length > 0) {
    throw new RunRefusedError(`The credentials lack the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')} this chain needs; nothing was written (INSUFFICIENT_SCOPE).`, {
      code: 'INSUFFICIENT_SCOPE',
      hint: `Reissue the webhook or reinstall the application with ${missing.join(', ')}.`,
    });
  }
}

function emptyCounts(): Record<ItemStatus, number> {
  return { pending: 0, done: 0, skipped: 0, failed: 0, dead_letter: 0, not_planned: 0 };
}

export async function runChain(options: RunOptions): Promise<RunOutcome> {
  const { chain, client, store, summary } = options;
  checkWriteGates(summary, options);
  const hasWrites = summary.writes.length + summary.destructive.length > 0;
  const run =
    options.resume ??
    store.createRun({ portal: client.portalKey, chainName: chain.name, chainPath: options.chainPath, chainSha256: options.chainSha256, inputs: options.inputs, planId: options.planId ?? null });
  if (options.resume) store.setStatus(run.id, 'running');
  options.onEvent?.({ type: 'started', runId: run.id, resumed: options.resume !== undefined });
  const stopSignal = options.stopSignal ?? new AbortController().signal;
  const outcome: RunOutcome = { run, status: 'running', outputs: {}, items: emptyCounts(), steps: {}, rows: 0, unknownOutcomes: [], reconciled: 0 };
  const steps: Record<string, unknown> = {};
  const scope = (): Record<string, unknown> => ({ inputs: options.inputs, steps });

  const finish = (status: RunStatus, error?: RunOutcome['error']): RunOutcome => {
    stopRun(outcome, store, status, error);
    return outcome;
  };

  try {
    if (options.resume) {
      const { unresolved, reconciled } = await reconcilePending(options, run);
      outcome.reconciled = reconciled;
      if (unresolved.length > 0) {
        outcome.unknownOutcomes = unresolved;
        return finish('awaiting_decision', { code: 'OUTCOME_UNKNOWN', message: `${unresolved.length} write(s) may or may not have reached the portal.`, hint: `Decide with chain resume ${run.id} --resolve ITEM=sent|not-sent.` });
      }
    }
    if (hasWrites) await checkScopes(client, summary);

    const streamedLists = new Set(chain.steps.flatMap((step) => (step.kind === 'for_each' && step.streamsFrom ? [step.streamsFrom] : [])));
    for (const step of chain.steps) {
      if (stopSignal.aborted) return finish('interrupted');
      const saved = store.stepResult(run.id, step.id);
      if (saved?.status === 'done' || saved?.status === 'skipped') {
        steps[step.id] = saved.result;
        outcome.steps[step.id] = { status: saved.status };
        continue;
      }
      if (step.if && !(await evaluateCondition(step.if, scope()))) {
        store.saveStepResult(run.id, step.id, 'done', {});
        steps[step.id] = {};
        outcome.steps[step.id] = { status: 'skipped' };
        continue;
      }
      options.onEvent?.({ type: 'step', runId: run.id, stepId: step.id, status: 'started' });
      const result = await executeStep(step, streamedLists, options, run, scope, stopSignal, outcome);
      if (result === 'stop') return outcome;
      steps[step.id] = result;
      store.saveStepResult(run.id, step.id, 'done', step.kind === 'list' && streamedLists.has(step.id) ? { count: (result as { count: number }).count } : result);
      outcome.steps[step.id] = { status: 'done', ...(typeof (result as { count?: unknown }).count === 'number' ? { count: (result as { count: number }).count } : {}) };
    }
    for (const output of chain.outputs) outcome.outputs[output.name] = await renderTemplate(output.value, scope());
    return finish('done');
  } catch (error) {
    if (isInterruptedError(error) && stopSignal.aborted) return finish('interrupted'); // stopped while waiting on the limiter: nothing sent
    const failure = error as { code?: string; message?: string; hint?: string };
    if (error instanceof RunRefusedError) outcome.refused = true;
    const name = error instanceof Error ? error.name : 'Error';
    return finish('failed', { name, code: failure.code ?? 'ERROR', message: failure.message ?? String(error), ...(failure.hint ? { hint: failure.hint } : {}) });
  }
}

type StepResult = Record<string, unknown> | 'stop';

/** Ends the run from inside a step: records the status (and why), and tells the step loop to stop. */
function stopRun(outcome: RunOutcome, store: RunStore, status: RunStatus, error?: RunOutcome['error']): 'stop' {
  outcome.status = status;
  if (error) outcome.error = error;
  store.setStatus(outcome.run.id, status, error ? error.message : null);
  outcome.run = store.getRun(outcome.run.id) as RunRecord;
  return 'stop';
}

async function executeStep(
  step: ChainStep,
  streamedLists: ReadonlySet<string>,
  options: RunOptions,
  run: RunRecord,
  scope: () => Record<string, unknown>,
  stopSignal: AbortSignal,
  outcome: RunOutcome,
): Promise<StepResult> {
  const { client, store } = options;
  switch (step.kind) {
    case 'call': {
      const params = ((await renderTemplate(step.params, scope())) ?? {}) as Record<string, unknown>;
      const called = await executeCallStep(step, params, { runId: run.id, client, store, resolution: options.resolutions?.get(step.id) });
      if (called.status === 'done') return called.value;
      outcome.unknownOutcomes = [{ stepId: step.id, itemKey: step.id, subStepId: step.id, method: called.method }];
      return stopRun(outcome, store, 'awaiting_decision', {
        code: 'OUTCOME_UNKNOWN',
        message: `${step.id} (${called.method}) may or may not have reached the portal.`,
        hint: `Decide with chain resume ${run.id} --resolve ${step.id}=sent|not-sent.`,
      });
    }
    case 'list': {
      if (streamedLists.has(step.id)) return { count: 0, items: [] }; // read by the for_each that streams it
      const params = (await renderTemplate(step.params, scope())) as Record<string, unknown>;
      const items: unknown[] = [];
      for await (const page of client.list(step.method, params ?? {})) items.push(...page.rows);
      outcome.rows += items.length;
      return { items, count: items.length };
    }
    case 'for_each':
      return executeForEachStep(step, options, run, scope, stopSignal, outcome);
    case 'batch':
      return executeBatchStep(step, options, scope);
    case 'assert': {
      if (!(await evaluateCondition(step.condition, scope()))) {
        const message = String(await renderTemplate(step.message, scope()));
        throw new AssertionFailedError(`${step.id}: ${message} (ASSERTION_FAILED).`, { code: 'ASSERTION_FAILED', hint: 'The chain stopped on purpose: check the data it asserts on.' });
      }
      return {};
    }
  }
}

async function executeForEachStep(
  step: ForEachStep,
  options: RunOptions,
  run: RunRecord,
  scope: () => Record<string, unknown>,
  stopSignal: AbortSignal,
  outcome: RunOutcome,
): Promise<StepResult> {
  const { client, store, chain } = options;
  const listStep = step.streamsFrom ? (chain.steps.find((candidate) => candidate.id === step.streamsFrom) as ListStep | undefined) : undefined;
  const cursorStepId = listStep ? listStep.id : step.id;
  const saved = store.cursor(run.id, cursorStepId);
  let source: ItemSource;
  if (listStep) {
    const params = (await renderTemplate(listStep.params, scope())) as Record<string, unknown>;
    source = {
      pages: (startAfter) => {
        const pages = client.list(listStep.method, params ?? {}, startAfter === undefined || startAfter === null ? {} : { startAfter });
        return (async function* () {
          for await (const page of pages) yield { rows: page.rows, cursorAfter: page.cursor, ...(page.total === undefined ? {} : { total: page.total }) };
        })();
      },
    };
  } else {
    const collection = await evaluateFast(step.over, scope());
    const rows = Array.isArray(collection) ? collection : collection === undefined || collection === null ? [] : [collection];
    source = {
      pages: (startAfter) =>
        (async function* () {
          if (startAfter !== 'end') yield { rows, cursorAfter: 'end' };
        })(),
    };
  }
  const base = scope();
  const result = await executeForEach({
    runId: run.id,
    step,
    client,
    store,
    base,
    source,
    cursorStepId,
    startAfter: saved?.finished ? 'end' : saved?.cursor,
    startPages: saved?.pages ?? 0,
    startRows: saved?.rows ?? 0,
    concurrency: step.concurrency ?? options.concurrency ?? 4,
    stopSignal,
    ...(options.plannedKeys ? { allowedKeys: options.plannedKeys.get(step.id) ?? new Set<string>() } : {}),
    renderKey: (row) => renderItemKey(step, base, row),
    onProgress: (event) => options.onEvent?.({ type: 'progress', runId: run.id, stepId: step.id, ...event }),
  });
  for (const [status, count] of Object.entries(result.counts) as Array<[ItemStatus, number]>) outcome.items[status] += count;
  outcome.rows += result.rows;
  if (listStep) outcome.steps[listStep.id] = { status: 'done', count: result.rows };
  const stepResult = { count: result.counts.done, failed: result.counts.failed + result.counts.dead_letter, skipped: result.counts.skipped, notPlanned: result.counts.not_planned };
  if (result.unknown.length > 0) {
    outcome.unknownOutcomes = result.unknown.map((entry) => ({ stepId: step.id, ...entry }));
    return stopRun(outcome, store, 'awaiting_decision', {
      code: 'OUTCOME_UNKNOWN',
      message: `${result.unknown.length} write(s) may or may not have reached the portal.`,
      hint: `Decide with chain resume ${run.id} --resolve ITEM=sent|not-sent.`,
    });
  }
  if (result.stopError) {
    return stopRun(outcome, store, 'failed', { code: result.stopError.code, message: result.stopError.message, hint: `Fix the cause, then chain resume ${run.id}.` });
  }
  if (result.interrupted) return stopRun(outcome, store, 'interrupted');
  return stepResult;
}

async function executeBatchStep(step: BatchStep, options: RunOptions, scope: () => Record<string, unknown>): Promise<StepResult> {
  const commands: Record<string, { method: string; params: Record<string, unknown> }> = {};
  const earlier: string[] = [];
  for (const command of step.commands) {
    const scheduled = new Map(earlier.map((name) => [name, name]));
    const params = await renderParams(command.params, scope(), { scheduled, earlier: [...earlier] });
    if (params === NOT_YET) {
      throw new RunRefusedError(`${step.id}.${command.name}: a reference to an earlier command can only be a plain path such as \${{ ${earlier[0] ?? 'name'}.result.ID }} (BATCH_REFERENCE).`, { code: 'BATCH_REFERENCE' });
    }
    commands[command.name] = { method: command.method, params: (params ?? {}) as Record<string, unknown> };
    earlier.push(command.name);
  }
  const answer = await options.client.batch(commands, { halt: step.halt, write: step.commands.some((command) => command.risk !== 'read') });
  const errors = Object.fromEntries(Object.entries(answer.errors).map(([name, error]) => [name, { error: error.code, error_description: error.message }]));
  if (Object.keys(errors).length > 0 && step.onError === 'stop') {
    const [name, first] = Object.entries(answer.errors)[0] as [string, { code: string; message: string }];
    throw new RunRefusedError(`${step.id}.${name}: ${first.message} (${first.code}).`, { code: first.code || 'BATCH_COMMAND_FAILED', hint: 'Set on_error: skip on the step to carry on past failed commands.' });
  }
  return { result: answer.results, errors };
}

/** Resume: every write recorded as sent but never answered is looked up before anything is re-sent. */
async function reconcilePending(
  options: RunOptions,
  run: RunRecord,
): Promise<{ unresolved: Array<{ stepId: string; itemKey: string; subStepId: string; method: string }>; reconciled: number }> {
  const { store, client } = options;
  const sent = store.sentSubSteps(run.id);
  if (sent.length === 0) return { unresolved: [], reconciled: 0 };
  const decided = sent.filter((entry) => options.resolutions?.has(entry.itemKey));
  for (const entry of decided) {
    const decision = options.resolutions?.get(entry.itemKey);
    store.record(run.id, [{ stepId: entry.stepId, itemKey: entry.itemKey, subStepId: entry.subStepId, method: entry.method, status: decision === 'sent' ? 'done' : 'pending', result: null }], []);
  }
  const open = sent.filter((entry) => !options.resolutions?.has(entry.itemKey));
  const verdicts = await reconcileWrites(client, open.map((entry, index) => ({ id: String(index), method: entry.method, params: entry.params })));
  const unresolved: Array<{ stepId: string; itemKey: string; subStepId: string; method: string }> = [];
  open.forEach((entry, index) => {
    const verdict = verdicts.get(String(index));
    const base = { stepId: entry.stepId, itemKey: entry.itemKey, subStepId: entry.subStepId, method: entry.method };
    if (verdict?.status === 'done') store.record(run.id, [{ ...base, status: 'done', result: verdict.result }], []);
    else if (verdict?.status === 'not_sent') store.record(run.id, [{ ...base, status: 'pending' }], []);
    else unresolved.push(base);
  });
  return { unresolved, reconciled: sent.length };
}
