/**
 * The commands one item contributes to the next batch (DESIGN.md §3): its pending sub-steps in
 * order, as long as each one's inputs are known or reachable through a `$result` reference to a
 * sub-step in the same batch. `if` conditions that can be decided now are decided before sending.
 */
import type { CallStep, ForEachStep } from '../chain/index.ts';
import type { ChainExpression } from '../chain/index.ts';
import { listTemplateExpressions } from '../chain/index.ts';
import type { ItemState } from './item-state.ts';
import { NOT_YET } from '../chain/index.ts';
import { evaluateCondition } from '../chain/index.ts';
import { renderTemplate } from '../chain/index.ts';

export interface ItemCommand {
  name: string;
  subStep: CallStep;
  method: string;
  params: Record<string, unknown>;
  /** Whether its parameters reference another command of the same batch. */
  referencesBatch: boolean;
}

export interface CompiledItem {
  item: ItemState;
  commands: ItemCommand[];
  /** True when every sub-step is done or skipped: the item needs no more requests. */
  finished: boolean;
}

export type BaseScope = Readonly<Record<string, unknown>>;

function rootsOf(expressions: ChainExpression[]): Set<string> {
  return new Set(expressions.flatMap((expression) => expression.analysis.roots));
}

/** Per sub-step: the earlier sub-steps its params and its `if` read. Computed once per step. */
export function dependencyMap(step: ForEachStep): Map<string, { params: Set<string>; condition: Set<string> }> {
  const map = new Map<string, { params: Set<string>; condition: Set<string> }>();
  const earlier: string[] = [];
  for (const subStep of step.do) {
    const params = [...rootsOf(listTemplateExpressions(subStep.params))].filter((root) => earlier.includes(root));
    const condition = subStep.if ? subStep.if.analysis.roots.filter((root) => earlier.includes(root)) : [];
    map.set(subStep.id, { params: new Set(params), condition: new Set(condition) });
    earlier.push(subStep.id);
  }
  return map;
}

export function itemScope(base: BaseScope, step: ForEachStep, item: ItemState): Record<string, unknown> {
  const scope: Record<string, unknown> = { ...base, [step.as]: item.row };
  for (const [subStepId, result] of item.results) scope[subStepId] = { result };
  return scope;
}

export async function compileItemCommands(
  step: ForEachStep,
  dependencies: ReturnType<typeof dependencyMap>,
  base: BaseScope,
  item: ItemState,
): Promise<CompiledItem> {
  const scope = itemScope(base, step, item);
  const scheduled = new Map<string, string>();
  const commands: ItemCommand[] = [];
  const earlier: string[] = [];
  let blocked = false;
  for (const [index, subStep] of step.do.entries()) {
    const status = item.statuses.get(subStep.id) ?? 'pending';
    const depends = dependencies.get(subStep.id) ?? { params: new Set<string>(), condition: new Set<string>() };
    if (status === 'done' || status === 'skipped') {
      earlier.push(subStep.id);
      continue;
    }
    if (status === 'failed' || blocked) {
      blocked = true;
      break;
    }
    const waitsOn = (names: Set<string>): boolean => [...names].some((name) => item.statuses.get(name) !== 'done' && item.statuses.get(name) !== 'skipped');
    if (subStep.if) {
      if (waitsOn(depends.condition)) break;
      if (!(await evaluateCondition(subStep.if, scope))) {
        item.statuses.set(subStep.id, 'skipped');
        earlier.push(subStep.id);
        continue;
      }
    }
    const unresolved = [...depends.params].filter((name) => item.statuses.get(name) !== 'done' && item.statuses.get(name) !== 'skipped');
    if (unresolved.some((name) => !scheduled.has(name))) break;
    const rendered = await renderTemplate(subStep.params, scope, { batchReferences: { scheduled, earlier: [...earlier] } });
    if (rendered === NOT_YET) break;
    const name = `i${item.sequence}s${index}`;
    commands.push({
      name,
      subStep,
      method: subStep.method,
      params: (rendered ?? {}) as Record<string, unknown>,
      referencesBatch: unresolved.length > 0,
    });
    scheduled.set(subStep.id, name);
    earlier.push(subStep.id);
  }
  const finished = step.do.every((subStep) => {
    const status = item.statuses.get(subStep.id);
    return status === 'done' || status === 'skipped';
  });
  return { item, commands, finished };
}
