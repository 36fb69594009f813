/** A run's items in two numbers, over all its for_each steps: done, and failed (dead letters included). */
import type { RunStore } from '../store/index.ts';

export function countRunItems(store: RunStore, runId: string): { itemsDone: number; itemsFailed: number } {
  let itemsDone = 0;
  let itemsFailed = 0;
  for (const counts of Object.values(store.countItems(runId))) {
    itemsDone += counts.done ?? 0;
    itemsFailed += (counts.failed ?? 0) + (counts.dead_letter ?? 0);
  }
  return { itemsDone, itemsFailed };
}
