/**
 * One HTTP answer of the portal → a success `{result, total?, next?, time?}` or a typed
 * `BitrixApiError`. Errors may arrive inside HTTP 200, with empty or numeric codes; a body that is not
 * JSON (an HTML page, garbage) is decided by status. Pure.
 */
import { BitrixApiError } from '../errors/index.ts';
import { classifyErrorCode, classifyHttpStatus } from './classify-error.ts';
import { parseTimeInfo, type TimeInfo } from './time-info.ts';

export interface RawResponse {
  status: number;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string>>;
  bodyText: string;
}

export interface SuccessResponse {
  ok: true;
  result: unknown;
  total?: number;
  next?: number;
  time?: TimeInfo;
}

export interface ErrorResponse {
  ok: false;
  error: BitrixApiError;
  time?: TimeInfo;
}

export type ParsedResponse = SuccessResponse | ErrorResponse;

/** `Retry-After` as seconds or an HTTP date → milliseconds from `nowMs`. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

function stripHtml(text: string): string {
  return text
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function integerOrUndefined(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export function parseResponse(method: string, response: RawResponse, nowMs: number): ParsedResponse {
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'], nowMs);
  const parsed = parseJson(response.bodyText);
  if (!parsed.ok || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location !== undefined) {
      return {
        ok: false,
        error: new BitrixApiError({
          method,
          httpStatus: response.status,
          bitrixCode: `HTTP_${response.status}`,
          description: `the portal answers from another address: ${location.replace(/\?.*$/, '')}`,
          category: 'not-found',
          retryable: false,
          hint: 'The portal domain changed: update B24_DOMAIN (or the profile) to the new address.',
          notJson: true,
        }),
      };
    }
    const classification = classifyHttpStatus(response.status);
    const snippet = stripHtml(response.bodyText).slice(0, 120);
    return {
      ok: false,
      error: new BitrixApiError({
        method,
        httpStatus: response.status,
        bitrixCode: response.status === 200 ? 'INVALID_RESPONSE' : `HTTP_${response.status}`,
        description: snippet === '' ? '' : `the answer is not JSON: "${snippet}"`,
        category: classification.category,
        retryable: classification.retry !== 'never',
        hint: classification.hint,
        notJson: true,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      }),
    };
  }
  const body = parsed.value as Record<string, unknown>;
  const time = parseTimeInfo(body.time);
  if ('error' in body && body.error !== undefined && body.error !== null && body.error !== false) {
    const rawError = body.error;
    // REST 3.0 form: {"error": {"code", "message"}}.
    const nested = typeof rawError === 'object' ? (rawError as Record<string, unknown>) : undefined;
    const code = nested ? String(nested.code ?? '') : String(rawError);
    const description = stripHtml(String(nested ? (nested.message ?? '') : (body.error_description ?? '')));
    const classification = classifyErrorCode(code, description);
    const argument = typeof body.argument === 'string' ? body.argument : undefined;
    const error = new BitrixApiError({
      method,
      httpStatus: response.status,
      bitrixCode: code,
      description,
      category: classification.category,
      retryable: classification.retry !== 'never',
      hint: classification.hint,
      ...(argument === undefined ? {} : { argument }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(time?.operatingResetAtMs === undefined ? {} : { operatingResetAtMs: time.operatingResetAtMs }),
    });
    return time === undefined ? { ok: false, error } : { ok: false, error, time };
  }
  if (!('result' in body)) {
    const classification = classifyHttpStatus(response.status === 200 ? 200 : response.status);
    return {
      ok: false,
      error: new BitrixApiError({
        method,
        httpStatus: response.status,
        bitrixCode: 'INVALID_RESPONSE',
        description: 'the answer has neither "result" nor "error"',
        category: classification.category,
        retryable: classification.retry !== 'never',
        hint: classification.hint,
        notJson: true,
      }),
    };
  }
  const success: SuccessResponse = { ok: true, result: body.result };
  const total = integerOrUndefined(body.total);
  const next = integerOrUndefined(body.next);
  if (total !== undefined) success.total = total;
  if (next !== undefined) success.next = next;
  if (time !== undefined) success.time = time;
  return success;
}
