/**
 * `chain plan FILE` (DESIGN.md §5): runs the reads, renders and counts the writes it would send (per
 * step and method, with samples and the item keys), and sends no write at all.
 */
import type { ChainDefinition, ChainStep, ForEachStep } from '../chain/chain-model.ts';
import { evaluateCondition, renderTemplate } from '../chain/expressions/evaluate-template.ts';
import type { RiskClass } from '../protocol/risk.ts';
import { conditionFast, evaluateFast, renderParams } from './render-params.ts';
import { renderItemKey } from './render-item-key.ts';
import type { RunnerClient } from './runner-client.ts';

export interface PlannedStep {
  step: string;
  method: string;
  risk: RiskClass;
  count: number;
  samples: Array<{ itemKey?: string; params: unknown }>;
}

export interface ChainPlanDraft {
  counts: PlannedStep[];
  itemKeys: Record<string, string[]>;
  rows: number;
  risk: RiskClass;
}

const SAMPLES = 3;
const RANK: Record<RiskClass, number> = { read: 0, write: 1, destructive: 2 };

/** Every write the plan counts, with its rendered params (the MCP server reads the records it changes). */
export type PlannedWriteListener = (write: { step: string; method: string; risk: RiskClass; params: unknown; itemKey?: string }) => void;

export async function planChain(options: { chain: ChainDefinition; inputs: Record<string, unknown>; client: RunnerClient; signal?: AbortSignal; onWrite?: PlannedWriteListener }): Promise<ChainPlanDraft> {
  const { chain, client } = options;
  const steps: Record<string, unknown> = {};
  const scope = (): Record<string, unknown> => ({ inputs: options.inputs, steps });
  const planned = new Map<string, PlannedStep>();
  const draft: ChainPlanDraft = { counts: [], itemKeys: {}, rows: 0, risk: 'read' };
  const count = (step: string, method: string, risk: RiskClass, params: unknown, itemKey?: string): void => {
    const key = `${step}\u0000${method}`;
    const entry = planned.get(key) ?? { step, method, risk, count: 0, samples: [] };
    entry.count += 1;
    if (entry.samples.length < SAMPLES) entry.samples.push({ ...(itemKey === undefined ? {} : { itemKey }), params });
    planned.set(key, entry);
    if (RANK[risk] > RANK[draft.risk]) draft.risk = risk;
    options.onWrite?.({ step, method, risk, params, ...(itemKey === undefined ? {} : { itemKey }) });
  };
  const streamed = new Set(chain.steps.flatMap((step) => (step.kind === 'for_each' && step.streamsFrom ? [step.streamsFrom] : [])));

  for (const step of chain.steps) {
    if (options.signal?.aborted) break;
    if (step.if && !(await evaluateCondition(step.if, scope()))) continue;
    steps[step.id] = await planStep(step);
  }
  draft.counts = [...planned.values()];
  return draft;

  async function planStep(step: ChainStep): Promise<unknown> {
    switch (step.kind) {
      case 'call': {
        const params = await renderTemplate(step.params, scope());
        if (step.risk === 'read') {
          const answer = await client.call(step.method, (params ?? {}) as Record<string, unknown>);
          return { result: answer.result, total: answer.total, next: answer.next };
        }
        count(step.id, step.method, step.risk, params);
        return { result: `<result of ${step.id}>` };
      }
      case 'list': {
        if (streamed.has(step.id)) return { count: 0, items: [] };
        const items: unknown[] = [];
        for await (const page of client.list(step.method, ((await renderTemplate(step.params, scope())) ?? {}) as Record<string, unknown>)) items.push(...page.rows);
        draft.rows += items.length;
        return { items, count: items.length };
      }
      case 'for_each':
        return planForEach(step);
      case 'batch': {
        for (const command of step.commands) {
          if (command.risk !== 'read') count(step.id, command.method, command.risk, await renderTemplate(command.params, scope()));
        }
        return { result: {}, errors: {} };
      }
      case 'assert':
        return {};
    }
  }

  async function planForEach(step: ForEachStep): Promise<unknown> {
    const keys: string[] = [];
    let items = 0;
    const visit = async (row: unknown): Promise<void> => {
      items += 1;
      const base = { ...scope(), [step.as]: row };
      const itemKey = await renderItemKey(step, scope(), row);
      const itemScope: Record<string, unknown> = { ...base };
      let writes = 0;
      for (const subStep of step.do) {
        if (subStep.if) {
          const dependsOnSubSteps = subStep.if.analysis.roots.some((root) => step.do.some((candidate) => candidate.id === root));
          if (!dependsOnSubSteps && !(await conditionFast(subStep.if, itemScope))) continue;
        }
        if (subStep.risk !== 'read') {
          count(subStep.id, subStep.method, subStep.risk, await renderParams(subStep.params, itemScope), itemKey);
          writes += 1;
        }
        itemScope[subStep.id] = { result: `<result of ${subStep.id}>` };
      }
      if (writes > 0) keys.push(itemKey);
    };
    const listStep = step.streamsFrom ? chain.steps.find((candidate) => candidate.id === step.streamsFrom) : undefined;
    if (listStep && listStep.kind === 'list') {
      const params = ((await renderTemplate(listStep.params, scope())) ?? {}) as Record<string, unknown>;
      for await (const page of client.list(listStep.method, params)) {
        draft.rows += page.rows.length;
        for (const row of page.rows) await visit(row);
        if (options.signal?.aborted) break;
      }
    } else {
      const collection = await evaluateFast(step.over, scope());
      for (const row of Array.isArray(collection) ? collection : []) await visit(row);
    }
    draft.itemKeys[step.id] = keys;
    return { count: items, failed: 0, skipped: 0 };
  }
}
