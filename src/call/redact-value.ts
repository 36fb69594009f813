/** Masks secrets inside any JSON value (every string, keys included) before it is printed or stored. */
import { redactSecrets } from '../errors/index.ts';

const maximumDepth = 64;

/** A copy of `value` with `redactSecrets` applied to every string; structure and other types kept. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= maximumDepth) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [redactSecrets(key), redactValue(item, depth + 1)]));
}
