/**
 * Classifies a Bitrix24 error by its code (any case, empty, numeric) and, only when the body was not
 * JSON, by the HTTP status. Pure.
 */
import { ERROR_CODES, hintForCategory, type ErrorCodeEntry } from './error-codes.ts';

export interface ErrorClassification extends ErrorCodeEntry {
  /** True when the code was found in the table (or decided by status for non-JSON bodies). */
  known: boolean;
}

/** Legacy CRM methods send an empty code; the description says what happened. */
function classifyEmptyCode(description: string): ErrorClassification {
  const text = description.toLowerCase();
  if (text.includes('not found')) return { ...entry('not-found'), known: true };
  if (text.includes('access denied')) return { ...entry('access'), known: true };
  if (text.includes('not defined or invalid') || text.includes('invalid')) return { ...entry('argument'), known: true };
  return { ...entry('business'), known: false };
}

function entry(category: ErrorCodeEntry['category']): ErrorCodeEntry {
  return { category, retry: 'never', beforeExecution: false, hint: hintForCategory(category) };
}

/** An error answered with a JSON body `{error, error_description}`. */
export function classifyErrorCode(code: string, description: string): ErrorClassification {
  const trimmed = code.trim();
  if (trimmed === '') return classifyEmptyCode(description);
  const known = ERROR_CODES[trimmed.toUpperCase()];
  if (known) return { ...known, known: true };
  if (/^\d+$/.test(trimmed)) return { ...entry('argument'), hint: 'The module rejected a parameter (a required field or a sort key): fix it.', known: true };
  if (/NOT_?FOUND/i.test(trimmed)) return { ...entry('not-found'), known: false };
  if (/ACCESS|DENIED|PERMISSION/i.test(trimmed)) return { ...entry('access'), known: false };
  return { ...entry('unknown'), known: false };
}

/** An answer whose body is not JSON (an HTML error page from a front end, garbage): decided by status. */
export function classifyHttpStatus(status: number): ErrorClassification {
  if (status === 200 || status === 500 || status === 502 || status === 503 || status === 504) {
    return {
      category: 'server',
      retry: 'transient',
      beforeExecution: false,
      hint: hintForCategory('server'),
      known: true,
    };
  }
  if (status === 429) return { ...(ERROR_CODES.QUERY_LIMIT_EXCEEDED as ErrorCodeEntry), known: true };
  if (status === 401) return { ...entry('auth'), known: true };
  if (status === 403) return { ...entry('access'), known: true };
  if (status === 404) return { ...entry('not-found'), known: true };
  if (status >= 500) return { ...entry('server'), retry: 'transient', known: true };
  return { ...entry('unknown'), known: false };
}
