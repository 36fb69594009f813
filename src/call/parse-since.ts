/** `chain audit --since`: an ISO date or date-time, or an age such as `30m`, `2h`, `7d`. Pure. */
import { RefusalError } from '../errors/index.ts';

const unitMs: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds since the epoch; refuses (`SINCE_INVALID`, exit 2) what it cannot read. */
export function parseSince(text: string, nowMs: number): number {
  const trimmed = text.trim();
  const age = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(trimmed);
  if (age !== null) return nowMs - Number(age[1]) * (unitMs[(age[2] as string).toLowerCase()] as number);
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/i.test(trimmed)) {
    const parsed = Date.parse(trimmed);
    if (Number.isFinite(parsed)) return parsed;
  }
  throw new RefusalError(`--since: "${trimmed}" is neither a date nor an age (SINCE_INVALID).`, {
    code: 'SINCE_INVALID',
    hint: 'Use an ISO date or date-time (2025-06-01, 2025-06-01T12:00:00Z) or an age: 30m, 2h, 7d, 1w.',
    subject: '--since',
  });
}
