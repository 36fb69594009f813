/**
 * The one way a store turns a SQLite row into a record: a declarative, typed map from each field of the
 * record to its column (`'chain_name'`), a JSON column (`{ json: 'inputs_json', fallback: [] }`), or a
 * function of the row for anything else (`(row) => row.finished === 1`). A column name that does not
 * exist, or whose type does not fit the field, does not compile.
 */

/** Columns of `Row` whose value fits a field of type `Value`. */
type ColumnOf<Row, Value> = { [Column in keyof Row]: Row[Column] extends Value ? Column : never }[keyof Row];

/** Columns of `Row` holding JSON text (possibly NULL). */
type JsonColumnOf<Row> = ColumnOf<Row, string | null>;

export type FieldSource<Row, Value> = ColumnOf<Row, Value> | { json: JsonColumnOf<Row>; fallback?: Value } | ((row: Row) => Value);

export type RowMap<Row, Out> = { [Field in keyof Out]-?: FieldSource<Row, Out[Field]> };

function readField<Row, Value>(row: Row, source: FieldSource<Row, Value>): Value {
  if (typeof source === 'function') return (source as (row: Row) => Value)(row);
  if (typeof source === 'object' && source !== null) {
    const text = row[source.json] as string | null;
    if (text === null) return (source.fallback === undefined ? null : source.fallback) as Value;
    return JSON.parse(text) as Value;
  }
  return row[source as keyof Row] as Value;
}

/** Builds the function that maps one row (e.g. of `SELECT *`) to a record; columns not named are ignored. */
export function rowMapper<Row, Out>(map: RowMap<Row, Out>): (row: Row) => Out {
  const fields = Object.entries(map) as Array<[string, FieldSource<Row, unknown>]>;
  return (row) => {
    const record: Record<string, unknown> = {};
    for (const [field, source] of fields) record[field] = readField(row, source);
    return record as Out;
  };
}

/** JSON text of a nullable column, parsed (null stays null). */
export function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}
