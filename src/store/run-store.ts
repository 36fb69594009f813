/**
 * Checkpoints of chain runs (DESIGN.md §4): the run, each list cursor, each step's result, and each
 * item's outcome per sub-step (pending → sent → done with the result, or failed with the error).
 * Every batch response is recorded in one transaction. The tables come from the state database's
 * migrations (`src/store/migrations/002-chain-runs.ts`): open the database with `openStateDatabase`.
 */
import { randomUUID } from 'node:crypto';
import type { StateDatabase, StateStatement } from './state-database.ts';
import { systemClock, type Clock } from '../util/index.ts';
import { cachedStatement } from './cached-statement.ts';
import { parseJson as parse, rowMapper } from './map-row.ts';
import { type ItemRow, type SubStepRow as CheckpointSubStepRow, writeCheckpointRows } from './record-checkpoint.ts';

export type RunStatus = 'running' | 'interrupted' | 'awaiting_decision' | 'done' | 'failed';
export type ItemStatus = 'pending' | 'done' | 'skipped' | 'failed' | 'dead_letter' | 'not_planned';
export type SubStepStatus = 'pending' | 'sent' | 'done' | 'failed' | 'skipped';

export interface RunRecord {
  id: string;
  portal: string;
  chainName: string;
  chainPath: string;
  chainSha256: string;
  inputs: Record<string, unknown>;
  status: RunStatus;
  planId: string | null;
  startedAt: number;
  updatedAt: number;
  finishedAt: number | null;
  lastError: string | null;
  /** Flags a resume needs besides the run id (`--confirm-write`, `--portal NAME`, `--db PATH`). */
  resumeFlags: string[];
}

export type NewRun = Pick<RunRecord, 'portal' | 'chainName' | 'chainPath' | 'chainSha256' | 'inputs' | 'planId'> & { resumeFlags?: string[] };

export interface SubStepRecord {
  subStepId: string;
  status: SubStepStatus;
  result: unknown;
  error: { code: string; message: string } | null;
  method: string;
  params: unknown;
}

export interface UnknownOutcome {
  stepId: string;
  itemKey: string;
  subStepId: string;
  method: string;
}

interface RunRow {
  id: string;
  portal: string;
  chain_name: string;
  chain_path: string;
  chain_sha256: string;
  inputs_json: string;
  status: RunStatus;
  plan_id: string | null;
  started_at: number;
  updated_at: number;
  finished_at: number | null;
  last_error: string | null;
  resume_flags_json: string | null;
}

const toRun = rowMapper<RunRow, RunRecord>({
  id: 'id',
  portal: 'portal',
  chainName: 'chain_name',
  chainPath: 'chain_path',
  chainSha256: 'chain_sha256',
  inputs: { json: 'inputs_json' },
  status: 'status',
  planId: 'plan_id',
  startedAt: 'started_at',
  updatedAt: 'updated_at',
  finishedAt: 'finished_at',
  lastError: 'last_error',
  resumeFlags: { json: 'resume_flags_json', fallback: [] },
});

interface CursorRow {
  step_id: string;
  cursor_json: string;
  pages: number;
  rows: number;
  finished: number;
}

export interface SavedCursor {
  stepId: string;
  cursor: unknown;
  pages: number;
  rows: number;
  finished: boolean;
}

const toCursor = rowMapper<CursorRow, SavedCursor>({
  stepId: 'step_id',
  cursor: { json: 'cursor_json' },
  pages: 'pages',
  rows: 'rows',
  finished: (row) => row.finished === 1,
});

interface SubStepRow {
  sub_step_id: string;
  status: SubStepStatus;
  method: string;
  params_json: string | null;
  result_json: string | null;
  error_json: string | null;
}

const toSubStep = rowMapper<SubStepRow, SubStepRecord>({
  subStepId: 'sub_step_id',
  status: 'status',
  method: 'method',
  params: { json: 'params_json' },
  result: { json: 'result_json' },
  error: { json: 'error_json' },
});

interface DeadLetteredItemRow {
  run_id: string;
  step_id: string;
  item_key: string;
  error_json: string | null;
  updated_at: number;
}

/** An item of a for_each step handled by `on_error: dead_letter`. */
export interface DeadLetteredItem {
  runId: string;
  stepId: string;
  itemKey: string;
  error: { code?: unknown; message?: unknown } | null;
  updatedAt: number;
}

const toDeadLetteredItem = rowMapper<DeadLetteredItemRow, DeadLetteredItem>({
  runId: 'run_id',
  stepId: 'step_id',
  itemKey: 'item_key',
  error: { json: 'error_json' },
  updatedAt: 'updated_at',
});

export interface SubStepUpdate {
  stepId: string;
  itemKey: string;
  subStepId: string;
  status: SubStepStatus;
  method: string;
  params?: unknown;
  result?: unknown;
  error?: { code: string; message: string } | null;
}

export interface ItemUpdate {
  stepId: string;
  itemKey: string;
  status: ItemStatus;
  error?: { code: string; message: string } | null;
  /** The item's row: stored with its first write, cleared once it is settled. */
  row?: unknown;
}

export class RunStore {
  /** Throws when this process no longer owns the run (DESIGN.md §11); checked inside every checkpoint write. */
  private fence: (() => void) | undefined;

  constructor(
    readonly db: StateDatabase,
    private readonly clock: Pick<Clock, 'now'> = systemClock,
  ) {}

  /** Prepared once per SQL text: checkpointing runs on every batch response. */
  private statement(sql: string): StateStatement {
    return cachedStatement(this.db, sql);
  }

  /** Checkpoint writes from now on check `fence` first, in their own transaction (undefined: no check). */
  useLease(fence: (() => void) | undefined): void {
    this.fence = fence;
  }

  /** Runs `work` in one IMMEDIATE transaction (or inside the caller's). */
  transaction<T>(work: () => T): T {
    const wrapped = this.db.transaction(work);
    return this.db.inTransaction ? wrapped() : wrapped.immediate();
  }

  private write(work: () => void): void {
    if (!this.fence) {
      work();
      return;
    }
    const fence = this.fence;
    this.transaction(() => {
      fence();
      work();
    });
  }

  createRun(run: NewRun): RunRecord {
    const id = `run_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const now = this.clock.now();
    this.statement(
      `INSERT INTO runs (id, portal, chain_name, chain_path, chain_sha256, inputs_json, status, plan_id, started_at, updated_at, resume_flags_json)
       VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)`,
    ).run(
      id,
      run.portal,
      run.chainName,
      run.chainPath,
      run.chainSha256,
      JSON.stringify(run.inputs),
      run.planId,
      now,
      now,
      JSON.stringify(run.resumeFlags ?? []),
    );
    return this.getRun(id) as RunRecord;
  }

  getRun(id: string): RunRecord | undefined {
    const row = this.statement('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row ? toRun(row) : undefined;
  }

  listRuns(limit = 20): RunRecord[] {
    return (this.statement('SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?').all(limit) as RunRow[]).map(toRun);
  }

  /**
   * The unfinished run of this chain on this portal, if any: the same file (by its real path), or the
   * same content started with the same inputs.
   */
  findUnfinished(portal: string, chainPath: string, chainSha256?: string, inputs?: Record<string, unknown>): RunRecord | undefined {
    const row = this.statement(
      `SELECT * FROM runs WHERE portal = ? AND status IN ('running', 'interrupted', 'awaiting_decision')
         AND (chain_path = ? OR (chain_sha256 = ? AND inputs_json = ?)) ORDER BY started_at DESC LIMIT 1`,
    ).get(portal, chainPath, chainSha256 ?? null, inputs === undefined ? null : JSON.stringify(inputs)) as RunRow | undefined;
    return row ? toRun(row) : undefined;
  }

  setStatus(id: string, status: RunStatus, lastError?: string | null): void {
    const now = this.clock.now();
    const finished = status === 'done' || status === 'failed' ? now : null;
    this.write(() => {
      this.statement('UPDATE runs SET status = ?, updated_at = ?, finished_at = ?, last_error = COALESCE(?, last_error) WHERE id = ?').run(
        status,
        now,
        finished,
        lastError ?? null,
        id,
      );
    });
  }

  saveStepResult(runId: string, stepId: string, status: 'done' | 'failed' | 'sent', result: unknown, error?: unknown): void {
    this.write(() => {
      this.statement(`INSERT INTO run_steps (run_id, step_id, status, result_json, error_json) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (run_id, step_id) DO UPDATE SET status = excluded.status, result_json = excluded.result_json, error_json = excluded.error_json`).run(
        runId,
        stepId,
        status,
        result === undefined ? null : JSON.stringify(result),
        error === undefined ? null : JSON.stringify(error),
      );
    });
  }

  stepResult(runId: string, stepId: string): { status: string; result: unknown } | undefined {
    const row = this.statement('SELECT status, result_json FROM run_steps WHERE run_id = ? AND step_id = ?').get(runId, stepId) as
      | { status: string; result_json: string | null }
      | undefined;
    return row ? { status: row.status, result: parse(row.result_json) } : undefined;
  }

  saveCursor(runId: string, stepId: string, cursor: unknown, pages: number, rows: number, finished: boolean): void {
    this.write(() => {
      this.statement(`INSERT INTO run_cursors (run_id, step_id, cursor_json, pages, rows, finished) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, step_id) DO UPDATE SET cursor_json = excluded.cursor_json, pages = excluded.pages, rows = excluded.rows, finished = excluded.finished`).run(
        runId,
        stepId,
        JSON.stringify(cursor ?? null),
        pages,
        rows,
        finished ? 1 : 0,
      );
    });
  }

  cursor(runId: string, stepId: string): Omit<SavedCursor, 'stepId'> | undefined {
    const row = this.statement('SELECT * FROM run_cursors WHERE run_id = ? AND step_id = ?').get(runId, stepId) as CursorRow | undefined;
    if (row === undefined) return undefined;
    const { stepId: _stepId, ...saved } = toCursor(row);
    return saved;
  }

  /** Records sub-step and item outcomes in one transaction (one per batch response). */
  record(runId: string, subSteps: SubStepUpdate[], items: ItemUpdate[]): void {
    const now = this.clock.now();
    const subStepRows: CheckpointSubStepRow[] = subSteps.map((update) => ({
      stepId: update.stepId,
      itemKey: update.itemKey,
      subStepId: update.subStepId,
      status: update.status,
      method: update.method,
      params: update.params === undefined ? null : JSON.stringify(update.params),
      result: update.result === undefined ? null : JSON.stringify(update.result),
      error: update.error ? JSON.stringify(update.error) : null,
    }));
    const itemRows: ItemRow[] = items.map((item) => ({
      stepId: item.stepId,
      itemKey: item.itemKey,
      status: item.status,
      row: item.status === 'pending' && item.row !== undefined ? JSON.stringify(item.row) : null,
      error: item.error ? JSON.stringify(item.error) : null,
    }));
    this.transaction(() => {
      this.fence?.();
      writeCheckpointRows(this.db, (sql) => this.statement(sql), runId, subStepRows, itemRows, now);
      this.statement('UPDATE runs SET updated_at = ? WHERE id = ?').run(now, runId);
    });
  }

  settledItems(runId: string, stepId: string, keys: readonly string[]): Map<string, ItemStatus> {
    const result = new Map<string, ItemStatus>();
    if (keys.length === 0) return result;
    const statement = this.statement(
      `SELECT item_key, status FROM run_items WHERE run_id = ? AND step_id = ? AND item_key IN (SELECT value FROM json_each(?)) AND status != 'pending'`,
    );
    for (const row of statement.all(runId, stepId, JSON.stringify(keys)) as Array<{ item_key: string; status: ItemStatus }>) {
      result.set(row.item_key, row.status);
    }
    return result;
  }

  subSteps(runId: string, stepId: string, itemKey: string): SubStepRecord[] {
    const rows = this.statement(
      'SELECT sub_step_id, status, method, params_json, result_json, error_json FROM run_item_steps WHERE run_id = ? AND step_id = ? AND item_key = ?',
    ).all(runId, stepId, itemKey) as SubStepRow[];
    return rows.map(toSubStep);
  }

  /** Items started (a write was sent) but never settled, with their rows: a resume finishes them. */
  pendingItems(runId: string, stepId: string): Array<{ key: string; row: unknown }> {
    const rows = this.statement(`SELECT item_key, item_json FROM run_items WHERE run_id = ? AND step_id = ? AND status = 'pending'`).all(
      runId,
      stepId,
    ) as Array<{
      item_key: string;
      item_json: string | null;
    }>;
    return rows.map((row) => ({ key: row.item_key, row: parse(row.item_json) }));
  }

  /** Top-level write steps recorded as sent but never answered. */
  sentSteps(runId: string): Array<{ stepId: string; params: unknown; method: string }> {
    const rows = this.statement(`SELECT step_id, result_json FROM run_steps WHERE run_id = ? AND status = 'sent'`).all(runId) as Array<{
      step_id: string;
      result_json: string | null;
    }>;
    return rows.map((row) => {
      const sent = parse<{ params?: unknown; method?: string }>(row.result_json) ?? {};
      return { stepId: row.step_id, params: sent.params, method: sent.method ?? '' };
    });
  }

  /** Recorded sub-steps of several items at once (resume), by item key. */
  subStepsForKeys(runId: string, stepId: string, keys: readonly string[]): Map<string, SubStepRecord[]> {
    const byKey = new Map<string, SubStepRecord[]>();
    if (keys.length === 0) return byKey;
    const rows = this.statement(
      `SELECT item_key, sub_step_id, status, method, params_json, result_json, error_json FROM run_item_steps
       WHERE run_id = ? AND step_id = ? AND item_key IN (SELECT value FROM json_each(?))`,
    ).all(runId, stepId, JSON.stringify(keys)) as Array<SubStepRow & { item_key: string }>;
    for (const row of rows) {
      const list = byKey.get(row.item_key) ?? [];
      list.push(toSubStep(row));
      byKey.set(row.item_key, list);
    }
    return byKey;
  }

  /** Sub-steps sent whose answer was never recorded: their outcome is unknown until reconciled. */
  sentSubSteps(runId: string): Array<UnknownOutcome & { params: unknown }> {
    const rows = this.statement(
      `SELECT step_id, item_key, sub_step_id, method, params_json FROM run_item_steps WHERE run_id = ? AND status = 'sent' ORDER BY rowid`,
    ).all(runId) as Array<{ step_id: string; item_key: string; sub_step_id: string; method: string; params_json: string | null }>;
    return rows.map((row) => ({ stepId: row.step_id, itemKey: row.item_key, subStepId: row.sub_step_id, method: row.method, params: parse(row.params_json) }));
  }

  /** Dead-lettered items of this portal's runs, newest first. */
  deadLetteredItems(portal: string, limit = 200): DeadLetteredItem[] {
    const rows = this.statement(
      `SELECT item.run_id, item.step_id, item.item_key, item.error_json, item.updated_at FROM run_items item JOIN runs run ON run.id = item.run_id
        WHERE item.status = 'dead_letter' AND run.portal = ? ORDER BY item.updated_at DESC LIMIT ?`,
    ).all(portal, limit) as DeadLetteredItemRow[];
    return rows.map(toDeadLetteredItem);
  }

  countItems(runId: string): Record<string, Record<string, number>> {
    const rows = this.statement('SELECT step_id, status, COUNT(*) AS count FROM run_items WHERE run_id = ? GROUP BY step_id, status').all(runId) as Array<{
      step_id: string;
      status: string;
      count: number;
    }>;
    const counts: Record<string, Record<string, number>> = {};
    for (const row of rows) {
      counts[row.step_id] ??= {};
      (counts[row.step_id] as Record<string, number>)[row.status] = row.count;
    }
    return counts;
  }

  cursors(runId: string): SavedCursor[] {
    return (this.statement('SELECT * FROM run_cursors WHERE run_id = ?').all(runId) as CursorRow[]).map(toCursor);
  }
}
