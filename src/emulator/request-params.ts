/**
 * Turns an HTTP request into method parameters the way a v2 portal does (protocol.md §1): the query
 * string merged with a form body, or a JSON body merged over the query. Invalid JSON silently counts
 * as no parameters, as on a real portal.
 */
import { parseQuery } from '../protocol/index.ts';
import type { Params } from './types.ts';

export function decodeRequestParams(query: string, contentType: string | undefined, body: string): Params {
  const fromQuery: Params = parseQuery(query);
  if (body.length === 0) return fromQuery;
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (Array.isArray(parsed)) return { ...fromQuery, ...Object.fromEntries(parsed.map((value, index) => [String(index), value])) };
      if (parsed !== null && typeof parsed === 'object') return { ...fromQuery, ...(parsed as Params) };
      return fromQuery;
    } catch {
      return fromQuery;
    }
  }
  if (type.includes('multipart/form-data')) return fromQuery; // not emulated: documented in README
  return { ...fromQuery, ...parseQuery(body) };
}
