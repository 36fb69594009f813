/**
 * Approvals (DESIGN.md §12): a person's decision on a plan, taken once, bound to the hash of the plan
 * they were shown; and the records a plan updates or deletes, as they were when it was planned, so an
 * execution after they changed is refused as stale. Only hashes of field values are kept.
 */
import { createHash } from 'node:crypto';
import type { StateDatabase } from './state-database.ts';
import { RefusalError } from '../errors/index.ts';
import { systemClock, type Clock } from '../util/index.ts';
import { canonicalJson } from './canonical-params.ts';
import type { PlanKind, StoredPlan } from './plan-store.ts';
import { cachedStatement } from './cached-statement.ts';

export type PlanDecisionKind = 'approved' | 'rejected';
export type ApprovalChannel = 'terminal' | 'elicitation';
export type PlanState = 'pending' | 'approved' | 'rejected' | 'expired' | 'executed';

export interface PlanDecision {
  planId: string;
  decision: PlanDecisionKind;
  /** SHA-256 of the plan as the person saw it (`planBodyHash`). */
  bodyHash: string;
  actor: string;
  via: ApprovalChannel;
  decidedAt: number;
}

/** One record a plan updates or deletes, as it was when planned. */
export interface PlanTarget {
  /** e.g. `crm.lead 42`. */
  target: string;
  readMethod: string;
  readParams: Record<string, unknown>;
  /** Where the record sits in the read method's `result` (`['item']` for crm.item.get). */
  recordPath: string[];
  modifiedField: string;
  /** The modification time the portal gave; null when the record did not exist. */
  modifiedAt: string | null;
  /** Short hashes of each field's value (never the values). */
  fieldHashes: Record<string, string>;
}

interface DecisionRow {
  plan_id: string;
  decision: PlanDecisionKind;
  body_hash: string;
  actor: string;
  via: ApprovalChannel;
  decided_at: number;
}

interface TargetRow {
  target: string;
  read_method: string;
  read_params: string;
  modified_field: string;
  modified_at: string | null;
  field_hashes: string;
}

/** The hash a decision is bound to: the plan's kind, portal, risk, body and expiry. */
export function planBodyHash(plan: StoredPlan): string {
  return createHash('sha256')
    .update(canonicalJson({ id: plan.id, kind: plan.kind, portal: plan.portal, risk: plan.risk, body: plan.body, expiresAt: plan.expiresAt }))
    .digest('hex');
}

/** A short hash of one field value: enough to tell that it changed, useless to read it back. */
export function valueHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

function toDecision(row: DecisionRow): PlanDecision {
  return { planId: row.plan_id, decision: row.decision, bodyHash: row.body_hash, actor: row.actor, via: row.via, decidedAt: row.decided_at };
}

export class ApprovalStore {
  readonly #database: StateDatabase;
  readonly #clock: Clock;

  constructor(database: StateDatabase, options: { clock?: Clock } = {}) {
    this.#database = database;
    this.#clock = options.clock ?? systemClock;
  }

  decisionOf(planId: string): PlanDecision | undefined {
    const row = cachedStatement(this.#database, 'SELECT * FROM plan_approvals WHERE plan_id = ?').get(planId) as DecisionRow | undefined;
    return row === undefined ? undefined : toDecision(row);
  }

  /** Where a plan stands: executed and expired win over the decision; no decision is `pending`. */
  stateOf(plan: StoredPlan): PlanState {
    if (plan.consumedAt !== null) return 'executed';
    const decision = this.decisionOf(plan.id);
    if (decision?.decision === 'rejected') return 'rejected';
    if (plan.expiresAt <= this.#clock.now()) return 'expired';
    return decision?.decision ?? 'pending';
  }

  /**
   * Records a person's decision, once: a plan already decided, executed or expired is refused
   * (`PLAN_ALREADY_DECIDED`, `PLAN_CONSUMED`, `PLAN_EXPIRED`).
   */
  decide(plan: StoredPlan, decision: PlanDecisionKind, actor: string, via: ApprovalChannel): PlanDecision {
    const subject = `plan ${plan.id}`;
    const state = this.stateOf(plan);
    if (state === 'executed')
      throw new RefusalError(`${subject}: already executed; a plan runs once (PLAN_CONSUMED).`, {
        code: 'PLAN_CONSUMED',
        hint: 'Nothing to decide. Ask for a new plan.',
        subject,
      });
    if (state === 'expired')
      throw new RefusalError(`${subject}: expired at ${new Date(plan.expiresAt).toISOString()} (PLAN_EXPIRED).`, {
        code: 'PLAN_EXPIRED',
        hint: 'Ask for a new plan.',
        subject,
      });
    const row: DecisionRow = { plan_id: plan.id, decision, body_hash: planBodyHash(plan), actor, via, decided_at: this.#clock.now() };
    const result = cachedStatement(
      this.#database,
      'INSERT INTO plan_approvals (plan_id, decision, body_hash, actor, via, decided_at) VALUES (@plan_id, @decision, @body_hash, @actor, @via, @decided_at) ON CONFLICT (plan_id) DO NOTHING',
    ).run(row);
    if (result.changes === 0) {
      const earlier = this.decisionOf(plan.id);
      throw new RefusalError(
        `${subject}: already ${earlier?.decision ?? 'decided'} by ${earlier?.actor ?? 'someone'} via ${earlier?.via ?? '?'} (PLAN_ALREADY_DECIDED).`,
        {
          code: 'PLAN_ALREADY_DECIDED',
          hint: 'A decision is final. Ask for a new plan to decide again.',
          subject,
        },
      );
    }
    return toDecision(row);
  }

  saveTargets(planId: string, targets: readonly PlanTarget[]): void {
    const insert = cachedStatement(
      this.#database,
      `INSERT INTO plan_targets (plan_id, target, read_method, read_params, modified_field, modified_at, field_hashes) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (plan_id, target) DO UPDATE SET read_method = excluded.read_method, read_params = excluded.read_params,
         modified_field = excluded.modified_field, modified_at = excluded.modified_at, field_hashes = excluded.field_hashes`,
    );
    this.#database.transaction(() => {
      for (const target of targets) {
        insert.run(
          planId,
          target.target,
          target.readMethod,
          JSON.stringify({ params: target.readParams, recordPath: target.recordPath }),
          target.modifiedField,
          target.modifiedAt,
          JSON.stringify(target.fieldHashes),
        );
      }
    })();
  }

  targetsOf(planId: string): PlanTarget[] {
    const rows = cachedStatement(this.#database, 'SELECT * FROM plan_targets WHERE plan_id = ? ORDER BY target').all(planId) as TargetRow[];
    return rows.map((row) => {
      const read = JSON.parse(row.read_params) as { params: Record<string, unknown>; recordPath: string[] };
      return {
        target: row.target,
        readMethod: row.read_method,
        readParams: read.params,
        recordPath: read.recordPath,
        modifiedField: row.modified_field,
        modifiedAt: row.modified_at,
        fieldHashes: JSON.parse(row.field_hashes) as Record<string, string>,
      };
    });
  }

  /** The ids of the latest plans (newest first), optionally of one portal and kind. */
  recentPlanIds(options: { portal?: string; kind?: PlanKind; limit?: number } = {}): string[] {
    return cachedStatement(
      this.#database,
      'SELECT id FROM plans WHERE (CAST(@portal AS TEXT) IS NULL OR portal = @portal) AND (CAST(@kind AS TEXT) IS NULL OR kind = @kind) ORDER BY created_at DESC, rowid DESC LIMIT @limit',
      { pluck: true },
    ).all({ portal: options.portal ?? null, kind: options.kind ?? null, limit: Math.max(1, Math.floor(options.limit ?? 20)) }) as string[];
  }
}
