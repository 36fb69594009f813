/**
 * The audit trail (DESIGN.md §6): one row per call and per refusal. It records parameter NAMES, never
 * values, and every free-form text goes through `redactSecrets`, so nothing in it is a secret.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { StateDatabase } from './state-database.ts';
import { redactSecrets } from '../errors/index.ts';
import type { RiskClass } from '../protocol/index.ts';
import { systemClock, type Clock } from '../util/index.ts';
import { cachedStatement } from './cached-statement.ts';

export type AuditOutcome = 'ok' | 'error' | 'refused' | 'replayed';

export interface AuditEntry {
  portal: string;
  method: string;
  outcome: AuditOutcome;
  /** Unset when the refusal came before the call could be classified. */
  risk?: RiskClass | undefined;
  /** Generated when absent. */
  requestId?: string | undefined;
  errorCode?: string | undefined;
  durationMs?: number | undefined;
  planId?: string | undefined;
  idempotencyKey?: string | undefined;
  /** The call's parameters: only their names are kept (see `parameterNames`). */
  params?: Record<string, unknown> | undefined;
  packs?: readonly string[] | undefined;
  /** Milliseconds since the epoch; the clock's now when absent. */
  time?: number | undefined;
  /** Who acted, for approvals and MCP tool calls: an OS user name or an MCP client's name, never a secret. */
  actor?: string | undefined;
  /** How: `terminal`, `elicitation`, `mcp`. */
  via?: string | undefined;
}

/** A stored row, as `chain audit --json` prints it. */
export interface AuditRow {
  id: number;
  /** ISO-8601. */
  time: string;
  requestId: string;
  portal: string;
  method: string;
  risk: RiskClass | null;
  outcome: AuditOutcome;
  errorCode: string | null;
  durationMs: number | null;
  planId: string | null;
  idempotencyKey: string | null;
  parameterNames: string[];
  packs: string[];
  /** Present on rows that name who acted (approvals, MCP tool calls). */
  actor?: string;
  via?: string;
}

export interface AuditQuery {
  /** Rows at or after this time (ms since the epoch). */
  since?: number | undefined;
  /** At most this many rows: the latest ones, oldest first (default 1000). */
  limit?: number | undefined;
  portal?: string | undefined;
}

interface AuditDatabaseRow {
  id: number;
  time: number;
  request_id: string;
  portal: string;
  method: string;
  risk: RiskClass | null;
  outcome: AuditOutcome;
  error_code: string | null;
  duration_ms: number | null;
  plan_id: string | null;
  idempotency_key: string | null;
  parameter_names: string;
  packs: string;
  actor?: string | null;
  via?: string | null;
}

const maximumNames = 200;
const maximumTextLength = 200;
const exportPageSize = 500;

function clean(text: string): string {
  const redacted = redactSecrets(text);
  return redacted.length > maximumTextLength ? `${redacted.slice(0, maximumTextLength)}…` : redacted;
}

function cleanOptional(text: string | undefined): string | null {
  return text === undefined ? null : clean(text);
}

/**
 * The names of a call's parameters, never their values: the top-level keys, and `fields.KEY` for each
 * key of `fields` (any case). `{id: 5, fields: {TITLE: 'x'}}` → `['id', 'fields', 'fields.TITLE']`.
 */
export function parameterNames(params: Record<string, unknown> | undefined): string[] {
  const names: string[] = [];
  for (const [key, value] of Object.entries(params ?? {})) {
    names.push(key);
    if (key.toLowerCase() === 'fields' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const field of Object.keys(value)) names.push(`${key}.${field}`);
    }
  }
  return names.slice(0, maximumNames).map(clean);
}

function toRow(row: AuditDatabaseRow): AuditRow {
  return {
    id: row.id,
    time: new Date(row.time).toISOString(),
    requestId: row.request_id,
    portal: row.portal,
    method: row.method,
    risk: row.risk,
    outcome: row.outcome,
    errorCode: row.error_code,
    durationMs: row.duration_ms,
    planId: row.plan_id,
    idempotencyKey: row.idempotency_key,
    parameterNames: JSON.parse(row.parameter_names) as string[],
    packs: JSON.parse(row.packs) as string[],
    ...(row.actor == null ? {} : { actor: row.actor }),
    ...(row.via == null ? {} : { via: row.via }),
  };
}

export class AuditStore {
  readonly #database: StateDatabase;
  readonly #clock: Clock;

  constructor(database: StateDatabase, options: { clock?: Clock } = {}) {
    this.#database = database;
    this.#clock = options.clock ?? systemClock;
  }

  /** Appends one row and returns it as stored. */
  record(entry: AuditEntry): AuditRow {
    const row = {
      time: entry.time ?? this.#clock.now(),
      request_id: clean(entry.requestId ?? randomUUID()),
      portal: clean(entry.portal),
      method: clean(entry.method),
      risk: entry.risk ?? null,
      outcome: entry.outcome,
      error_code: cleanOptional(entry.errorCode),
      duration_ms: entry.durationMs === undefined ? null : Math.max(0, Math.round(entry.durationMs)),
      plan_id: cleanOptional(entry.planId),
      idempotency_key: cleanOptional(entry.idempotencyKey),
      parameter_names: JSON.stringify(parameterNames(entry.params)),
      packs: JSON.stringify((entry.packs ?? []).map(clean)),
      actor: cleanOptional(entry.actor),
      via: cleanOptional(entry.via),
    };
    const result = cachedStatement(
      this.#database,
      `INSERT INTO audit_log (time, request_id, portal, method, risk, outcome, error_code, duration_ms, plan_id, idempotency_key, parameter_names, packs, actor, via)
         VALUES (@time, @request_id, @portal, @method, @risk, @outcome, @error_code, @duration_ms, @plan_id, @idempotency_key, @parameter_names, @packs, @actor, @via)
         RETURNING id`,
    ).get(row) as { id: number };
    return toRow({ ...row, id: Number(result.id) });
  }

  #where(query: AuditQuery): { clause: string; values: Array<string | number> } {
    const conditions: string[] = [];
    const values: Array<string | number> = [];
    if (query.since !== undefined) {
      conditions.push('time >= ?');
      values.push(query.since);
    }
    if (query.portal !== undefined) {
      conditions.push('portal = ?');
      values.push(query.portal);
    }
    return { clause: conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`, values };
  }

  /** Rows matching the query, oldest first; with a limit, the latest `limit` of them. */
  list(query: AuditQuery = {}): AuditRow[] {
    const limit = Math.max(1, Math.floor(query.limit ?? 1000));
    const { clause, values } = this.#where(query);
    const rows = cachedStatement(this.#database, `SELECT * FROM audit_log ${clause} ORDER BY id DESC LIMIT ?`).all(...values, limit) as AuditDatabaseRow[];
    return rows.reverse().map(toRow);
  }

  /**
   * Writes every matching row as one JSON line, oldest first, a page at a time (memory stays flat, and
   * the connection is free while the stream drains); returns the count.
   */
  async exportJsonl(stream: NodeJS.WritableStream, query: Omit<AuditQuery, 'limit'> = {}): Promise<number> {
    const { clause, values } = this.#where(query);
    const after = clause === '' ? 'WHERE id > ?' : `${clause} AND id > ?`;
    const page = cachedStatement(this.#database, `SELECT * FROM audit_log ${after} ORDER BY id LIMIT ${exportPageSize}`);
    let count = 0;
    let lastId = 0;
    for (;;) {
      const rows = page.all(...values, lastId) as AuditDatabaseRow[];
      for (const row of rows) {
        const flushed = stream.write(`${JSON.stringify(toRow(row))}\n`);
        count += 1;
        lastId = row.id;
        if (!flushed) await once(stream, 'drain');
      }
      if (rows.length < exportPageSize) return count;
    }
  }
}
