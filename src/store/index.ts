/** The state store's public face: the state database (a SQLite file, or PostgreSQL with B24_DATABASE_URL) and the stores kept in it. */
import type { Clock } from '../util/index.ts';
import { AuditStore } from './audit-store.ts';
import { IdempotencyStore } from './idempotency-store.ts';
import { openStateDatabase, type Database } from './open-state-database.ts';
import { PlanStore } from './plan-store.ts';

export {
  openStateDatabase,
  applyMigrations,
  resolveStatePath,
  defaultStatePath,
  type Database,
  type StatePathSources,
  type OpenStateDatabaseOptions,
} from './open-state-database.ts';
export type { StateDatabase, StateStatement, StateTransaction, StateRunResult } from './state-database.ts';
export { stateMigrations, type StateMigration } from './migrations/index.ts';
export {
  PlanStore,
  defaultPlanTtlMs,
  type PlanKind,
  type CallPlan,
  type ChainPlan,
  type StoredPlan,
  type CallPlanBody,
  type ChainPlanBody,
  type CallPlanRequest,
  type ChainPlanRequest,
  type PlannedCount,
  type PlanStoreOptions,
} from './plan-store.ts';
export {
  IdempotencyStore,
  defaultIdempotencyTtlMs,
  canonicalJson,
  hashParams,
  naturalKey,
  isCreatingMethod,
  type IdempotencyClaim,
  type IdempotencyDecision,
  type IdempotencyRecord,
  type IdempotencyRequest,
  type IdempotencyStatus,
  type IdempotencyStoreOptions,
} from './idempotency-store.ts';
export { findPlanRefusal, type PlanRefusalQuestion } from './find-plan-refusal.ts';
export {
  ApprovalStore,
  planBodyHash,
  valueHash,
  type ApprovalChannel,
  type PlanDecision,
  type PlanDecisionKind,
  type PlanState,
  type PlanTarget,
} from './approval-store.ts';
export {
  RunStore,
  type RunStatus,
  type ItemStatus,
  type SubStepStatus,
  type RunRecord,
  type NewRun,
  type SubStepRecord,
  type UnknownOutcome,
  type SubStepUpdate,
  type ItemUpdate,
  type SavedCursor,
  type DeadLetteredItem,
} from './run-store.ts';
export {
  DeadLetterStore,
  type DeadLetter,
  type DeadLetterInput,
  type DeadLetterSource,
  type DeadLetterStatus,
  type UnknownWrite,
} from './dead-letter-store.ts';
export { InboxStore, type InboxEvent, type InboxStatus, type InstalledPortal } from './inbox-store.ts';
export {
  ReservationStore,
  FINAL_ROW_STATUSES,
  rowKeyOf,
  type ReservationRecord,
  type SavedRow,
  type RowStatus,
  type RowToSave,
  type RowUpdate,
} from './reservation-store.ts';
export { AuditStore, parameterNames, type AuditEntry, type AuditOutcome, type AuditQuery, type AuditRow } from './audit-store.ts';

export interface StateStores {
  database: Database;
  plans: PlanStore;
  idempotency: IdempotencyStore;
  audit: AuditStore;
  close(): void;
}

export interface StateStoresOptions {
  clock?: Clock;
  planTtlMs?: number;
  idempotencyTtlMs?: number;
}

/** Opens the state database at `path` and the stores over it; `close()` closes the database. */
export function openStateStores(path: string, options: StateStoresOptions = {}): StateStores {
  const database = openStateDatabase(path);
  const clock = options.clock === undefined ? {} : { clock: options.clock };
  try {
    return {
      database,
      plans: new PlanStore(database, { ...clock, ...(options.planTtlMs === undefined ? {} : { ttlMs: options.planTtlMs }) }),
      idempotency: new IdempotencyStore(database, { ...clock, ...(options.idempotencyTtlMs === undefined ? {} : { ttlMs: options.idempotencyTtlMs }) }),
      audit: new AuditStore(database, clock),
      close: () => database.close(),
    };
  } catch (error) {
    database.close();
    throw error;
  }
}
export { keepLeaseAlive, type LeaseKeeper } from './keep-lease-alive.ts';
export { thisHost, leaseStaleAfterMs } from './lease-liveness.ts';
export { isPostgresUrl, redactDatabaseUrl, PostgresDatabase } from './postgres/postgres-database.ts';
export { PostgresTokenStore, type PostgresTokenStoreOptions } from './postgres/postgres-token-store.ts';
export { type Lease, type LeaseOwner, type LeaseStore, SqliteLeaseStore } from './lease-store.ts';
export { naturalKeyParts } from './natural-key.ts';
export { MethodVersionStore, defaultRegistryMaxAgeMs, type CachedRegistry, type RegistrySource } from './method-version-store.ts';
