/** JSON with object keys sorted at every level, so equal values written in another key order compare equal. */

function canonicalize(value: unknown): unknown {
  if (value !== null && typeof value === 'object') {
    const withJson = value as { toJSON?: () => unknown };
    if (typeof withJson.toJSON === 'function') return canonicalize(withJson.toJSON());
    if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : canonicalize(item)));
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined && typeof item !== 'function')
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
      .map(([key, item]) => [key, canonicalize(item)] as const);
    return Object.fromEntries(entries);
  }
  return value;
}

/** JSON with object keys sorted at every level (`undefined` dropped, as JSON does). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value)) ?? 'null';
}
