/**
 * Plans (DESIGN.md §5–§6): `chain call --plan-only` stores one call; `chain plan FILE` stores what a
 * chain run may write. A plan is bound to its portal, expires (30 min by default) and runs once:
 * `consume` marks it used in one statement, so two executions cannot both take it.
 */
import { randomBytes } from 'node:crypto';
import type { StateDatabase } from './state-database.ts';
import { RefusalError } from '../errors/index.ts';
import type { RiskClass } from '../protocol/index.ts';
import { systemClock, type Clock } from '../util/index.ts';
import { findPlanRefusal } from './find-plan-refusal.ts';
import { cachedStatement } from './cached-statement.ts';

export const defaultPlanTtlMs = 30 * 60 * 1000;

export type PlanKind = 'call' | 'chain';

/** What `chain call --execute-plan` runs: exactly this method, these params, under these packs. */
export interface CallPlanBody {
  method: string;
  params: Record<string, unknown>;
  packs: string[];
  allowlist: string[];
  allowUnlisted: boolean;
}

/** Writes a chain plan counted for one step and method. */
export interface PlannedCount {
  step: string;
  method: string;
  risk: RiskClass;
  count: number;
}

/** What `chain run --plan ID` checks against: same chain, same inputs, no more writes than counted. */
export interface ChainPlanBody {
  chainHash: string;
  chainName: string;
  inputs: Record<string, unknown>;
  packs: string[];
  counts: PlannedCount[];
}

interface PlanCommon {
  id: string;
  portal: string;
  risk: RiskClass;
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
}

export type CallPlan = PlanCommon & { kind: 'call'; body: CallPlanBody };
export type ChainPlan = PlanCommon & { kind: 'chain'; body: ChainPlanBody };
export type StoredPlan = CallPlan | ChainPlan;

export interface CallPlanRequest {
  portal: string;
  method: string;
  params: Record<string, unknown>;
  packs: readonly string[];
  allowlist?: readonly string[] | undefined;
  allowUnlisted?: boolean | undefined;
  risk: RiskClass;
  ttlMs?: number | undefined;
}

export interface ChainPlanRequest {
  portal: string;
  chainHash: string;
  chainName: string;
  inputs: Record<string, unknown>;
  packs: readonly string[];
  risk: RiskClass;
  counts: readonly PlannedCount[];
  /** Item keys per step id: the items the run may write. */
  itemKeys?: Readonly<Record<string, readonly string[]>> | undefined;
  ttlMs?: number | undefined;
}

export interface PlanStoreOptions {
  clock?: Clock;
  /** Default time to live of new plans. */
  ttlMs?: number;
}

interface PlanRow {
  id: string;
  kind: PlanKind;
  portal: string;
  risk: RiskClass;
  body: string;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

function newPlanId(): string {
  return `plan_${randomBytes(12).toString('base64url')}`;
}

/** Credentials are never stored: the client adds `auth` when it sends. */
function withoutAuth(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([key]) => key.toLowerCase() !== 'auth'));
}

function toPlan(row: PlanRow): StoredPlan {
  const common: PlanCommon = {
    id: row.id,
    portal: row.portal,
    risk: row.risk,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
  };
  return row.kind === 'call'
    ? { ...common, kind: 'call', body: JSON.parse(row.body) as CallPlanBody }
    : { ...common, kind: 'chain', body: JSON.parse(row.body) as ChainPlanBody };
}

function validTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RefusalError(`plan: the time to live must be a positive number of milliseconds, got ${ttlMs} (PLAN_TTL_INVALID).`, {
      code: 'PLAN_TTL_INVALID',
      hint: 'Give a positive duration.',
      subject: 'plan',
    });
  }
  return ttlMs;
}

export class PlanStore {
  readonly #database: StateDatabase;
  readonly #clock: Clock;
  readonly #ttlMs: number;

  constructor(database: StateDatabase, options: PlanStoreOptions = {}) {
    this.#database = database;
    this.#clock = options.clock ?? systemClock;
    this.#ttlMs = validTtl(options.ttlMs ?? defaultPlanTtlMs);
  }

  #insert(kind: PlanKind, portal: string, risk: RiskClass, body: CallPlanBody | ChainPlanBody, ttlMs: number | undefined): PlanRow {
    const now = this.#clock.now();
    const row: PlanRow = {
      id: newPlanId(),
      kind,
      portal,
      risk,
      body: JSON.stringify(body),
      created_at: now,
      expires_at: now + validTtl(ttlMs ?? this.#ttlMs),
      consumed_at: null,
    };
    cachedStatement(
      this.#database,
      'INSERT INTO plans (id, kind, portal, risk, body, created_at, expires_at, consumed_at) VALUES (@id, @kind, @portal, @risk, @body, @created_at, @expires_at, @consumed_at)',
    ).run(row);
    return row;
  }

  /** Stores a single call for `--execute-plan` and returns it with its id. */
  createCallPlan(request: CallPlanRequest): CallPlan {
    const body: CallPlanBody = {
      method: request.method,
      params: withoutAuth(request.params),
      packs: [...request.packs],
      allowlist: [...(request.allowlist ?? [])],
      allowUnlisted: request.allowUnlisted ?? false,
    };
    return toPlan(this.#insert('call', request.portal, request.risk, body, request.ttlMs)) as CallPlan;
  }

  /** Stores a chain plan, its counts, and the item keys it covers, in one transaction. */
  createChainPlan(request: ChainPlanRequest): ChainPlan {
    const body: ChainPlanBody = {
      chainHash: request.chainHash,
      chainName: request.chainName,
      inputs: request.inputs,
      packs: [...request.packs],
      counts: request.counts.map((count) => ({ ...count })),
    };
    const insertKey = cachedStatement(this.#database, 'INSERT INTO plan_item_keys (plan_id, step_id, item_key) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    const create = this.#database.transaction(() => {
      const row = this.#insert('chain', request.portal, request.risk, body, request.ttlMs);
      for (const [stepId, keys] of Object.entries(request.itemKeys ?? {})) {
        for (const key of keys) insertKey.run(row.id, stepId, key);
      }
      return row;
    });
    return toPlan(create.immediate()) as ChainPlan;
  }

  /** The plan as stored, whatever its state; undefined when there is none with this id. */
  find(id: string): StoredPlan | undefined {
    const row = cachedStatement(this.#database, 'SELECT * FROM plans WHERE id = ?').get(id) as PlanRow | undefined;
    return row === undefined ? undefined : toPlan(row);
  }

  /**
   * The plan if it can run now on `portal`; otherwise a `RefusalError` saying why. Changes nothing, so
   * callers check every other gate first and consume only when the call will really be sent.
   */
  check(id: string, portal: string, kind?: PlanKind): StoredPlan {
    const plan = this.find(id);
    const refusal = findPlanRefusal({ id, plan, portal, kind, now: this.#clock.now() });
    if (refusal !== undefined) throw refusal;
    return plan as StoredPlan;
  }

  /**
   * Marks the plan used and returns it, atomically: of two processes consuming the same plan, one gets
   * it and the other a `PLAN_CONSUMED` refusal. Refuses exactly as `check` does.
   */
  consume(id: string, portal: string, kind?: PlanKind): StoredPlan {
    const now = this.#clock.now();
    const result = cachedStatement(
      this.#database,
      `UPDATE plans SET consumed_at = @now
          WHERE id = @id AND portal = @portal AND consumed_at IS NULL AND expires_at > @now
            AND (CAST(@kind AS TEXT) IS NULL OR kind = @kind)`,
    ).run({ id, portal, now, kind: kind ?? null });
    if (result.changes === 1) {
      const plan = this.find(id);
      if (plan !== undefined) return plan;
    }
    this.check(id, portal, kind); // throws the reason
    throw new RefusalError(`plan ${id}: taken by another execution at the same moment (PLAN_CONSUMED).`, {
      code: 'PLAN_CONSUMED',
      hint: 'A plan runs once. Make a new one.',
      subject: `plan ${id}`,
    });
  }

  /** Whether a chain plan covers this item of this step. */
  isItemPlanned(planId: string, stepId: string, itemKey: string): boolean {
    const row = cachedStatement(this.#database, 'SELECT 1 FROM plan_item_keys WHERE plan_id = ? AND step_id = ? AND item_key = ?').get(planId, stepId, itemKey);
    return row !== undefined;
  }

  /** The item keys a chain plan covers for one step, sorted. */
  plannedItemKeys(planId: string, stepId: string): string[] {
    return cachedStatement(this.#database, 'SELECT item_key FROM plan_item_keys WHERE plan_id = ? AND step_id = ? ORDER BY item_key', { pluck: true }).all(
      planId,
      stepId,
    ) as string[];
  }

  /** Deletes plans that expired before `olderThanMs` ago (default: now); returns how many. */
  deleteExpired(olderThanMs = 0): number {
    return cachedStatement(this.#database, 'DELETE FROM plans WHERE expires_at <= ?').run(this.#clock.now() - olderThanMs).changes;
  }
}
