/**
 * The last steps of a call that passed every gate: claim its idempotency key, consume its plan, send
 * it once, store the answer for replays. Order matters: a refusal here (key conflict, key in flight,
 * plan taken meanwhile) leaves the plan usable and nothing sent; a definite error gives the key back;
 * an unknown outcome keeps it reserved so the write cannot go out twice.
 */
import { isB24ChainError } from '../errors/index.ts';
import { isOutcomeUnknownError } from '../errors/index.ts';
import type { RiskClass } from '../protocol/index.ts';
import type { CallPlan, IdempotencyClaim, StateStores } from '../store/index.ts';
import type { Clock } from '../util/index.ts';
import type { CallResult, PortalClient } from '../client/index.ts';
import type { CallOutcome } from './call-outcome.ts';
import { buildOutcome, type CallState } from './call-state.ts';
import { chooseIdempotencyKey, idempotencyAdvice } from './choose-idempotency-key.ts';
import { claimIdempotencyKey } from './claim-idempotency-key.ts';
import { findBatchErrors } from './find-batch-errors.ts';
import { redactValue } from './redact-value.ts';

export interface PreparedCall {
  method: string;
  params: Record<string, unknown>;
  risk: RiskClass;
  /** The plan being executed, already checked. */
  plan?: CallPlan | undefined;
  explicitKey?: string | undefined;
  idempotency: boolean;
}

export interface SendContext {
  client: PortalClient;
  stores: Pick<StateStores, 'plans' | 'idempotency'>;
  clock: Clock;
  inFlightWaitMs?: number | undefined;
  inFlightPollMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** The stored answer of a keyed call, as replays return it. */
function toStoredAnswer(answer: CallResult): CallResult {
  return redactValue({
    result: answer.result,
    ...(answer.total === undefined ? {} : { total: answer.total }),
    ...(answer.next === undefined ? {} : { next: answer.next }),
    ...(answer.time === undefined ? {} : { time: answer.time }),
  }) as CallResult;
}

function readStoredAnswer(stored: unknown): CallResult {
  if (stored !== null && typeof stored === 'object' && 'result' in stored) return stored as CallResult;
  return { result: stored };
}

function answerOutcome(state: CallState, prepared: PreparedCall, answer: CallResult, replayed: boolean): CallOutcome {
  const errors = findBatchErrors(prepared.method, prepared.params, answer.result).map((error) => error.toJSON());
  const status = replayed ? 'replayed' : errors.length > 0 ? 'partial' : 'ok';
  if (errors.length > 0)
    state.notices.push(`${errors.length} batch ${errors.length === 1 ? 'command' : 'commands'} failed; see errors. The other commands were executed.`);
  return buildOutcome(state, status, {
    result: answer.result,
    ...(typeof answer.total === 'number' ? { total: answer.total } : {}),
    ...(typeof answer.next === 'number' ? { next: answer.next } : {}),
    ...(answer.time === undefined ? {} : { time: answer.time }),
    ...(errors.length > 0 ? { exitCode: 1 as const } : {}),
    errors,
  });
}

/** Sends a call that passed every gate (or replays it); throws what the client throws, after bookkeeping. */
export async function sendPreparedCall(prepared: PreparedCall, state: CallState, context: SendContext): Promise<CallOutcome> {
  const { stores, clock, client } = context;
  const choice = chooseIdempotencyKey({
    method: prepared.method,
    params: prepared.params,
    risk: prepared.risk,
    explicitKey: prepared.explicitKey,
    enabled: prepared.idempotency,
  });
  if (choice !== undefined) state.idempotency = { ...state.idempotency, key: choice.key, source: choice.source };
  else if (prepared.explicitKey !== undefined && prepared.risk === 'read')
    state.notices.push('--idempotency-key is ignored for a read: reads are safe to repeat.');

  let claim: IdempotencyClaim | undefined;
  if (choice !== undefined) {
    const claimed = await claimIdempotencyKey(
      stores.idempotency,
      { portal: client.portalKey, method: prepared.method, key: choice.key, params: prepared.params },
      {
        clock,
        waitMs: context.inFlightWaitMs,
        pollMs: context.inFlightPollMs,
        signal: context.signal,
      },
    );
    if (claimed.outcome === 'replay') {
      if (prepared.plan !== undefined) {
        try {
          stores.plans.consume(prepared.plan.id, client.portalKey, 'call');
        } catch {
          // Taken by a concurrent execution of the same plan: the replay stands either way.
        }
      }
      state.idempotency = { ...state.idempotency, replayed: true };
      state.notices.push(
        `Replayed: the answer stored at ${new Date(claimed.record.updatedAt).toISOString()} for idempotency key "${choice.key}"; nothing was sent.`,
      );
      return answerOutcome(state, prepared, readStoredAnswer(claimed.result), true);
    }
    claim = claimed.claim;
  }

  if (prepared.plan !== undefined) {
    try {
      stores.plans.consume(prepared.plan.id, client.portalKey, 'call');
    } catch (error) {
      if (claim !== undefined) stores.idempotency.abandon(claim);
      throw error;
    }
  }

  const startedAt = clock.now();
  let answer: CallResult;
  try {
    answer = await client.call(prepared.method, prepared.params, {
      write: prepared.risk !== 'read',
      // On REST 3.0 the same key goes to the portal as Idempotency-Key (a lost answer is re-sent and replayed).
      ...(choice === undefined ? {} : { idempotencyKey: choice.key }),
      ...(context.signal === undefined ? {} : { signal: context.signal }),
    });
  } catch (error) {
    state.durationMs = clock.now() - startedAt;
    if (claim !== undefined) {
      // The client turns every failure that may have reached the portal into an OutcomeUnknownError;
      // anything it did not type at all is treated the same way.
      if (isB24ChainError(error) && !isOutcomeUnknownError(error)) stores.idempotency.abandon(claim);
      else state.notices.push(`Idempotency key "${claim.key}" stays reserved: the write may have been executed. Check the portal before sending it again.`);
    }
    throw error;
  }
  state.durationMs = clock.now() - startedAt;
  const stored = toStoredAnswer(answer);
  if (claim !== undefined) stores.idempotency.complete(claim, stored);
  else if (prepared.risk !== 'read') {
    state.notices.push(
      prepared.idempotency
        ? idempotencyAdvice(prepared.method)
        : `${prepared.method} was sent with --no-idempotency: running this command again sends it again.`,
    );
  }
  return answerOutcome(state, prepared, stored, false);
}
