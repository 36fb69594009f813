/**
 * A prepared statement of `PostgresDatabase`: the translated text, bound positionally (`?`) or by name
 * (`@name` from one object), run as a named prepared statement; `pluck` returns the first column.
 */
import type { StateRunResult, StateStatement } from '../state-database.ts';
import type { BridgeAnswer } from './bridge-protocol.ts';
import type { PostgresDatabase } from './postgres-database.ts';
import type { TranslatedSql } from './translate-sql.ts';

type Bindable = string | number | null | boolean | Uint8Array;

function bindable(value: unknown): Bindable {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Uint8Array) return value;
  return JSON.stringify(value);
}

export class PostgresStatement implements StateStatement {
  private plucking = false;

  constructor(
    private readonly database: PostgresDatabase,
    private readonly translated: TranslatedSql,
    private readonly name: string,
  ) {}

  private values(params: unknown[]): Bindable[] {
    if (this.translated.names.length > 0) {
      const named = params.find((param) => param !== null && typeof param === 'object' && !Array.isArray(param)) as Record<string, unknown> | undefined;
      return this.translated.names.map((name) => bindable(named?.[name]));
    }
    return params.flat().map(bindable);
  }

  private execute(params: unknown[]): Extract<BridgeAnswer, { ok: true }> {
    return this.database.query(this.translated.text, this.values(params), this.name);
  }

  run(...params: unknown[]): StateRunResult {
    return { changes: this.execute(params).rowCount };
  }

  get(...params: unknown[]): unknown {
    const answer = this.execute(params);
    const row = answer.rows[0];
    if (row === undefined) return undefined;
    return this.plucking ? row[answer.fields[0] ?? ''] : row;
  }

  all(...params: unknown[]): unknown[] {
    const answer = this.execute(params);
    if (!this.plucking) return answer.rows;
    const field = answer.fields[0] ?? '';
    return answer.rows.map((row) => row[field]);
  }

  pluck(toggle = true): this {
    this.plucking = toggle;
    return this;
  }
}
