/**
 * Runs one method for one caller, as the portal does for a top-level call and for every command of a
 * batch: method lookup, auth type, scope, the per-method operating budget, the handler, and the
 * simulated execution time that feeds `time.processing` and `time.operating`.
 */
import { RestError, type AuthContext, type MethodSpec, type Params } from './types.ts';
import type { OperatingBudget, OperatingState } from './operating-budget.ts';
import type { ResolvedEmulatorOptions } from './options.ts';
import { countInto, type EmulatorStats } from './stats.ts';

export interface CommandSuccess {
  ok: true;
  result: unknown;
  total?: number;
  next?: number;
  /** Simulated execution time of this command. */
  seconds: number;
  /** Operating state after the charge, when this command was charged to its own method. */
  operating?: OperatingState;
}

export interface CommandFailure {
  ok: false;
  error: RestError;
}

export type CommandOutcome = CommandSuccess | CommandFailure;

export interface CommandEnvironment {
  options: ResolvedEmulatorOptions;
  methods: Map<string, MethodSpec>;
  budget: OperatingBudget;
  stats: EmulatorStats;
  /** Reports handler bugs (not RestErrors) so they are not silent. */
  onInternalError(method: string, error: unknown): void;
}

const USER_SCOPES = ['user', 'user_brief', 'user_basic'];

export function budgetKey(auth: AuthContext, method: string): string {
  return `${auth.credentialKey}|${method}`;
}

function hasScope(auth: AuthContext, scope: string): boolean {
  if (scope === 'basic') return true;
  if (scope === 'user') return USER_SCOPES.some((candidate) => auth.scopes.has(candidate));
  return auth.scopes.has(scope);
}

export function simulatedSeconds(options: ResolvedEmulatorOptions, spec: MethodSpec): number {
  const perMethod = options.executionMs.methods[spec.name];
  const ms = perMethod ?? (spec.kind === 'write' ? options.executionMs.write : options.executionMs.read);
  return ms / 1000;
}

export function refuse(stats: EmulatorStats, error: RestError): CommandFailure {
  countInto(stats.refusals, error.code);
  return { ok: false, error };
}

export function executeCommand(environment: CommandEnvironment, method: string, params: Params, auth: AuthContext, chargeOwnBudget: boolean): CommandOutcome {
  const { stats } = environment;
  const spec = environment.methods.get(method);
  if (!spec) return refuse(stats, new RestError('ERROR_METHOD_NOT_FOUND', 'Method not found!', 404));
  if (spec.appOnly && auth.type === 'webhook') {
    return refuse(stats, new RestError('WRONG_AUTH_TYPE', 'Current authorization type is denied for this method', 403));
  }
  if (!hasScope(auth, spec.scope)) {
    const by = auth.type === 'webhook' ? 'webhook' : 'access';
    return refuse(stats, new RestError('insufficient_scope', `The request requires higher privileges than provided by the ${by} token`, 401));
  }
  const now = environment.options.clock.now();
  const key = budgetKey(auth, method);
  if (chargeOwnBudget && environment.budget.isBlocked(key, now)) {
    return refuse(stats, new RestError('OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.', 429));
  }
  stats.commands += 1;
  countInto(stats.methods, method);
  let outcome: CommandOutcome;
  try {
    const value = spec.handler({ method, params, auth, portal: auth.portal, nowMs: now });
    const seconds = simulatedSeconds(environment.options, spec);
    const success: CommandSuccess = { ok: true, result: value.result, seconds };
    if (value.total !== undefined) success.total = value.total;
    if (value.next !== undefined) success.next = value.next;
    if (chargeOwnBudget && environment.options.operatingLimitSeconds > 0) {
      success.operating = environment.budget.charge(key, now, seconds);
    }
    outcome = success;
  } catch (error) {
    if (error instanceof RestError) {
      outcome = refuse(stats, error);
    } else {
      environment.onInternalError(method, error);
      outcome = refuse(stats, new RestError('INTERNAL_SERVER_ERROR', 'Internal server error', 500));
    }
  }
  return outcome;
}
