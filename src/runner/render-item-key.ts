/**
 * The key of a `for_each` item: the step's `key` expression, else the row's ID. A run and a plan must
 * compute exactly the same keys (a plan-bound run writes only the planned keys), so both call this.
 */
import type { ForEachStep } from '../chain/index.ts';
import { renderTemplate } from '../chain/index.ts';

export async function renderItemKey(step: ForEachStep, base: Readonly<Record<string, unknown>>, row: unknown): Promise<string> {
  if (!step.key) {
    const record = row as { ID?: unknown; id?: unknown } | null;
    return String(record?.ID ?? record?.id ?? JSON.stringify(row));
  }
  const value = await renderTemplate(step.key, { ...base, [step.as]: row });
  return typeof value === 'string' ? value : JSON.stringify(value);
}
