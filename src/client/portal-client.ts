/**
 * The one port every user of a portal goes through (runner, call, events, MCP): `B24Client` implements
 * it; tests and decorators (`withAuthConnector`) may wrap it. `call` one method, `batch` named commands
 * with one outcome per command, `list` pages of a list method, `counters` for progress.
 */
import type { BatchCommandError } from '../errors/index.ts';
import type { ListCursor } from '../protocol/index.ts';
import type { TimeInfo } from '../protocol/index.ts';
import type { BatchCommandInput } from '../protocol/index.ts';
import type { ApiVersion, ApiVersionChoice } from './v3/method-versions.ts';

export interface CallOptions {
  signal?: AbortSignal;
  /** Whether the method writes; by default guessed from its name (unknown verbs count as writes). */
  write?: boolean;
  /** `auto` (default), 2 or 3 (REST 3.0). */
  version?: ApiVersionChoice;
  /** v3 writes: the `Idempotency-Key` (default: a fresh one per call, kept across its retries). */
  idempotencyKey?: string;
}

export interface CallResult<T = unknown> {
  result: T;
  /** The REST version the call went to. */
  version?: ApiVersion;
  /** v3: the portal replayed the answer of an earlier send of this key (`Idempotent-Replayed: true`). */
  replayed?: boolean;
  /** v3 writes: the key sent. */
  idempotencyKey?: string;
  total?: number;
  next?: number;
  time?: TimeInfo;
}

export type BatchInput = Readonly<Record<string, BatchCommandInput>> | ReadonlyArray<readonly [string, BatchCommandInput]>;

export interface BatchOptions {
  /** Stop at the first failing command (`halt=1`); later commands are reported as not executed. */
  halt?: boolean;
  signal?: AbortSignal;
  /** Whether the batch writes; by default true when any command's method is not a known read. */
  write?: boolean;
}

/** What happened to one command of a batch: the only representation of a command's outcome. */
export type BatchCommandOutcome =
  | { status: 'done'; result: unknown; total?: number; next?: number; time?: TimeInfo }
  | { status: 'failed'; error: BatchCommandError }
  /** Halted, or its request was never sent or refused before running: safe to send again. */
  | { status: 'not-executed' }
  /** Its request failed after it may have run: reconcile before sending it again. */
  | { status: 'unknown'; cause: Error };

export interface BatchResult {
  /** One outcome per command, by name, in the order given. */
  outcomes: Record<string, BatchCommandOutcome>;
  /** HTTP requests the batch took (retries not counted). */
  requests: number;
  /** The request-level error that stopped the batch after at least one request was answered. */
  failure?: Error;
}

export interface ListOptions {
  signal?: AbortSignal;
  /** Resume after this cursor (from `ListIterator.cursor` or a page's `cursor`). */
  cursor?: ListCursor;
  /** Learn the count first with one counted request (default true); false chains 50 pages blindly. */
  count?: boolean;
  /** `auto` (default), 2 or 3 (REST 3.0). */
  version?: ApiVersionChoice;
}

/** One page of a list method, from the wire to the runner. */
export interface ListPage {
  rows: unknown[];
  /** Where the next page starts: checkpoint it to resume after this page. */
  cursor: ListCursor;
  mode: 'keyset' | 'offset';
  /** Rows the portal counted (for keyset: rows after the starting cursor), when known. */
  total?: number;
}

export interface ClientCounters {
  requests: number;
  commands: number;
  retries: number;
  /** Wall time spent waiting on the limiter (concurrent waits counted once). */
  limiterWaitMs: number;
  rows: number;
  /** How long the current limiter wait still lasts (0 when nothing waits). */
  limiterWaitingMs?: number;
}

export interface PortalClient {
  /** Key of the portal (host for webhooks, member_id for applications): runs, plans, limits and idempotency records are scoped by it. */
  readonly portalKey: string;
  /** The application the connection acts as (its OAuth client id); absent for webhooks. Keys per-application queues. */
  readonly applicationKey?: string;
  call(method: string, params: Record<string, unknown>, options?: CallOptions): Promise<CallResult>;
  /** Any number of named commands, split into requests of at most 50; one outcome per command. */
  batch(commands: BatchInput, options?: BatchOptions): Promise<BatchResult>;
  /** Every page of a list method, resumable from a page's cursor. */
  list(method: string, params: Record<string, unknown>, options?: ListOptions): AsyncIterable<ListPage>;
  /** Totals since the client was made, for results and the progress display. */
  counters(): ClientCounters;
  /** The REST version a call would go to (absent on ports that speak only v2). */
  versionFor?(method: string, params: Record<string, unknown>, requested?: ApiVersionChoice): ApiVersion;
  /** A REST 3.0 batch, all or nothing, results by name (absent on ports that speak only v2). */
  batchV3?(
    commands: Readonly<Record<string, { method: string; params: Record<string, unknown> }>>,
    options?: { signal?: AbortSignal; idempotencyKey?: string },
  ): Promise<{ results: Record<string, unknown>; replayed: boolean }>;
}

/** The commands whose outcome is unknown, by name. */
export function unknownCommands(result: BatchResult): string[] {
  return Object.entries(result.outcomes).flatMap(([name, outcome]) => (outcome.status === 'unknown' ? [name] : []));
}
