/** What a guarded call has learnt so far: the outcome and the audit row are made from it. */
import type { RiskClass } from '../protocol/index.ts';
import type { AuditStore } from '../store/index.ts';
import type { CallIdempotency, CallOutcome, CallStatus } from './call-outcome.ts';
import { callExitCodes } from './call-outcome.ts';

export interface CallState {
  requestId: string;
  portal: string;
  method: string;
  params: Record<string, unknown>;
  packs: string[];
  risk: RiskClass | null;
  planId: string | null;
  idempotency: CallIdempotency;
  durationMs: number | null;
  notices: string[];
  /** False with `--no-audit`. */
  audit: boolean;
}

export type OutcomeExtras = Partial<Pick<CallOutcome, 'result' | 'total' | 'next' | 'time' | 'plan' | 'exitCode'>> & {
  errors?: Array<Record<string, unknown>>;
};

/** The document `--json` prints, from the state and what the last step added. */
export function buildOutcome(state: CallState, status: CallStatus, extras: OutcomeExtras = {}): CallOutcome {
  const { exitCode, errors, ...rest } = extras;
  return {
    status,
    exitCode: exitCode ?? callExitCodes[status],
    requestId: state.requestId,
    portal: state.portal,
    method: state.method === '' ? null : state.method,
    risk: state.risk,
    packs: [...state.packs],
    planId: state.planId,
    idempotency: { ...state.idempotency },
    ...rest,
    durationMs: state.durationMs,
    notices: [...state.notices],
    errors: errors ?? [],
  };
}

const auditOutcome = { ok: 'ok', replayed: 'replayed', planned: 'ok', partial: 'error', refused: 'refused', failed: 'error' } as const;

/** One audit row for a call or a refusal (names of parameters only); nothing with `--no-audit`. */
export function recordAudit(audit: AuditStore, state: CallState, outcome: CallOutcome): void {
  if (!state.audit) return;
  const firstError = outcome.errors[0];
  audit.record({
    requestId: state.requestId,
    portal: state.portal,
    method: state.method,
    risk: state.risk ?? undefined,
    outcome: auditOutcome[outcome.status],
    errorCode: typeof firstError?.code === 'string' ? firstError.code : undefined,
    durationMs: state.durationMs ?? undefined,
    planId: state.planId ?? undefined,
    idempotencyKey: state.idempotency.key ?? undefined,
    params: state.params,
    packs: state.packs,
  });
}

/** The outcome when the call stopped before a portal was known (connection settings, state file). */
export function outcomeWithoutPortal(
  error: { toJSON(): Record<string, unknown> },
  method: string | undefined,
  status: 'refused' | 'failed',
  requestId: string,
): CallOutcome {
  return {
    status,
    exitCode: callExitCodes[status],
    requestId,
    portal: null,
    method: method?.trim() || null,
    risk: null,
    packs: [],
    planId: null,
    idempotency: { key: null, source: null, replayed: false, enabled: true },
    durationMs: null,
    notices: [],
    errors: [error.toJSON()],
  };
}
