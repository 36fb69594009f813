/**
 * PHP-compatible query strings: `buildQuery` follows `http_build_query` (what a Bitrix24 portal
 * expects in batch `cmd` strings and form bodies), `parseQuery` follows `parse_str` (what the portal
 * does with them). Objects whose keys are exactly 0..n-1 become arrays, as PHP's json_encode does.
 */

export type QueryValue = string | QueryObject | QueryValue[];
export interface QueryObject {
  [key: string]: QueryValue;
}

/** PHP `urlencode`: letters, digits and `-_.` stay; space becomes `+`; everything else `%XX`. */
export function phpUrlEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*~]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function scalarToString(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined; // PHP skips nulls
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  return undefined;
}

function appendPairs(prefix: string, value: unknown, pairs: string[]): void {
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
    for (const [key, item] of entries) appendPairs(`${prefix}[${key}]`, item, pairs);
    return;
  }
  const text = scalarToString(value);
  if (text === undefined) return;
  pairs.push(`${phpUrlEncode(prefix)}=${phpUrlEncode(text)}`);
}

/** `http_build_query($params)`: nested arrays and objects as `a[b][0][c]=v`, values URL-encoded. */
export function buildQuery(params: Record<string, unknown> | unknown[]): string {
  const pairs: string[] = [];
  const entries = Array.isArray(params) ? params.map((item, index) => [String(index), item] as const) : Object.entries(params);
  for (const [key, value] of entries) appendPairs(key, value, pairs);
  return pairs.join('&');
}

function decodeComponent(text: string): string {
  const plus = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    // PHP leaves malformed escapes as they are; decode what can be decoded.
    return plus.replace(/%[0-9A-Fa-f]{2}/g, (encoded) => {
      try {
        return decodeURIComponent(encoded);
      } catch {
        return encoded;
      }
    });
  }
}

/** Splits `a[b][][c]` into `['a', 'b', '', 'c']` with PHP's rules for the base name. */
function splitKey(rawKey: string): string[] | undefined {
  const open = rawKey.indexOf('[');
  let base = open === -1 ? rawKey : rawKey.slice(0, open);
  if (base === '') return undefined;
  base = base.replace(/[ .]/g, '_');
  if (open === -1) return [base];
  const segments = [base];
  let rest = rawKey.slice(open);
  while (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) break;
    segments.push(rest.slice(1, close));
    rest = rest.slice(close + 1);
  }
  if (segments.length === 1) {
    // An unclosed bracket: PHP turns `[` into `_` and keeps the rest as one name.
    return [rawKey.replace(/[ .[]/g, '_')];
  }
  return segments;
}

type Mutable = Record<string, unknown>;

function nextIndex(container: Mutable): string {
  let max = -1;
  for (const key of Object.keys(container)) {
    if (/^(0|[1-9]\d*)$/.test(key)) max = Math.max(max, Number(key));
  }
  return String(max + 1);
}

/** PHP `parse_str`: returns nested objects; objects keyed exactly 0..n-1 become arrays. */
export function parseQuery(query: string): QueryObject {
  const root: Mutable = {};
  const text = query.startsWith('?') ? query.slice(1) : query;
  if (text === '') return {};
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const rawKey = decodeComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decodeComponent(pair.slice(equals + 1));
    const segments = splitKey(rawKey);
    if (!segments) continue;
    let container: Mutable = root;
    for (let index = 0; index < segments.length; index += 1) {
      let segment = segments[index] as string;
      if (segment === '') segment = nextIndex(container);
      const last = index === segments.length - 1;
      if (last) {
        container[segment] = value;
      } else {
        const existing = container[segment];
        if (existing === null || typeof existing !== 'object') container[segment] = {};
        container = container[segment] as Mutable;
      }
    }
  }
  return listify(root) as QueryObject;
}

/** Turns every object whose keys are exactly "0".."n-1" (in order) into an array. */
export function listify(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(listify);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Mutable);
  const converted = entries.map(([key, item]) => [key, listify(item)] as const);
  const isList = converted.length > 0 && converted.every(([key], index) => key === String(index));
  if (isList) return converted.map(([, item]) => item);
  return Object.fromEntries(converted);
}
