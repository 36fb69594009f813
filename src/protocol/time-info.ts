/** The envelope's `time` object (protocol.md §2), read leniently: integers or floats, fields optional. */

export interface TimeInfo {
  /** Unix seconds (float). */
  start?: number;
  finish?: number;
  duration?: number;
  /** The method's own run time, seconds. */
  processing?: number;
  /** Seconds this method used for this credential over the last 10 minutes (cloud only). */
  operating?: number;
  /** When the oldest minute bucket of the operating window expires, unix milliseconds. */
  operatingResetAtMs?: number;
}

function numberOrUndefined(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** Reads a `time` object; anything that is not an object gives `undefined`. */
export function parseTimeInfo(raw: unknown): TimeInfo | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const record = raw as Record<string, unknown>;
  const time: TimeInfo = {};
  const fields = ['start', 'finish', 'duration', 'processing', 'operating'] as const;
  for (const field of fields) {
    const value = numberOrUndefined(record[field]);
    if (value !== undefined) time[field] = value;
  }
  const resetAt = numberOrUndefined(record.operating_reset_at);
  if (resetAt !== undefined) time.operatingResetAtMs = resetAt * 1000;
  return time;
}
