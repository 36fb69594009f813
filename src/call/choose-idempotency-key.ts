/**
 * Which idempotency key a write carries (DESIGN.md §6): `--idempotency-key`, else the natural key
 * `ORIGINATOR_ID` + `ORIGIN_ID` of a create call (also inside `fields`); reads carry none. Pure.
 */
import { naturalKey } from '../store/index.ts';
import type { RiskClass } from '../protocol/index.ts';

export type IdempotencyKeySource = 'explicit' | 'natural';

export interface IdempotencyKeyChoice {
  key: string;
  source: IdempotencyKeySource;
}

export interface IdempotencyKeyQuestion {
  method: string;
  params: Record<string, unknown>;
  risk: RiskClass;
  /** `--idempotency-key`. */
  explicitKey?: string | undefined;
  /** False with `--no-idempotency`. */
  enabled: boolean;
}

/** The key this call is deduplicated by, or undefined (a read, `--no-idempotency`, or no key at all). */
export function chooseIdempotencyKey(question: IdempotencyKeyQuestion): IdempotencyKeyChoice | undefined {
  if (!question.enabled || question.risk === 'read') return undefined;
  const explicit = question.explicitKey?.trim();
  if (explicit !== undefined && explicit !== '') return { key: explicit, source: 'explicit' };
  const natural = naturalKey(question.method, question.params);
  return natural === undefined ? undefined : { key: natural, source: 'natural' };
}

/** What the output says when a write went out without a key: how to make it idempotent next time. */
export function idempotencyAdvice(method: string): string {
  return (
    `${method} was sent without an idempotency key, so running this command again sends it again. ` +
    'Pass --idempotency-key KEY (the same key with the same params replays the stored answer for 24 h)' +
    (/\.(add|create|import)$/i.test(method.trim()) ? ', or put ORIGINATOR_ID and ORIGIN_ID in fields (the natural key).' : '.')
  );
}
