/**
 * The stores' SQL (SQLite's dialect, kept to what both engines understand) as PostgreSQL takes it. A
 * pure function of the text, applied once per prepared statement and per migration:
 * - `?` → `$1, $2…`; `@name` → one `$n` per distinct name (the caller binds an object by these names);
 * - `json_each(?)` → `json_array_elements_text($n::json)` (its column is `value` on both);
 * - DDL: `INTEGER PRIMARY KEY AUTOINCREMENT` → an identity column; `INTEGER` → `BIGINT` (times in ms
 *   overflow int4); `REAL` → `DOUBLE PRECISION`; `BLOB` → `BYTEA`; `STRICT` and `WITHOUT ROWID` dropped;
 *   every other table gets a `rowid` identity column, so `ORDER BY rowid` (insertion order) means
 *   what it means on SQLite;
 * - `x GLOB 'pattern'` (a literal pattern of `*` and `?`) → `x LIKE 'pattern'`;
 * - `INSERT OR IGNORE` → `INSERT … ON CONFLICT DO NOTHING`; `BEGIN IMMEDIATE|EXCLUSIVE|DEFERRED` → `BEGIN`.
 * String literals, quoted identifiers and comments are never changed. What cannot be translated
 * faithfully (`INSERT OR REPLACE`: it needs the conflict target) throws: write portable SQL instead.
 */

export interface TranslatedSql {
  text: string;
  /** Positional parameters (`?`): how many. */
  positional: number;
  /** Named parameters (`@name`), in the order of their `$n`. */
  names: string[];
}

export class UntranslatableSqlError extends Error {
  override name = 'UntranslatableSqlError';
}

const MARK = '\u0001';

/** Literals, quoted identifiers and comments replaced by `\u0001N\u0001`, so rewrites never touch them. */
function mask(sql: string): { masked: string; pieces: string[] } {
  const pieces: string[] = [];
  let masked = '';
  let index = 0;
  const keep = (end: number): void => {
    pieces.push(sql.slice(index, end));
    masked += `${MARK}${pieces.length - 1}${MARK}`;
    index = end;
  };
  while (index < sql.length) {
    const char = sql[index];
    const next = sql[index + 1];
    if (char === "'" || char === '"' || char === '`') {
      let end = index + 1;
      for (;;) {
        const close = sql.indexOf(char, end);
        if (close === -1) {
          end = sql.length;
          break;
        }
        if (sql[close + 1] === char) {
          end = close + 2;
          continue;
        }
        end = close + 1;
        break;
      }
      keep(end);
    } else if (char === '-' && next === '-') {
      const close = sql.indexOf('\n', index);
      keep(close === -1 ? sql.length : close);
    } else if (char === '/' && next === '*') {
      const close = sql.indexOf('*/', index + 2);
      keep(close === -1 ? sql.length : close + 2);
    } else {
      masked += char;
      index += 1;
    }
  }
  return { masked, pieces };
}

function unmask(masked: string, pieces: readonly string[]): string {
  return masked.replace(new RegExp(`${MARK}(\\d+)${MARK}`, 'g'), (_match, position: string) => pieces[Number(position)] ?? '');
}

/** A GLOB pattern literal (`'abc*'`) as a LIKE pattern literal (`'abc%'`). */
function globToLike(literal: string): string {
  const body = literal.slice(1, -1);
  if (/[[\]]/.test(body)) throw new UntranslatableSqlError(`GLOB with a character class (${literal}) has no PostgreSQL translation`);
  const like = body
    .replace(/[\\%_]/g, (special) => `\\${special}`)
    .replace(/\*/g, '%')
    .replace(/\?/g, '_');
  return `'${like}'`;
}

/** Adds `rowid` to every `CREATE TABLE` that SQLite gives one (not WITHOUT ROWID, no AUTOINCREMENT id); drops the table options. */
function translateCreateTables(masked: string): string {
  const head = /CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[\w."]+\s*\(/gi;
  let output = '';
  let from = 0;
  for (let match = head.exec(masked); match !== null; match = head.exec(masked)) {
    let depth = 1;
    let close = match.index + match[0].length;
    for (; close < masked.length && depth > 0; close += 1) {
      if (masked[close] === '(') depth += 1;
      else if (masked[close] === ')') depth -= 1;
    }
    close -= 1; // the table's closing parenthesis
    const options = /^\s*(?:STRICT\s*,?\s*)?(?:WITHOUT\s+ROWID\s*,?\s*)?(?:STRICT)?/i.exec(masked.slice(close + 1))?.[0] ?? '';
    const body = masked.slice(match.index + match[0].length, close);
    const hasRowid = !/WITHOUT\s+ROWID/i.test(options) && !/AUTOINCREMENT/i.test(body);
    output += masked.slice(from, close);
    if (hasRowid) output += '\n  , rowid BIGINT GENERATED ALWAYS AS IDENTITY\n';
    output += ')';
    from = close + 1 + options.length;
    head.lastIndex = from;
  }
  return output + masked.slice(from);
}

function translateInsertOrIgnore(masked: string): string {
  if (/\bINSERT\s+OR\s+REPLACE\b/i.test(masked)) {
    throw new UntranslatableSqlError('INSERT OR REPLACE has no faithful PostgreSQL translation; write INSERT … ON CONFLICT (key) DO UPDATE');
  }
  if (!/\bINSERT\s+OR\s+IGNORE\b/i.test(masked)) return masked;
  const statements = masked.split(';');
  return statements
    .map((statement) => {
      if (!/\bINSERT\s+OR\s+IGNORE\b/i.test(statement)) return statement;
      const plain = statement.replace(/\bINSERT\s+OR\s+IGNORE\b/i, 'INSERT');
      if (/\bON\s+CONFLICT\b/i.test(plain)) return plain;
      const returning = /\bRETURNING\b/i.exec(plain);
      if (returning) return `${plain.slice(0, returning.index)}ON CONFLICT DO NOTHING ${plain.slice(returning.index)}`;
      const trailing = /\s*$/.exec(plain)?.[0] ?? '';
      return `${plain.slice(0, plain.length - trailing.length)} ON CONFLICT DO NOTHING${trailing}`;
    })
    .join(';');
}

export function translateSql(sql: string): TranslatedSql {
  const { masked, pieces } = mask(sql);
  const names: string[] = [];
  let positional = 0;
  let text = masked.replace(/\?|@([A-Za-z_]\w*)/g, (_match, name: string | undefined) => {
    if (name === undefined) {
      positional += 1;
      return `$${positional}`;
    }
    let position = names.indexOf(name);
    if (position === -1) position = names.push(name) - 1;
    return `$${position + 1}`;
  });
  if (positional > 0 && names.length > 0) throw new UntranslatableSqlError('a statement mixes ? and @name parameters');
  text = text
    .replace(/\bjson_each\s*\(\s*(\$\d+)\s*\)/gi, 'json_array_elements_text($1::json)')
    .replace(/\bINTEGER\s+PRIMARY\s+KEY\s+AUTOINCREMENT\b/gi, 'BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY AUTOINCREMENT')
    .replace(/\bINTEGER\b/gi, 'BIGINT')
    .replace(/\bREAL\b/gi, 'DOUBLE PRECISION')
    .replace(/\bBLOB\b/gi, 'BYTEA')
    .replace(/^(\s*)BEGIN\s+(?:IMMEDIATE|EXCLUSIVE|DEFERRED)\b/i, '$1BEGIN')
    .replace(new RegExp(`\\bGLOB\\s+${MARK}(\\d+)${MARK}`, 'gi'), (match, position: string) => {
      const literal = pieces[Number(position)] ?? '';
      if (!literal.startsWith("'")) throw new UntranslatableSqlError(`GLOB needs a literal pattern on PostgreSQL: ${match}`);
      pieces[Number(position)] = globToLike(literal);
      return `LIKE ${MARK}${position}${MARK}`;
    });
  if (/\bGLOB\b/i.test(text)) throw new UntranslatableSqlError('GLOB needs a literal pattern on PostgreSQL');
  text = translateCreateTables(text).replace(/\s+AUTOINCREMENT\b/gi, '');
  text = translateInsertOrIgnore(text);
  return { text: unmask(text, pieces), positional, names };
}
