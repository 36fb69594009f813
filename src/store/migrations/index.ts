/**
 * The state database's migrations, in order. The database remembers the last version applied
 * (`PRAGMA user_version` on SQLite, the table `b24chain_schema_version` on PostgreSQL) and `openStateDatabase` applies the rest in one transaction.
 *
 * To add one (runs and checkpoints, offline-event state, dead letters…):
 *   1. create `NNN-what-it-adds.ts` here exporting a `StateMigration` whose `version` is the last
 *      version below plus one, and whose `up(database)` creates or alters tables (`database.exec`);
 *   2. append it to `stateMigrations` below.
 * Never edit or reorder a migration that has shipped: databases in the field already ran it. To change
 * a table, add a migration that alters it. A database newer than this list is refused, not downgraded.
 */
import type { StateMigration } from './migration.ts';
import { guardedCallMigration } from './001-guarded-call.ts';
import { chainRunsMigration } from './002-chain-runs.ts';
import { offlineEventsMigration } from './003-offline-events.ts';
import { runOwnershipMigration } from './004-run-ownership.ts';
import { deadLetterWritesMigration } from './005-dead-letter-writes.ts';
import { planApprovalsMigration } from './006-plan-approvals.ts';
import { methodVersionsMigration } from './007-method-versions.ts';
import { oauthTokensMigration } from './008-oauth-tokens.ts';

export type { StateMigration } from './migration.ts';

export const stateMigrations: readonly StateMigration[] = [
  guardedCallMigration,
  chainRunsMigration,
  offlineEventsMigration,
  runOwnershipMigration,
  deadLetterWritesMigration,
  planApprovalsMigration,
  methodVersionsMigration,
  oauthTokensMigration,
];
