/**
 * What the runner needs from a Bitrix24 client. The real `B24Client` is adapted to it in
 * `client-adapter.ts`; tests may pass their own.
 */
export interface CallAnswer {
  result: unknown;
  /** REST 3.0: the portal replayed an earlier send of this write's idempotency key. */
  replayed?: boolean;
  version?: 2 | 3;
  total?: number;
  next?: number;
}

export interface BatchCommandInput {
  method: string;
  params: Record<string, unknown>;
}

export interface BatchAnswer {
  /** Results by command name. */
  results: Record<string, unknown>;
  /** Errors by command name. */
  errors: Record<string, { code: string; message: string; retryable: boolean }>;
  /** Commands that appear in no result map (halted): they were not executed. */
  notExecuted: string[];
}

export interface ListPage {
  rows: unknown[];
  /** Opaque position after this page; passing it back as `startAfter` continues from here. */
  cursor: unknown;
  /** Rows the portal counted from the starting position, when known (for progress and ETA). */
  total?: number;
}

export interface RunnerClient {
  /** Key of the portal (host or member_id): runs, plans and limits are scoped by it. */
  readonly portalKey: string;
  /** `version` and `idempotencyKey`: REST 3.0 (issue 13); a v3 write's key makes a re-send safe. */
  call(method: string, params: Record<string, unknown>, options?: { signal?: AbortSignal; write?: boolean; version?: 2 | 3 | 'auto'; idempotencyKey?: string }): Promise<CallAnswer>;
  /** One request of at most 50 commands. */
  batch(commands: Record<string, BatchCommandInput>, options: { halt: boolean; signal?: AbortSignal; write?: boolean }): Promise<BatchAnswer>;
  list(method: string, params: Record<string, unknown>, options?: { startAfter?: unknown; signal?: AbortSignal; version?: 2 | 3 | 'auto' }): AsyncIterable<ListPage>;
  /** Counters for the result and the progress display. */
  counters(): { requests: number; commands: number; limiterWaitMs: number; retries: number; limiterWaitingMs?: number };
}
