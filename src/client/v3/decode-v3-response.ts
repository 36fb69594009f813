/**
 * A REST 3.0 answer → the client's success shape or a typed error. Success: `{result, time}` where
 * `result` is `{item}`, `{items}`, `{result: true}` or, for a batch, an array; a replay is flagged by
 * `Idempotent-Replayed: true`. Errors: `{error: {code, message, validation[]}}` with a 4xx status,
 * mapped into `BitrixApiError` (as `V3ApiError`, with the field messages) or, for a 422 key reuse,
 * `IdempotencyKeyReusedError`. Pure.
 */
import type { ErrorCategory } from '../../errors/index.ts';
import { IdempotencyKeyReusedError } from '../../errors/index.ts';
import { V3ApiError, type V3FieldProblem } from '../../errors/index.ts';
import { parseResponse, type RawResponse, type SuccessResponse } from '../../protocol/index.ts';

export interface V3Success extends SuccessResponse {
  /** The portal answered from its idempotency store: the write was executed by an earlier send. */
  replayed: boolean;
}

export type V3Decoded = V3Success | { ok: false; error: Error };

const V3_PREFIX = 'BITRIX_REST_V3_EXCEPTION_';

interface V3Class {
  category: ErrorCategory;
  hint: string;
}

function classifyV3(suffix: string): V3Class {
  if (suffix === 'ENTITYNOTFOUNDEXCEPTION') return { category: 'not-found', hint: 'The record does not exist (or was deleted): check the id.' };
  if (suffix === 'ACCESSDENIEDEXCEPTION')
    return { category: 'access', hint: 'The user of the webhook or token may not do this: use another user or grant the right.' };
  if (suffix === 'INSUFFICIENTSCOPEEXCEPTION') return { category: 'scope', hint: 'Add the scope to the webhook or application.' };
  if (suffix === 'INVALIDIDEMPOTENCYKEYEXCEPTION') return { category: 'argument', hint: 'Idempotency keys are 1 to 255 printable ASCII characters.' };
  if (suffix === 'METHODNOTFOUNDEXCEPTION') return { category: 'not-found', hint: 'The method is not on REST 3.0: use version 2 for it.' };
  return {
    category: 'argument',
    hint: 'Fix the parameters named in the message (REST 3.0 takes camelCase fields, filter arrays and pagination {page, limit ≤ 1000}).',
  };
}

function validationOf(body: unknown): V3FieldProblem[] {
  const error = (body as { error?: { validation?: unknown } } | null)?.error;
  if (error === null || typeof error !== 'object' || !Array.isArray(error.validation)) return [];
  return error.validation.flatMap((item) =>
    item !== null && typeof item === 'object'
      ? [{ field: String((item as { field?: unknown }).field ?? ''), message: String((item as { message?: unknown }).message ?? '') }]
      : [],
  );
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function decodeV3Response(method: string, response: RawResponse, nowMs: number, idempotencyKey?: string): V3Decoded {
  const body = parseBody(response.bodyText);
  // A batch answers `result` as an array: parseResponse handles the envelope the same way.
  const parsed = parseResponse(method, response, nowMs);
  if (parsed.ok) return { ...parsed, replayed: response.headers['idempotent-replayed'] === 'true' };
  const error = parsed.error;
  if (!error.bitrixCode.startsWith(V3_PREFIX)) return { ok: false, error };
  const suffix = error.bitrixCode.slice(V3_PREFIX.length);
  if (suffix === 'IDEMPOTENCYKEYREUSEDEXCEPTION') {
    return { ok: false, error: new IdempotencyKeyReusedError({ method, idempotencyKey: idempotencyKey ?? '', cause: error }) };
  }
  const { category, hint } = classifyV3(suffix);
  return {
    ok: false,
    error: new V3ApiError({
      method,
      httpStatus: error.httpStatus,
      bitrixCode: error.bitrixCode,
      description: error.description,
      category,
      retryable: false,
      hint,
      validation: validationOf(body),
    }),
  };
}
