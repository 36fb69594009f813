/** The REST v2 response envelope: `result`, `total`, `next`, `time` (protocol.md §2). */
import type { OperatingState } from './operating-budget.ts';

export interface EnvelopeTime {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating_reset_at?: number;
  operating?: number;
}

/** PHP `date('c')`: `2024-07-23T08:11:02+00:00`. */
export function phpIsoDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

function round(value: number): number {
  return Math.round(value * 1_000_000) / 1_000_000;
}

export function buildTimeInfo(startMs: number, finishMs: number, processingSeconds: number, operating?: OperatingState): EnvelopeTime {
  const time: EnvelopeTime = {
    start: round(startMs / 1000),
    finish: round(finishMs / 1000),
    duration: round((finishMs - startMs) / 1000),
    processing: round(processingSeconds),
    date_start: phpIsoDate(startMs),
    date_finish: phpIsoDate(finishMs),
  };
  if (operating) setOperating(time, operating);
  return time;
}

/**
 * `operating` with `operating_reset_at`, which current cloud answers always carry (in `time` and in
 * every `result_time` entry): the oldest counted minute's first call + 600 s, or, while nothing is
 * counted (`operating` 0), `floor(start) + 600` [fb crm_contact_add_batch.py, catalog_document_element_list.py].
 */
export function setOperating(time: EnvelopeTime, operating: OperatingState): void {
  delete time.operating;
  time.operating_reset_at = operating.resetAt ?? Math.floor(time.start) + 600;
  time.operating = operating.operating;
}

export interface SuccessBody {
  result: unknown;
  next?: number;
  total?: number;
  time: EnvelopeTime;
}

export function successBody(result: unknown, time: EnvelopeTime, total?: number, next?: number): SuccessBody {
  const body: SuccessBody = { result, time };
  if (next !== undefined) body.next = next;
  if (total !== undefined) body.total = total;
  return body;
}

export function errorBody(code: string, description: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { error: code, error_description: description, ...extra };
}
