/**
 * One REST call, end to end: wait for the limiter, send, parse, learn from the answer (operating
 * time, 503s, 429s), and retry what the policy allows. A write is re-sent only when the portal
 * certainly did not execute it; otherwise the caller gets an `OutcomeUnknownError`.
 */
import { B24ChainError, isB24ChainError } from '../errors/index.ts';
import { isBitrixApiError } from '../errors/index.ts';
import { isNetworkError } from '../errors/index.ts';
import { isTimeoutError } from '../errors/index.ts';
import { OutcomeUnknownError } from '../errors/index.ts';
import { parseResponse, type SuccessResponse } from '../protocol/index.ts';
import { decideRetry, retryTraits } from '../protocol/index.ts';
import type { ClientContext } from './client-context.ts';
import type { TransportRequest } from './transport.ts';
import { decodeV3Response, type V3Success } from './v3/decode-v3-response.ts';
import { encodeV3Request } from './v3/encode-v3-request.ts';
import type { ApiVersion } from './v3/method-versions.ts';

export interface OutgoingRequest {
  method: string;
  /** Method parameters, without credentials. */
  params: Record<string, unknown>;
  isWrite: boolean;
  /** Commands carried (for hooks). */
  commandCount: number;
  /** For a batch: the names of its commands (named in an outcome-unknown error). */
  commandNames?: readonly string[];
  /** Methods of the batch's commands (documented batch charging). */
  commandMethods?: readonly string[];
  signal?: AbortSignal;
  /** REST version (default 2). v3: JSON to `/rest/api/`, v3 envelope and errors. */
  version?: ApiVersion;
  /** v3 writes: the `Idempotency-Key`; with it a lost answer is re-sent (the portal replays). */
  idempotencyKey?: string;
  /** v3 batch: the bare array body (instead of `params`). */
  v3Body?: unknown[];
}

const MAX_ROUNDS = 64;

async function buildHttpRequest(context: ClientContext, request: OutgoingRequest): Promise<{ http: TransportRequest; token?: string }> {
  const headers = { 'content-type': 'application/json', accept: 'application/json', 'user-agent': context.userAgent };
  const { auth, baseUrl } = context.connection;
  if (request.version === 3) return buildV3HttpRequest(context, request, headers);
  if (auth.mode === 'webhook') {
    const url = `${baseUrl}/rest/${encodeURIComponent(auth.userId)}/${encodeURIComponent(auth.code)}/${request.method}`;
    const http: TransportRequest = { method: 'POST', url, headers, body: JSON.stringify(request.params) };
    if (request.signal !== undefined) http.signal = request.signal;
    return { http };
  }
  const session = context.session;
  if (session === undefined) throw new Error('oauth connection without a session');
  const { accessToken, clientEndpoint } = await session.current();
  const http: TransportRequest = {
    method: 'POST',
    url: `${clientEndpoint}${request.method}`,
    headers,
    body: JSON.stringify({ ...request.params, auth: accessToken }),
  };
  if (request.signal !== undefined) http.signal = request.signal;
  return { http, token: accessToken };
}

/** The REST 3.0 form (`v3/encode-v3-request.ts`): kept apart so the v2 path above is untouched. */
async function buildV3HttpRequest(
  context: ClientContext,
  request: OutgoingRequest,
  headers: Record<string, string>,
): Promise<{ http: TransportRequest; token?: string }> {
  const { auth, baseUrl } = context.connection;
  const common = {
    baseUrl,
    method: request.method,
    params: request.v3Body ?? request.params,
    headers,
    ...(request.idempotencyKey === undefined ? {} : { idempotencyKey: request.idempotencyKey }),
  };
  let token: string | undefined;
  let parts;
  if (auth.mode === 'webhook') {
    parts = encodeV3Request({ ...common, webhook: { userId: auth.userId, code: auth.code } });
  } else {
    if (context.session === undefined) throw new Error('oauth connection without a session');
    const { accessToken, clientEndpoint } = await context.session.current();
    token = accessToken;
    parts = encodeV3Request({ ...common, clientEndpoint, accessToken });
  }
  const http: TransportRequest = { method: 'POST', url: parts.url, headers: parts.headers, body: parts.body };
  if (request.signal !== undefined) http.signal = request.signal;
  return token === undefined ? { http } : { http, token };
}

/** A short account of a failure for an outcome-unknown message (its own hint would mislead there). */
function describeFailure(error: unknown): string {
  if (isBitrixApiError(error)) return `the portal answered ${error.code} with HTTP ${error.httpStatus}`;
  if (isNetworkError(error)) return `the connection failed (${error.systemCode})`;
  if (isTimeoutError(error)) return `no answer within ${error.timeoutMs} ms`;
  return codeOf(error);
}

function codeOf(error: unknown): string {
  return isB24ChainError(error) ? error.code : error instanceof Error ? error.name : 'ERROR';
}

export async function sendRequest(context: ClientContext, request: OutgoingRequest): Promise<SuccessResponse | V3Success> {
  const { limiter, clock, hooks, connection } = context;
  const key = connection.limiterKey;
  const operatingKey = connection.operatingKey;
  const charged = limiter.chargedMethods(request.method, request.commandMethods ?? []);
  const observeAs = request.method.toLowerCase() === 'batch' && limiter.options.batchCharging === 'documented' ? undefined : request.method;
  let attempt = 0;
  let rateLimitAttempts = 0;
  let refreshes = 0;
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    attempt += 1;
    const permit = await limiter.acquire({ bucket: key, operating: operatingKey }, charged, request.signal, hooks.onLimiterWait);
    const { http, token } = await buildHttpRequest(context, request);
    const event = { method: request.method, commands: request.commandCount, attempt };
    hooks.onRequest?.(event);
    const startedAt = clock.now();
    let failure: unknown;
    try {
      const response = await context.transport.send(http, request.method);
      hooks.onResponse?.({ ...event, status: response.status, durationMs: clock.now() - startedAt });
      const parsed =
        request.version === 3
          ? decodeV3Response(request.method, response, clock.now(), request.idempotencyKey)
          : parseResponse(request.method, response, clock.now());
      if (parsed.ok) {
        // The answer is in hand: a store that fails now (Redis gone) must not turn it into an error, which
        // a write's caller takes for "not sent". The next reservation reports the store instead.
        if (observeAs !== undefined) await limiter.observe(operatingKey, observeAs, parsed.time).catch(() => undefined);
        return parsed;
      }
      failure = parsed.error;
    } catch (error) {
      hooks.onResponse?.({ ...event, status: 0, durationMs: clock.now() - startedAt });
      if (request.signal?.aborted) {
        if (!request.isWrite) throw error;
        throw new OutcomeUnknownError({
          method: request.method,
          ...(request.commandNames === undefined ? {} : { commands: request.commandNames }),
          reason: 'the call was aborted while the request was in flight',
          cause: error,
        });
      }
      if (!isB24ChainError(error)) throw error;
      failure = error;
      if (isNetworkError(error) && error.phase === 'connect') await permit.release();
    }

    const traits = retryTraits(failure);
    if (traits.retry === 'rate') {
      rateLimitAttempts += 1;
      await limiter.recordRateRefusal(key);
    }
    const operatingResetAtMs = traits.retry === 'operating' ? await limiter.operatingResetAt(operatingKey, charged[0] ?? request.method) : undefined;
    const decision = decideRetry({
      error: failure,
      attempt,
      rateLimitAttempts,
      // A v3 write with an Idempotency-Key is safe to re-send: the portal replays what it executed.
      isWrite: request.isWrite && request.idempotencyKey === undefined,
      nowMs: clock.now(),
      ...(operatingResetAtMs === undefined ? {} : { operatingResetAtMs }),
      random: context.random,
      options: context.retry,
    });
    if (decision.action === 'fail') throw failure;
    if (decision.action === 'outcome-unknown') {
      throw new OutcomeUnknownError({
        method: request.method,
        ...(request.commandNames === undefined ? {} : { commands: request.commandNames }),
        reason: describeFailure(failure),
        cause: failure,
      });
    }
    if (decision.action === 'refresh') {
      if (context.session === undefined || token === undefined || refreshes >= 1) throw failure;
      refreshes += 1;
      await context.session.renew(token, request.signal);
      continue;
    }
    hooks.onRetry?.({ method: request.method, attempt, delayMs: decision.delayMs, reason: decision.reason, code: codeOf(failure) });
    if (traits.retry === 'operating') {
      // The limiter holds every caller of these methods back until the reset, this one included.
      await limiter.pauseMethods(operatingKey, charged, clock.now() + decision.delayMs);
      continue;
    }
    if (decision.delayMs > 0) await limiter.backOff(key, decision.delayMs, request.signal);
  }
  throw new B24ChainError(`${request.method}: no answer after ${MAX_ROUNDS} attempts (RETRIES_EXHAUSTED).`, {
    code: 'RETRIES_EXHAUSTED',
    hint: 'The portal kept refusing or failing; try again later.',
  });
}
