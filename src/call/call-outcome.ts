/**
 * What one `chain call` did, as `--json` prints it (`schemas/call-result.schema.json`) and as the
 * text output is made from. Never holds a secret: results and errors are redacted before they land here.
 */
import type { RiskClass } from '../protocol/index.ts';
import type { IdempotencyKeySource } from './choose-idempotency-key.ts';

/**
 * `ok`: sent and answered; `replayed`: the stored answer of an earlier call with the same key, nothing
 * sent; `planned`: stored for `--execute-plan`, nothing sent; `partial`: a batch answered with some
 * commands failed; `refused`: stopped before any request; `failed`: a Bitrix24 or network error.
 */
export type CallStatus = 'ok' | 'replayed' | 'planned' | 'partial' | 'refused' | 'failed';

export type CallExitCode = 0 | 1 | 2;

export interface CallIdempotency {
  /** The key the write carried, or null (a read, no key, or `--no-idempotency`). */
  key: string | null;
  source: IdempotencyKeySource | null;
  /** True when the answer is a replay and nothing was sent. */
  replayed: boolean;
  /** False with `--no-idempotency`. */
  enabled: boolean;
}

export interface PlannedCall {
  id: string;
  /** ISO-8601; a plan runs once, before this time, on the portal it was made for. */
  expiresAt: string;
  risk: RiskClass;
  /** The exact command that executes it, shell-quoted. */
  command: string;
  argv: string[];
  /** The confirmation flags the execution needs. */
  confirmations: string[];
}

export interface CallOutcome {
  status: CallStatus;
  exitCode: CallExitCode;
  /** Also in the audit row of this call. */
  requestId: string;
  /** Portal key (host or member_id), never a credential; null when refused before it was known. */
  portal: string | null;
  method: string | null;
  risk: RiskClass | null;
  packs: string[];
  /** The plan executed or made by this call. */
  planId: string | null;
  idempotency: CallIdempotency;
  /** The portal's `result` (status ok, partial, replayed). */
  result?: unknown;
  total?: number;
  next?: number;
  /** The portal's `time` block. */
  time?: unknown;
  plan?: PlannedCall;
  /** Time spent sending, ms; null when nothing was sent. */
  durationMs: number | null;
  /** Things the caller should know (a replay, how to make a write idempotent...). */
  notices: string[];
  /** Errors as `toJSON()` gives them (schemas/error.schema.json). */
  errors: Array<Record<string, unknown>>;
}

export const callExitCodes: Record<CallStatus, CallExitCode> = {
  ok: 0,
  replayed: 0,
  planned: 0,
  partial: 1,
  refused: 2,
  failed: 1,
};
