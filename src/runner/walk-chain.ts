/**
 * The one step walker behind `chain run` and `chain plan` (DESIGN.md §3, §5): the steps in order,
 * their `if` conditions, list reads, the items of a `for_each` (an array, a streamed list, or one
 * object = one item), item keys, parameter rendering, batch compilation, asserts and outputs.
 * What a write does is the effects' business: a run sends it (checkpointed), a plan counts it. So a
 * plan's counts and keys are, by construction, what the run sends.
 */
import type { BatchStep, ChainDefinition, ChainStep, ForEachStep, ListStep } from '../chain/index.ts';
import { NOT_YET } from '../chain/index.ts';
import { evaluateCondition, evaluateExpression } from '../chain/index.ts';
import { renderTemplate } from '../chain/index.ts';
import type { ChainExpression, ValueTemplate } from '../chain/index.ts';
import type { CompiledItem } from './compile-item-commands.ts';
import type { CallStepOutcome } from './execute-call-step.ts';
import { executeForEach, type ForEachCheckpoints, type ItemSource } from './execute-for-each.ts';
import { renderItemKey } from './render-item-key.ts';
import { AssertionFailedError, RunRefusedError } from './run-errors.ts';
import type { ItemStatus, RunStatus, RunStore } from '../store/index.ts';
import type { ListCursor, PortalClient } from '../client/index.ts';
import type { BatchAnswer, StepCommand } from './batch-answer.ts';
import type { BatchSettlement } from './settle-item-batch.ts';

/** What differs between a run and a plan: what happens to a call step, a batch step and an item batch. */
export interface WalkEffects {
  callStep(step: Extract<ChainStep, { kind: 'call' }>, params: Record<string, unknown>): Promise<CallStepOutcome>;
  batchStep(step: BatchStep, commands: Record<string, StepCommand>, options: { halt: boolean; write: boolean }): Promise<BatchAnswer>;
  itemBatch(step: ForEachStep, members: CompiledItem[]): Promise<BatchSettlement>;
  /** A plan's: what it cannot know because its writes are not sent (a run leaves it out). */
  unknowns?: PlanUnknowns;
}

/** What a plan does not know: the results of the writes it counts, and the portal after them (plan-chain.ts). */
export interface PlanUnknowns {
  /** Whether a step's value holds a write result the plan does not have. */
  holdsUnknown(value: unknown): boolean;
  /** Whether a write was counted so far: reads from then on see the portal before it. */
  wroteSoFar(): boolean;
  /** What a value expression over an unknown result renders as. */
  unknownValue(expression: ChainExpression): unknown;
  /** Whether a read's failure may come from a counted write not being sent (the record it reads is not made yet). */
  mayBeUnsentWrite(error: unknown): boolean;
}

/** The checkpoints the walker reads and writes (a plan passes ones that remember nothing). */
export type WalkCheckpoints = ForEachCheckpoints & Pick<RunStore, 'stepResult' | 'saveStepResult' | 'cursor'>;

export type RunEvent =
  | { type: 'started'; runId: string; resumed: boolean }
  | { type: 'step'; runId: string; stepId: string; status: string }
  | { type: 'progress'; runId: string; stepId: string; rows: number; itemsDone: number; itemsFailed: number; expectedRows?: number };

export interface WalkOptions {
  chain: ChainDefinition;
  inputs: Record<string, unknown>;
  /** Reads go through it in a run and in a plan alike. */
  client: PortalClient;
  runId: string;
  checkpoints: WalkCheckpoints;
  effects: WalkEffects;
  concurrency: number;
  stopSignal: AbortSignal;
  /** A plan-bound run writes only the planned item keys (per for_each step id). */
  plannedKeys?: ReadonlyMap<string, ReadonlySet<string>> | undefined;
  onEvent?: ((event: RunEvent) => void) | undefined;
  /** The resume command with the run's flags, for hints (default `chain resume RUN_ID ...`). */
  resumeCommand?: ((extra?: readonly string[]) => string) | undefined;
}

export type UnknownOutcomeEntry = { stepId: string; itemKey: string; subStepId: string; method: string };

/** What the walk found out; filled as it goes, so a caller keeps it when a step throws. */
export interface WalkRecord {
  outputs: Record<string, unknown>;
  items: Record<ItemStatus, number>;
  steps: Record<string, { status: string; count?: number }>;
  rows: number;
  unknownOutcomes: UnknownOutcomeEntry[];
}

export interface WalkOutcome {
  status: Exclude<RunStatus, 'running'>;
  error?: { code: string; message: string; hint?: string; name?: string };
}

export function emptyWalkRecord(): WalkRecord {
  return { outputs: {}, items: emptyItemCounts(), steps: {}, rows: 0, unknownOutcomes: [] };
}

export function emptyItemCounts(): Record<ItemStatus, number> {
  return { pending: 0, done: 0, skipped: 0, failed: 0, dead_letter: 0, not_planned: 0 };
}

/** How a step ended the walk early. */
type Stop = { stop: Exclude<RunStatus, 'running' | 'done'>; error?: WalkOutcome['error'] };
type StepResult = Record<string, unknown> | Stop;

function isStop(result: StepResult): result is Stop {
  return typeof (result as { stop?: unknown }).stop === 'string';
}

/**
 * Walks the chain. Errors a step throws (a refused batch reference, a failed assert, a portal error)
 * propagate; a run records them, a plan reports them.
 */
export async function walkChain(options: WalkOptions, outcome: WalkRecord = emptyWalkRecord()): Promise<WalkOutcome> {
  const { chain, checkpoints: store, runId, stopSignal } = options;
  const resumeCommand = options.resumeCommand ?? ((extra: readonly string[] = []) => ['chain', 'resume', runId, ...extra].join(' '));
  const steps: Record<string, unknown> = {};
  const scope = (): Record<string, unknown> => ({ inputs: options.inputs, steps });
  const emit = (stepId: string, status: string): void => options.onEvent?.({ type: 'step', runId, stepId, status });
  const streamedLists = new Set(chain.steps.flatMap((step) => (step.kind === 'for_each' && step.streamsFrom ? [step.streamsFrom] : [])));
  const stopWith = (stop: Stop): WalkOutcome => ({ status: stop.stop, ...(stop.error ? { error: stop.error } : {}) });
  const unknowns = options.effects.unknowns;
  /** A plan's steps whose values hold a write result it does not have, and its reads made after a counted write. */
  const unknownSteps = new Set<string>();
  const staleSteps = new Set<string>();
  const conditionHolds = async (step: ChainStep): Promise<boolean> => !step.if || (unknowns ? planCondition(step.if) : evaluateCondition(step.if, scope()));
  const render = (template: ValueTemplate): Promise<unknown> => (unknowns ? renderKnown(template) : renderTemplate(template, scope()));

  for (const step of chain.steps) {
    if (stopSignal.aborted) return stopWith({ stop: 'interrupted' });
    const saved = store.stepResult(runId, step.id);
    if (saved?.status === 'done' || saved?.status === 'skipped') {
      steps[step.id] = saved.result;
      outcome.steps[step.id] = { status: saved.status };
      continue;
    }
    if (step.kind === 'list' && streamedLists.has(step.id) && (await conditionHolds(step))) {
      // Read page by page by the for_each that streams it, which also reports and saves its status.
      steps[step.id] = { count: 0, items: [] };
      continue;
    }
    if (!(await conditionHolds(step))) {
      store.saveStepResult(runId, step.id, 'done', {});
      steps[step.id] = {};
      outcome.steps[step.id] = { status: 'skipped' };
      if (step.kind === 'for_each' && step.streamsFrom) outcome.steps[step.streamsFrom] = { status: 'skipped' };
      emit(step.id, 'skipped');
      continue;
    }
    emit(step.id, 'started');
    const wroteBefore = unknowns?.wroteSoFar() ?? false;
    const result = await walkStep(step);
    if (unknowns && !isStop(result)) {
      if (unknowns.holdsUnknown(result)) unknownSteps.add(step.id);
      else if (wroteBefore) staleSteps.add(step.id);
    }
    if (isStop(result)) {
      outcome.steps[step.id] ??= { status: result.stop };
      emit(step.id, result.stop);
      return stopWith(result);
    }
    steps[step.id] = result;
    store.saveStepResult(runId, step.id, 'done', result);
    const count = (result as { count?: unknown }).count;
    outcome.steps[step.id] = { status: 'done', ...(typeof count === 'number' ? { count } : {}) };
    emit(step.id, 'done');
  }
  for (const output of chain.outputs) outcome.outputs[output.name] = await render(output.value);
  return { status: 'done' };

  /** The ids of the steps an expression reads (`steps.<id>`, `$$.steps.<id>`). */
  function stepsRead(expression: ChainExpression): string[] {
    return [...expression.source.matchAll(/\bsteps\s*\.\s*([A-Za-z_]\w*)/g)].map((match) => match[1] as string);
  }

  /**
   * A plan's `if`: one that looks inside a write result the plan does not have (a field of it), or
   * cannot be evaluated over one, holds, as it would after the write succeeded; `$exists` of such a
   * result is true (a placeholder stands for it).
   */
  async function planCondition(expression: ChainExpression): Promise<boolean> {
    const unknownRead = stepsRead(expression).filter((id) => unknownSteps.has(id));
    if (unknownRead.length === 0) return evaluateCondition(expression, scope());
    if (unknownRead.some((id) => new RegExp(`\\bsteps\\s*\\.\\s*${id}\\s*\\.\\s*result\\s*[.\\[]`).test(expression.source))) return true;
    try {
      return await evaluateCondition(expression, scope());
    } catch {
      return true;
    }
  }

  /** Every expression of a template. */
  function expressionsOf(template: ValueTemplate): ChainExpression[] {
    switch (template.kind) {
      case 'expression':
        return [template.expression];
      case 'text':
        return template.parts.flatMap((part) => (part.kind === 'expression' ? [part.expression] : []));
      case 'array':
        return template.items.flatMap(expressionsOf);
      case 'object':
        return template.entries.flatMap(([, entry]) => expressionsOf(entry));
      default:
        return [];
    }
  }

  function readsUnknown(template: ValueTemplate): boolean {
    return expressionsOf(template).some((expression) => stepsRead(expression).some((id) => unknownSteps.has(id)));
  }

  /** A plan's rendering: an expression over a write result it does not have is shown unknown, unless it is that result. */
  async function renderKnown(template: ValueTemplate): Promise<unknown> {
    switch (template.kind) {
      case 'array': {
        const items: unknown[] = [];
        for (const item of template.items) items.push((await renderKnown(item)) ?? null);
        return items;
      }
      case 'object': {
        const result: Record<string, unknown> = {};
        for (const [key, entry] of template.entries) {
          const value = await renderKnown(entry);
          if (value !== undefined) result[key] = value;
        }
        return result;
      }
      case 'expression':
      case 'text': {
        const unknown = expressionsOf(template).find((expression) => stepsRead(expression).some((id) => unknownSteps.has(id)));
        if (!unknown || !unknowns) return renderTemplate(template, scope());
        try {
          const value = await renderTemplate(template, scope());
          if (unknowns.holdsUnknown(value)) return value;
        } catch {
          // cannot be evaluated over a placeholder: shown unknown below
        }
        return unknowns.unknownValue(unknown);
      }
      default:
        return template.value;
    }
  }

  async function walkStep(step: ChainStep): Promise<StepResult> {
    switch (step.kind) {
      case 'call': {
        const params = ((await render(step.params)) ?? {}) as Record<string, unknown>;
        const called = await options.effects.callStep(step, params);
        if (called.status === 'done') return called.value;
        outcome.unknownOutcomes = [{ stepId: step.id, itemKey: step.id, subStepId: step.id, method: called.method }];
        return {
          stop: 'awaiting_decision',
          error: {
            code: 'OUTCOME_UNKNOWN',
            message: `${step.id} (${called.method}) may or may not have reached the portal.`,
            hint: `Decide with: ${resumeCommand(['--resolve', `${step.id}=sent|not-sent`])}`,
          },
        };
      }
      case 'list':
        return readList(step);
      case 'for_each':
        return walkForEach(step);
      case 'batch':
        return walkBatch(step);
      case 'assert': {
        // A plan cannot check an assert on what its uncounted writes would have changed: the run checks it.
        if (unknowns && stepsRead(step.condition).some((id) => unknownSteps.has(id) || staleSteps.has(id))) return {};
        if (!(await evaluateCondition(step.condition, scope()))) {
          const message = String(await renderTemplate(step.message, scope()));
          throw new AssertionFailedError(`${step.id}: ${message} (ASSERTION_FAILED).`, {
            code: 'ASSERTION_FAILED',
            hint: 'The chain stopped on purpose: check the data it asserts on.',
          });
        }
        return {};
      }
    }
  }

  /** A list no for_each streams: every row kept; an interruption between pages leaves it unfinished. */
  async function readList(step: ListStep): Promise<StepResult> {
    const params = ((await render(step.params)) ?? {}) as Record<string, unknown>;
    // A plan cannot ask for the rows of a record its uncounted writes make: none yet.
    if (unknowns?.holdsUnknown(params)) return { items: [], count: 0 };
    const items: unknown[] = [];
    try {
      for await (const page of options.client.list(step.method, params, step.version === undefined ? {} : { version: step.version })) {
        items.push(...page.rows);
        outcome.rows += page.rows.length;
        if (stopSignal.aborted) {
          outcome.steps[step.id] = { status: 'interrupted', count: items.length };
          return { stop: 'interrupted' };
        }
      }
    } catch (error) {
      if (!unknowns?.wroteSoFar() || !unknowns.mayBeUnsentWrite(error)) throw error;
      return { items: [], count: 0 };
    }
    return { items, count: items.length };
  }

  async function walkForEach(step: ForEachStep): Promise<StepResult> {
    const listStep = step.streamsFrom ? (chain.steps.find((candidate) => candidate.id === step.streamsFrom) as ListStep | undefined) : undefined;
    const cursorStepId = listStep ? listStep.id : step.id;
    const saved = store.cursor(runId, cursorStepId);
    let source: ItemSource;
    // A streamed list whose own `if` is false yields nothing (its condition reads only earlier steps).
    if (listStep && (await conditionHolds(listStep))) {
      const params = ((await render(listStep.params)) ?? {}) as Record<string, unknown>;
      source = {
        pages: (startAfter) => {
          const pages = options.client.list(listStep.method, params, {
            ...(startAfter === undefined || startAfter === null ? {} : { cursor: startAfter as ListCursor }),
            ...(listStep.version === undefined ? {} : { version: listStep.version }),
          });
          return (async function* () {
            for await (const page of pages) yield { rows: page.rows, cursorAfter: page.cursor, ...(page.total === undefined ? {} : { total: page.total }) };
          })();
        },
      };
    } else {
      // An array is its items; one object (JSONata yields a lone match unwrapped) is one item; nothing is none.
      const collection = await evaluateExpression(step.over, scope());
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
      runId,
      step,
      store,
      sendBatch: (members) => options.effects.itemBatch(step, members),
      base,
      source,
      cursorStepId,
      startAfter: saved?.finished ? 'end' : saved?.cursor,
      startPages: saved?.pages ?? 0,
      startRows: saved?.rows ?? 0,
      concurrency: step.concurrency ?? options.concurrency,
      stopSignal,
      ...(options.plannedKeys ? { allowedKeys: options.plannedKeys.get(step.id) ?? new Set<string>() } : {}),
      renderKey: (row) => renderItemKey(step, base, row),
      onProgress: (event) => options.onEvent?.({ type: 'progress', runId, stepId: step.id, ...event }),
    });
    for (const [status, count] of Object.entries(result.counts) as Array<[ItemStatus, number]>) outcome.items[status] += count;
    if (listStep) outcome.rows += result.rows; // rows of an expression were counted when they were read
    const stop: Stop | undefined =
      result.unknown.length > 0
        ? {
            stop: 'awaiting_decision',
            error: {
              code: 'OUTCOME_UNKNOWN',
              message: `${result.unknown.length} write(s) may or may not have reached the portal.`,
              hint: `Decide with: ${resumeCommand(['--resolve', 'ITEM=sent|not-sent'])}`,
            },
          }
        : result.stopError
          ? { stop: 'failed', error: { code: result.stopError.code, message: result.stopError.message, hint: `Fix the cause, then: ${resumeCommand()}` } }
          : result.interrupted
            ? { stop: 'interrupted' }
            : undefined;
    if (listStep && outcome.steps[listStep.id]?.status !== 'skipped') {
      // The list is done only once every row was read and settled; a run stopped on the way says how it stopped.
      const status = result.sourceFinished ? 'done' : (stop?.stop ?? 'interrupted');
      outcome.steps[listStep.id] = { status, count: result.rows };
      steps[listStep.id] = { count: result.rows, items: [] };
      if (result.sourceFinished) store.saveStepResult(runId, listStep.id, 'done', { count: result.rows });
      emit(listStep.id, status);
    }
    if (result.unknown.length > 0) outcome.unknownOutcomes = result.unknown.map((entry) => ({ stepId: step.id, ...entry }));
    if (stop) return stop;
    return {
      count: result.counts.done,
      failed: result.counts.failed + result.counts.dead_letter,
      skipped: result.counts.skipped,
      notPlanned: result.counts.not_planned,
    };
  }

  async function walkBatch(step: BatchStep): Promise<StepResult> {
    const commands: Record<string, StepCommand> = {};
    const earlier: string[] = [];
    for (const command of step.commands) {
      const scheduled = new Map(earlier.map((name) => [name, name]));
      // A plan renders a command over a write result it does not have as it renders a call's parameters.
      const params =
        unknowns && readsUnknown(command.params)
          ? await renderKnown(command.params)
          : await renderTemplate(command.params, scope(), { batchReferences: { scheduled, earlier: [...earlier] } });
      if (params === NOT_YET) {
        throw new RunRefusedError(
          `${step.id}.${command.name}: a reference to an earlier command can only be a plain path such as \${{ ${earlier[0] ?? 'name'}.result.ID }} (BATCH_REFERENCE).`,
          { code: 'BATCH_REFERENCE' },
        );
      }
      commands[command.name] = { method: command.method, params: (params ?? {}) as Record<string, unknown> };
      earlier.push(command.name);
    }
    const answer = await options.effects.batchStep(step, commands, { halt: step.halt, write: step.commands.some((command) => command.risk !== 'read') });
    const errors = Object.fromEntries(Object.entries(answer.errors).map(([name, error]) => [name, { error: error.code, error_description: error.message }]));
    if (Object.keys(errors).length > 0 && step.onError === 'stop') {
      const [name, first] = Object.entries(answer.errors)[0] as [string, { code: string; message: string }];
      throw new RunRefusedError(`${step.id}.${name}: ${first.message} (${first.code}).`, {
        code: first.code || 'BATCH_COMMAND_FAILED',
        hint: 'Set on_error: skip on the step to carry on past failed commands.',
      });
    }
    return { result: answer.results, errors };
  }
}
