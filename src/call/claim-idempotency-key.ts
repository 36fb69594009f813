/**
 * Claims an idempotency key before a write is sent. When another caller (another process, too) holds
 * the key in flight, waits a bounded time for its answer and replays it, so one key is never sent
 * twice; a key still in flight after the wait, or used with other parameters, is refused (exit 2).
 */
import { RefusalError } from '../errors/index.ts';
import type { IdempotencyClaim, IdempotencyRecord, IdempotencyStore } from '../store/index.ts';
import type { Clock } from '../util/index.ts';

export type ClaimOutcome = { outcome: 'fresh'; claim: IdempotencyClaim } | { outcome: 'replay'; result: unknown; record: IdempotencyRecord };

export interface ClaimRequest {
  portal: string;
  method: string;
  key: string;
  params: Record<string, unknown>;
}

export interface ClaimOptions {
  clock: Clock;
  /** How long to wait for a key another caller is sending (default 10 s). */
  waitMs?: number | undefined;
  /** How often to look again while waiting (default 100 ms). */
  pollMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

export const defaultInFlightWaitMs = 10_000;
export const defaultInFlightPollMs = 100;

function conflict(request: ClaimRequest, record: IdempotencyRecord): RefusalError {
  return new RefusalError(
    `${request.method}: idempotency key "${request.key}" was already used with different parameters at ${new Date(record.createdAt).toISOString()}; nothing was sent (IDEMPOTENCY_KEY_CONFLICT).`,
    {
      code: 'IDEMPOTENCY_KEY_CONFLICT',
      hint: 'A key names one request (REST 3.0 answers 422 here). Send the original parameters to replay its answer, or use a new key for a new request.',
      subject: request.method,
      details: { key: request.key, firstUsedAt: new Date(record.createdAt).toISOString() },
    },
  );
}

function stillInFlight(request: ClaimRequest, record: IdempotencyRecord, waitedMs: number): RefusalError {
  return new RefusalError(
    `${request.method}: idempotency key "${request.key}" has been in flight since ${new Date(record.createdAt).toISOString()} (waited ${Math.round(waitedMs)} ms); it was not sent twice (IDEMPOTENCY_KEY_IN_FLIGHT).`,
    {
      code: 'IDEMPOTENCY_KEY_IN_FLIGHT',
      hint:
        'Another call with this key is being sent, or an earlier one ended without an answer. Try again shortly; if it stays in flight, ' +
        'check on the portal whether the record exists before sending it again with a new key.',
      subject: request.method,
      details: { key: request.key, inFlightSince: new Date(record.createdAt).toISOString() },
    },
  );
}

/** `fresh` (the caller owns the key and must complete or abandon it) or `replay`; refuses otherwise. */
export async function claimIdempotencyKey(store: IdempotencyStore, request: ClaimRequest, options: ClaimOptions): Promise<ClaimOutcome> {
  const waitMs = Math.max(0, options.waitMs ?? defaultInFlightWaitMs);
  const pollMs = Math.max(1, options.pollMs ?? defaultInFlightPollMs);
  const startedAt = options.clock.now();
  const maximumLooks = Math.ceil(waitMs / pollMs) + 1;
  for (let look = 1; ; look += 1) {
    const decision = store.begin(request);
    if (decision.outcome === 'fresh' || decision.outcome === 'replay') return decision;
    if (decision.outcome === 'conflict') throw conflict(request, decision.record);
    const waited = options.clock.now() - startedAt;
    if (look >= maximumLooks || waited >= waitMs) throw stillInFlight(request, decision.record, waited);
    await options.clock.sleep(Math.min(pollMs, waitMs - waited), options.signal);
  }
}
