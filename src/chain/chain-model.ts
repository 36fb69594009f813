/**
 * The typed chain definition (DESIGN.md §3) that validation produces and the runner executes.
 * Every node keeps its source position so the runner reports problems the way validation does.
 */
import type { ChainExpression, ValueTemplate } from './expressions/template-model.ts';

/** A place in the chain file: 1-based line and column, and the JSON pointer of the node. */
export interface SourcePosition {
  line: number;
  column: number;
  pointer: string;
}

export type InputType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
export const INPUT_TYPES: readonly InputType[] = ['string', 'number', 'integer', 'boolean', 'array', 'object'];

export interface ChainInput {
  name: string;
  type: InputType;
  /** Required inputs have no default and must be passed (`--input name=value`). */
  required: boolean;
  /** Present only when the file declares one; already of `type`. */
  default?: unknown;
  description?: string;
  /** `secret: true`: the value is never stored or printed (a marker with a digest is); see `secret-inputs.ts`. */
  secret?: boolean;
  position: SourcePosition;
}

export type OnError = 'stop' | 'skip' | 'dead_letter';
export const ON_ERROR_VALUES: readonly OnError[] = ['stop', 'skip', 'dead_letter'];
export const DEFAULT_ON_ERROR: OnError = 'stop';

/**
 * Retries of transient failures (503, network) for one step. Writes are never retried blindly:
 * an unknown outcome goes through reconciliation whatever this says (DESIGN.md §5).
 */
export interface RetryPolicy {
  /** Total attempts, the first one included (1 = no retry). */
  attempts: number;
  /** Delay before the first retry. */
  delayMs?: number;
  /** Upper bound on any delay. */
  maxDelayMs?: number;
  backoff?: 'fixed' | 'exponential';
  position: SourcePosition;
}

export type MethodRisk = 'read' | 'write' | 'destructive';

export type StepKind = 'call' | 'list' | 'for_each' | 'batch' | 'assert';
export const STEP_KINDS: readonly StepKind[] = ['call', 'list', 'for_each', 'batch', 'assert'];

/**
 * What `steps.<id>` exposes to later expressions, by step kind: the runner must fill these fields.
 * - call: `result` (the method's result), `total`, `next` (list envelopes only);
 * - list: `items` (every row; a `for_each` streams them page by page), `count` (rows read);
 * - for_each: `count` (items done), `failed`, `skipped` (items that failed / were skipped by on_error);
 * - batch: `result.<command>`, `errors.<command>` (`{error, error_description}`);
 * - assert: nothing.
 * Inside a `for_each`, an earlier sub-step of the same item is `<subStepId>.result`.
 */
export const STEP_OUTPUT_FIELDS: Readonly<Record<StepKind, readonly string[]>> = {
  call: ['result', 'total', 'next', 'replayed'],
  list: ['items', 'count'],
  for_each: ['count', 'failed', 'skipped'],
  batch: ['result', 'errors'],
  assert: [],
};
export const SUB_STEP_OUTPUT_FIELDS: readonly string[] = ['result'];

interface StepBase {
  id: string;
  kind: StepKind;
  description?: string;
  /**
   * Run the step only when this is truthy. On a `for_each` it is evaluated once, before the loop
   * (there is no item yet); on a sub-step, per item (before sending when it reads only the item and
   * inputs, else once the sub-steps it reads are done).
   */
  if?: ChainExpression;
  position: SourcePosition;
}

interface RetryingStep {
  retry?: RetryPolicy;
  onError: OnError;
}

/** REST version of a call or list step (`version:` on the step, else the chain's `api_version`). */
export type StepApiVersion = 2 | 3 | 'auto';

/** One method call. As a `for_each` sub-step, it runs once per item, compiled into batches. */
export interface CallStep extends StepBase, RetryingStep {
  /** Absent: the client's default (`auto`). */
  version?: StepApiVersion;
  kind: 'call';
  method: string;
  params: ValueTemplate;
  /** The method's risk class with the literal parameters (packs.md). */
  risk: MethodRisk;
  methodPosition: SourcePosition;
}

/** Every page of a list method (keyset-paginated where the method allows it). */
export interface ListStep extends StepBase, RetryingStep {
  version?: StepApiVersion;
  kind: 'list';
  method: string;
  params: ValueTemplate;
  risk: MethodRisk;
  methodPosition: SourcePosition;
}

export interface ForEachStep extends StepBase, RetryingStep {
  kind: 'for_each';
  /** The collection: exactly one expression over earlier steps or inputs. */
  over: ChainExpression;
  /** When `over` is exactly `steps.<id>.items` of a list step: that step, so the runner can stream it. */
  streamsFrom?: string;
  /** The name the current item has in expressions. */
  as: string;
  /** The stable item key (checkpoints, idempotency); required when a sub-step writes. */
  key?: ValueTemplate;
  /** Batches in flight for this loop (the run's `--concurrency` when absent). */
  concurrency?: number;
  /** REST version of its sub-steps (each may name its own): 3 sends them as v3 array batches. */
  version?: StepApiVersion;
  do: CallStep[];
}

export interface BatchStepCommand {
  /** The command's name in the batch (`cmd[name]`); later commands reference `name.result`. */
  name: string;
  method: string;
  params: ValueTemplate;
  risk: MethodRisk;
  position: SourcePosition;
  methodPosition: SourcePosition;
}

/** Explicit named commands sent as one `batch` request. */
export interface BatchStep extends StepBase, RetryingStep {
  kind: 'batch';
  commands: BatchStepCommand[];
  /** `halt=1`: stop at the first failing command. */
  halt: boolean;
  /** REST version of its commands: 3 sends them as one v3 array batch (all or nothing). */
  version?: StepApiVersion;
}

/** Stops the run with `message` when `condition` is falsy. */
export interface AssertStep extends StepBase {
  kind: 'assert';
  condition: ChainExpression;
  message: ValueTemplate;
}

export type ChainStep = CallStep | ListStep | ForEachStep | BatchStep | AssertStep;

export interface ChainOutput {
  name: string;
  value: ValueTemplate;
  position: SourcePosition;
}

export interface ChainDefinition {
  version: 1;
  name: string;
  description?: string;
  /** Declared packs (`core` when the file names none). */
  packs: string[];
  inputs: ChainInput[];
  steps: ChainStep[];
  outputs: ChainOutput[];
  /** The file as the user named it, for messages. */
  file: string;
}

/** A method the chain may send, with its risk: what `chain validate` lists and the write gates check. */
export interface ChainMethodUse {
  /** The step id (a sub-step's own id; a batch step's id). */
  step: string;
  /** The enclosing `for_each`, for sub-steps. */
  parent?: string;
  /** The batch command name, for batch steps. */
  command?: string;
  method: string;
  risk: MethodRisk;
  line: number;
  column: number;
}

export interface ChainSummary {
  /** Steps whose risk is `write` (need `--confirm-write`). */
  writes: ChainMethodUse[];
  /** Steps whose risk is `destructive` (need `--confirm-destructive` as well). */
  destructive: ChainMethodUse[];
  /** OAuth/webhook scopes the chain's methods need, sorted. */
  scopes: string[];
  /** Methods whose scope is not known (the run cannot check them up front). */
  methodsWithoutScope: string[];
}
