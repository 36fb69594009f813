/**
 * `chain call` flags → one validated request. Every contradiction and every bad value is refused
 * here (exit 2), before any gate looks at the method and long before anything could be sent.
 */
import { RefusalError } from '../errors/index.ts';
import { defaultPacks, resolvePackNames } from '../protocol/index.ts';
import { parseCallParams } from './parse-call-params.ts';
import { parseMethodAllowlist } from './parse-method-allowlist.ts';

/** What the caller asked for, as typed: every field optional. */
export interface GuardedCallRequest {
  /** The method; omitted with `executePlanId`. */
  method?: string | undefined;
  /** `--params` as typed (JSON text); absent means `{}`. */
  paramsText?: string | undefined;
  /** `--packs`, else `B24_PACKS`, else `core` (the CLI picks). Names or words; `none` allows nothing. */
  packsText?: string | undefined;
  /** `--method-allowlist a.b,c.*`: methods allowed on top of the packs. */
  allowlistText?: string | undefined;
  allowUnlisted?: boolean | undefined;
  confirmWrite?: boolean | undefined;
  confirmDestructive?: boolean | undefined;
  /** Store a plan and send nothing. */
  planOnly?: boolean | undefined;
  executePlanId?: string | undefined;
  /** Writes only through `--execute-plan` (`B24_REQUIRE_PLAN`). */
  requirePlan?: boolean | undefined;
  idempotencyKey?: string | undefined;
  /** False with `--no-idempotency`. */
  idempotency?: boolean | undefined;
  /** False with `--no-audit`. */
  audit?: boolean | undefined;
}

export type CallMode = 'direct' | 'plan-only' | 'execute-plan';

export interface ResolvedCallRequest {
  mode: CallMode;
  /** `''` for `execute-plan` (the plan holds it). */
  method: string;
  params: Record<string, unknown>;
  packs: string[];
  allowlist: string[];
  allowUnlisted: boolean;
  confirmWrite: boolean;
  confirmDestructive: boolean;
  requirePlan: boolean;
  executePlanId: string | undefined;
  idempotencyKey: string | undefined;
  idempotency: boolean;
}

function refuse(code: string, what: string, hint: string): never {
  throw new RefusalError(`call: ${what} (${code}).`, { code, hint, subject: 'call' });
}

/** Validates the flags together; throws a `RefusalError` for the first problem. */
export function resolveCallRequest(request: GuardedCallRequest): ResolvedCallRequest {
  const method = request.method?.trim() ?? '';
  const planId = request.executePlanId?.trim();
  if (planId !== undefined) {
    if (planId === '') refuse('PLAN_ID_EMPTY', '--execute-plan needs a plan id', 'Pass the id printed by --plan-only, e.g. --execute-plan plan_….');
    if (method !== '')
      refuse(
        'CALL_ARGUMENTS_CONFLICT',
        `--execute-plan runs the plan's own method; "${method}" was given too`,
        'Omit METHOD: chain call --execute-plan ID --confirm-write.',
      );
    if (request.paramsText !== undefined)
      refuse(
        'CALL_ARGUMENTS_CONFLICT',
        "--execute-plan runs the plan's own params; --params was given too",
        'Omit --params, or make a new plan with these params (--plan-only).',
      );
    if (request.planOnly === true)
      refuse(
        'CALL_ARGUMENTS_CONFLICT',
        '--plan-only and --execute-plan exclude each other',
        'Make the plan with --plan-only first, then execute it with --execute-plan ID.',
      );
  } else if (method === '') {
    refuse(
      'METHOD_MISSING',
      'no method given',
      'Name one: chain call crm.lead.list --params \'{"select": ["ID"]}\', or run a stored plan with --execute-plan ID.',
    );
  }
  const idempotency = request.idempotency !== false;
  const key = request.idempotencyKey;
  if (key !== undefined) {
    if (key.trim() === '')
      refuse('IDEMPOTENCY_KEY_EMPTY', '--idempotency-key is empty', 'Give a non-empty key that names this one request, e.g. --idempotency-key lead-import-42.');
    if (!idempotency) refuse('CALL_ARGUMENTS_CONFLICT', '--idempotency-key and --no-idempotency exclude each other', 'Keep one of them.');
  }
  const params = planId === undefined ? parseCallParams(request.paramsText) : {};
  const packs = resolvePackNames(request.packsText ?? defaultPacks.join(','));
  return {
    mode: planId !== undefined ? 'execute-plan' : request.planOnly === true ? 'plan-only' : 'direct',
    method,
    params,
    packs,
    allowlist: parseMethodAllowlist(request.allowlistText),
    allowUnlisted: request.allowUnlisted === true,
    confirmWrite: request.confirmWrite === true,
    confirmDestructive: request.confirmDestructive === true,
    requirePlan: request.requirePlan === true,
    executePlanId: planId,
    idempotencyKey: key?.trim(),
    idempotency,
  };
}
