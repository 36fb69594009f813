/**
 * A handler chain (DESIGN.md §8): a valid chain that declares input `events` (type array; required
 * or with a default, the worker always passes it). The
 * `for_each` steps over exactly `${{ inputs.events }}` are how the worker settles row by row: a row
 * is done when its item is done (or skipped) in every such step. A handler without one is settled
 * as a whole: all rows done when the run is done.
 */
import type { ChainDefinition, ChainSummary, ForEachStep } from '../chain/index.ts';
import { resolveChainInputs } from '../chain/index.ts';
import { validateChainFile } from '../chain/index.ts';
import { ChainValidationError } from '../errors/index.ts';
import { EventsRefusedError } from './event-errors.ts';

export interface EventHandler {
  chain: ChainDefinition;
  path: string;
  sha256: string;
  summary: ChainSummary;
  /** The `for_each` steps whose items are the events, one item per row. */
  eventSteps: ForEachStep[];
}

export function findEventSteps(chain: ChainDefinition): ForEachStep[] {
  return chain.steps.filter((step): step is ForEachStep => step.kind === 'for_each' && step.over.source.replace(/\s+/g, '') === 'inputs.events');
}

/** Validates and loads a handler chain; throws `ChainValidationError` or `EventsRefusedError` (exit 2). */
export async function loadHandler(path: string): Promise<EventHandler> {
  const report = await validateChainFile(path);
  if (!report.valid || !report.chain) throw new ChainValidationError(path, report.problems);
  const chain = report.chain;
  const input = chain.inputs.find((candidate) => candidate.name === 'events');
  if (input?.type !== 'array') {
    throw new EventsRefusedError(
      `${path}: a handler chain must declare the input events (type: array); ${input ? `it is declared as ${input.type}` : 'it declares none'} (HANDLER_WITHOUT_EVENTS).`,
      {
        code: 'HANDLER_WITHOUT_EVENTS',
        hint: 'Add `inputs: { events: { type: array } }` and loop over it: `for_each: "${{ inputs.events }}"` with `key: "${{ event.ID }}"`.',
      },
    );
  }
  return { chain, path, sha256: report.sha256, summary: report.summary, eventSteps: findEventSteps(chain) };
}

/**
 * The handler's other inputs (`--input name=value`), checked and with their defaults. `events` is the
 * worker's to pass, so a handler may declare it required: it is never asked of the user.
 */
export function resolveHandlerInputs(handler: Pick<EventHandler, 'chain'>, provided: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { events: _events, ...others } = provided;
  const { events: _placeholder, ...resolved } = resolveChainInputs(handler.chain, { ...others, events: [] });
  return resolved;
}
