/**
 * A batch response's checkpoint (sub-step and item outcomes) in as few statements as the engine allows.
 * On SQLite a statement is a local call, so one upsert per row costs nothing; on PostgreSQL each is a
 * round trip through the synchronous bridge, so there the rows go as one JSON parameter, one upsert per
 * table (`json_to_recordset`). Both write the same rows: several updates of one key in a batch collapse
 * to what upserting them in order would leave.
 */
import type { StateDatabase, StateStatement } from './state-database.ts';

export interface SubStepRow {
  stepId: string;
  itemKey: string;
  subStepId: string;
  status: string;
  method: string;
  /** JSON text, or null to keep what is stored. */
  params: string | null;
  result: string | null;
  error: string | null;
}

export interface ItemRow {
  stepId: string;
  itemKey: string;
  status: string;
  /** JSON text of the row while pending (null keeps what is stored); cleared once settled. */
  row: string | null;
  error: string | null;
}

/** What a database that takes raw PostgreSQL statements offers (`PostgresDatabase.query`). */
interface RawQuery {
  readonly dialect: 'postgres';
  query(text: string, values: unknown[], prepareAs?: string): unknown;
}

function isPostgres(database: StateDatabase): database is StateDatabase & RawQuery {
  return (database as Partial<RawQuery>).dialect === 'postgres';
}

/** The rows upserting `rows` in order would leave, one per key. Pure. */
export function collapseSubSteps(rows: readonly SubStepRow[]): SubStepRow[] {
  const byKey = new Map<string, SubStepRow>();
  for (const row of rows) {
    const key = JSON.stringify([row.stepId, row.itemKey, row.subStepId]);
    const earlier = byKey.get(key);
    byKey.set(key, earlier === undefined ? row : { ...row, params: row.params ?? earlier.params });
  }
  return [...byKey.values()];
}

/** The rows upserting `rows` in order would leave, one per key. Pure. */
export function collapseItems(rows: readonly ItemRow[]): ItemRow[] {
  const byKey = new Map<string, ItemRow>();
  for (const row of rows) {
    const key = JSON.stringify([row.stepId, row.itemKey]);
    const earlier = byKey.get(key);
    byKey.set(key, earlier === undefined || row.status !== 'pending' ? row : { ...row, row: row.row ?? earlier.row });
  }
  return [...byKey.values()];
}

const SUB_STEP_UPDATE = `ON CONFLICT (run_id, step_id, item_key, sub_step_id) DO UPDATE SET
  status = excluded.status, method = excluded.method,
  params_json = COALESCE(excluded.params_json, run_item_steps.params_json),
  result_json = excluded.result_json, error_json = excluded.error_json, updated_at = excluded.updated_at`;

const ITEM_UPDATE = `ON CONFLICT (run_id, step_id, item_key) DO UPDATE SET status = excluded.status,
  item_json = CASE WHEN excluded.status = 'pending' THEN COALESCE(excluded.item_json, run_items.item_json) ELSE NULL END,
  error_json = excluded.error_json, updated_at = excluded.updated_at`;

const BULK_SUB_STEPS = `INSERT INTO run_item_steps (run_id, step_id, item_key, sub_step_id, status, method, params_json, result_json, error_json, updated_at)
SELECT $1, x."stepId", x."itemKey", x."subStepId", x.status, x.method, x.params, x.result, x.error, $2
FROM json_to_recordset($3::json) AS x("stepId" text, "itemKey" text, "subStepId" text, status text, method text, params text, result text, error text)
${SUB_STEP_UPDATE}`;

const BULK_ITEMS = `INSERT INTO run_items (run_id, step_id, item_key, status, item_json, error_json, updated_at)
SELECT $1, x."stepId", x."itemKey", x.status, x.row, x.error, $2
FROM json_to_recordset($3::json) AS x("stepId" text, "itemKey" text, status text, row text, error text)
${ITEM_UPDATE}`;

/** Writes the rows (call inside the checkpoint's transaction). `statement` prepares SQLite's per-row upserts. */
export function writeCheckpointRows(
  database: StateDatabase,
  statement: (sql: string) => StateStatement,
  runId: string,
  subSteps: readonly SubStepRow[],
  items: readonly ItemRow[],
  now: number,
): void {
  if (isPostgres(database)) {
    const steps = collapseSubSteps(subSteps);
    const rows = collapseItems(items);
    if (steps.length > 0) database.query(BULK_SUB_STEPS, [runId, now, JSON.stringify(steps)], 'b24_bulk_sub_steps');
    if (rows.length > 0) database.query(BULK_ITEMS, [runId, now, JSON.stringify(rows)], 'b24_bulk_items');
    return;
  }
  const upsertSubStep = statement(
    `INSERT INTO run_item_steps (run_id, step_id, item_key, sub_step_id, status, method, params_json, result_json, error_json, updated_at)
     VALUES (@runId, @stepId, @itemKey, @subStepId, @status, @method, @params, @result, @error, @now)
     ${SUB_STEP_UPDATE}`,
  );
  const upsertItem = statement(
    `INSERT INTO run_items (run_id, step_id, item_key, status, item_json, error_json, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ${ITEM_UPDATE}`,
  );
  for (const row of subSteps) upsertSubStep.run({ runId, now, ...row });
  for (const item of items) upsertItem.run(runId, item.stepId, item.itemKey, item.status, item.row, item.error, now);
}
