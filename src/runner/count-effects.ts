/**
 * The effects of `chain plan` (DESIGN.md §5): reads go to the portal as in a run; every write the
 * walker would send is counted per step and method, sampled, and answered with a placeholder result
 * (`<result of contact>`) instead of being sent. A read whose parameters hold such a placeholder
 * (or a parameter the walker could only show as `<unknown: ${{ ... }}>`) cannot be asked either: it
 * gets a placeholder too. What the plan does not know is handed to the walker as `PlanUnknowns`.
 */
import type { ForEachStep } from '../chain/index.ts';
import { BitrixApiError } from '../errors/index.ts';
import { isOutcomeUnknownError } from '../errors/index.ts';
import type { RiskClass } from '../protocol/index.ts';
import type { CompiledItem } from './compile-item-commands.ts';
import { callStepValue } from './execute-call-step.ts';
import type { ForEachCheckpoints } from './execute-for-each.ts';
import type { PortalClient } from '../client/index.ts';
import { sendBatchAnswer, type BatchAnswer, type StepCommand } from './batch-answer.ts';
import { settleItemBatch } from './settle-item-batch.ts';
import type { PlanUnknowns, WalkCheckpoints, WalkEffects } from './walk-chain.ts';

export interface PlannedStep {
  step: string;
  method: string;
  risk: RiskClass;
  count: number;
  samples: Array<{ itemKey?: string; params: unknown }>;
}

export interface WriteTally {
  counts(): PlannedStep[];
  /** Per for_each step: the keys of the items with at least one write, in the order they came. */
  itemKeys(): Record<string, string[]>;
  risk(): RiskClass;
}

const SAMPLES = 3;
const RANK: Record<RiskClass, number> = { read: 0, write: 1, destructive: 2 };
const PLACEHOLDER = '<result of ';
const UNKNOWN = '<unknown: ';

export function placeholderResult(id: string): string {
  return `${PLACEHOLDER}${id}>`;
}

/** A parameter the plan cannot know, e.g. `<unknown: ${{ $number(steps.settings.result) }}>`. */
export function unknownParameter(expressionText: string): string {
  return `${UNKNOWN}${expressionText}>`;
}

/** Whether a value holds a write result the plan does not have (a placeholder, or a parameter made from one). */
function holdsUnknown(value: unknown): boolean {
  const text = JSON.stringify(value) ?? '';
  return text.includes(PLACEHOLDER) || text.includes(UNKNOWN);
}

/** `$result[i3s0][item][id]` → `<result of contact.item.id>`: what a person reading the plan can follow. */
function readableReferences(value: unknown, names: ReadonlyMap<string, string>): unknown {
  const text = JSON.stringify(value);
  if (text === undefined || !text.includes('$result[')) return value;
  return JSON.parse(
    text.replace(/\$result\[(\w+)\]((?:\[[^\]"]*\])*)/g, (whole, name: string, path: string) => {
      const id = names.get(name);
      return id === undefined ? whole : placeholderResult(`${id}${path.replace(/\[([^\]]*)\]/g, '.$1')}`);
    }),
  ) as unknown;
}

/** Whether these parameters hold a placeholder, or a `$result` reference to a command that was not sent. */
function needsUnsentResult(params: unknown, unsent: ReadonlySet<string>): boolean {
  if (holdsUnknown(params)) return true;
  const text = JSON.stringify(params) ?? '';
  for (const match of text.matchAll(/\$result\[(\w+)\]/g)) if (unsent.has(match[1] as string)) return true;
  return false;
}

/** Checkpoints that remember nothing: a plan starts from scratch and leaves no trace. */
export const noCheckpoints: WalkCheckpoints & ForEachCheckpoints = {
  stepResult: () => undefined,
  saveStepResult: () => undefined,
  cursor: () => undefined,
  countItems: () => ({}),
  saveCursor: () => undefined,
  settledItems: () => new Map(),
  subStepsForKeys: () => new Map(),
  record: () => undefined,
  pendingItems: () => [],
};

/** Every write the plan counts, with its rendered params (the MCP server reads the records it changes). */
export type PlannedWriteListener = (write: { step: string; method: string; risk: RiskClass; params: unknown; itemKey?: string }) => void;

export function createCountingEffects(client: PortalClient, onWrite?: PlannedWriteListener): { effects: WalkEffects; tally: WriteTally } {
  const planned = new Map<string, PlannedStep>();
  const keys = new Map<string, Set<string>>();
  let risk: RiskClass = 'read';
  const count = (step: string, method: string, stepRisk: RiskClass, params: unknown, itemKey?: string): void => {
    const id = `${step}\u0000${method}`;
    const entry = planned.get(id) ?? { step, method, risk: stepRisk, count: 0, samples: [] };
    entry.count += 1;
    if (entry.samples.length < SAMPLES) entry.samples.push({ ...(itemKey === undefined ? {} : { itemKey }), params });
    planned.set(id, entry);
    if (RANK[stepRisk] > RANK[risk]) risk = stepRisk;
    onWrite?.({ step, method, risk: stepRisk, params, ...(itemKey === undefined ? {} : { itemKey }) });
  };

  /** Sends the reads that can be asked; writes and reads that need a write's result get placeholders. */
  const answerCommands = async (
    commands: ReadonlyArray<{ name: string; label: string; method: string; params: Record<string, unknown>; risk: RiskClass; referencesBatch: boolean }>,
    onWrite: (command: { name: string; label: string; method: string; params: Record<string, unknown>; risk: RiskClass }) => void,
  ): Promise<BatchAnswer> => {
    const answer: BatchAnswer = { results: {}, errors: {}, notExecuted: [] };
    const unsent = new Set<string>();
    const reads: Record<string, StepCommand> = {};
    let halt = false;
    for (const command of commands) {
      if (command.risk !== 'read') onWrite(command);
      else if (!needsUnsentResult(command.params, unsent)) {
        reads[command.name] = { method: command.method, params: command.params };
        halt ||= command.referencesBatch;
        continue;
      }
      unsent.add(command.name);
      answer.results[command.name] = placeholderResult(command.label);
    }
    if (Object.keys(reads).length === 0) return answer;
    try {
      const read = await sendBatchAnswer(client, reads, { halt, write: false });
      Object.assign(answer.results, read.results);
      Object.assign(answer.errors, read.errors);
      answer.notExecuted.push(...read.notExecuted);
    } catch (error) {
      if (!isOutcomeUnknownError(error)) throw error;
      answer.notExecuted.push(...Object.keys(reads)); // reads are simply asked again next round
    }
    return answer;
  };

  const unknowns: PlanUnknowns = {
    holdsUnknown,
    wroteSoFar: () => planned.size > 0,
    unknownValue: (expression) => unknownParameter(expression.text),
    mayBeUnsentWrite: (error) => error instanceof BitrixApiError && error.category === 'not-found',
  };

  const effects: WalkEffects = {
    unknowns,

    async callStep(step, params) {
      if (step.risk === 'read' && !needsUnsentResult(params, new Set())) {
        try {
          return {
            status: 'done',
            value: callStepValue(await client.call(step.method, params, { write: false, ...(step.version === undefined ? {} : { version: step.version }) })),
          };
        } catch (error) {
          // The record it reads may be one a counted write makes: its result is unknown, as a write's.
          if (!unknowns.wroteSoFar() || !unknowns.mayBeUnsentWrite(error)) throw error;
        }
      }
      if (step.risk !== 'read') count(step.id, step.method, step.risk, params);
      return { status: 'done', value: { result: placeholderResult(step.id) } };
    },

    batchStep(step, commands) {
      const risks = new Map(step.commands.map((command) => [command.name, command.risk]));
      const list = Object.entries(commands).map(([name, command]) => ({
        name,
        label: `${step.id}.${name}`,
        ...command,
        risk: risks.get(name) ?? 'write',
        referencesBatch: JSON.stringify(command.params).includes('$result['),
      }));
      return answerCommands(list, (command) => count(step.id, command.method, command.risk, command.params));
    },

    async itemBatch(step: ForEachStep, members: CompiledItem[]) {
      const names = new Map(members.flatMap(({ commands }) => commands.map((command) => [command.name, command.subStep.id] as const)));
      const keyOf = new Map(members.flatMap(({ item, commands }) => commands.map((command) => [command.name, item.key] as const)));
      const list = members.flatMap(({ commands }) =>
        commands.map((command) => ({
          name: command.name,
          label: command.subStep.id,
          method: command.method,
          params: command.params,
          risk: command.subStep.risk,
          referencesBatch: command.referencesBatch,
        })),
      );
      const answer = await answerCommands(list, (command) => {
        const itemKey = keyOf.get(command.name) as string;
        count(command.label, command.method, command.risk, readableReferences(command.params, names), itemKey);
        const stepKeys = keys.get(step.id) ?? new Set<string>();
        stepKeys.add(itemKey);
        keys.set(step.id, stepKeys);
      });
      return settleItemBatch(step, members, answer);
    },
  };

  const tally: WriteTally = {
    counts: () => [...planned.values()],
    itemKeys: () => Object.fromEntries([...keys].map(([step, stepKeys]) => [step, [...stepKeys]])),
    risk: () => risk,
  };
  return { effects, tally };
}
