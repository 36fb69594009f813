/**
 * Canonical parameters for idempotency (DESIGN.md §6): the same parameters written with keys in a
 * different order hash the same; any other difference hashes differently.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/index.ts';

export { canonicalJson };

/** SHA-256 (hex) of the canonical parameters; a top-level `auth` (credentials) is left out. */
export function hashParams(params: Record<string, unknown>): string {
  const withoutAuth = Object.fromEntries(Object.entries(params).filter(([key]) => key.toLowerCase() !== 'auth'));
  return createHash('sha256').update(canonicalJson(withoutAuth)).digest('hex');
}
