/**
 * `chain audit [--since T] [--json] [--export jsonl]`: the audit trail of `chain call`, one row per call
 * and per refusal: time, request id, portal, method, risk, outcome, error code, duration, plan id,
 * idempotency key, parameter names (never values) and packs. Needs no portal.
 */
import { Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import { parseSince } from '../../call/index.ts';
import { RefusalError } from '../../errors/index.ts';
import { openStateStores, resolveStatePath, type AuditRow, type StateStores } from '../../store/index.ts';
import { ExitCode, returnsExitCode } from '../exit-code.ts';
import { printRefusalOrThrow } from '../print-refusal.ts';
import { STATE_DATABASE_FLAG, STATE_DATABASE_HELP } from '../state-database-option.ts';

export interface AuditCommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  /** For `--export`: a stream with back-pressure (default: built over `stdout`). */
  stdoutStream?: NodeJS.WritableStream;
  now?: () => number;
}

const processIo: AuditCommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stdoutStream: process.stdout,
};

interface AuditFlags {
  since?: string;
  limit?: string;
  json?: boolean;
  export?: 'jsonl';
  db?: string;
}

const columns: Array<[string, (row: AuditRow) => string]> = [
  ['TIME', (row) => row.time],
  ['OUTCOME', (row) => row.outcome],
  ['RISK', (row) => row.risk ?? '-'],
  ['METHOD', (row) => row.method || '-'],
  ['PORTAL', (row) => row.portal],
  ['ERROR', (row) => row.errorCode ?? '-'],
  ['MS', (row) => (row.durationMs === null ? '-' : String(row.durationMs))],
  ['PLAN', (row) => row.planId ?? '-'],
  ['KEY', (row) => row.idempotencyKey ?? '-'],
  ['PACKS', (row) => row.packs.join(',') || '-'],
  ['BY', (row) => (row.actor === undefined ? '-' : `${row.actor} (${row.via ?? '-'})`)],
  ['PARAMS', (row) => row.parameterNames.join(',') || '-'],
];

/** One aligned line per row, a header first; the last column is not padded. */
export function formatAuditRows(rows: readonly AuditRow[]): string {
  if (rows.length === 0) return 'No audit rows.\n';
  const cells = [columns.map(([title]) => title), ...rows.map((row) => columns.map(([, cell]) => cell(row)))];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => (line[index] ?? '').length)));
  return `${cells.map((line) => line.map((cell, index) => (index === line.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))).join('  ')).join('\n')}\n`;
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit <= 0) {
    throw new RefusalError(`--limit: "${text}" is not a positive whole number (LIMIT_INVALID).`, {
      code: 'LIMIT_INVALID',
      hint: 'Give a count such as --limit 100.',
      subject: '--limit',
    });
  }
  return limit;
}

function streamOver(io: AuditCommandIo): NodeJS.WritableStream {
  return (
    io.stdoutStream ??
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        io.stdout(chunk.toString());
        callback();
      },
    })
  );
}

async function auditAction(flags: AuditFlags, io: AuditCommandIo): Promise<number> {
  const json = flags.json === true;
  let stores: StateStores | undefined;
  try {
    const since = flags.since === undefined ? undefined : parseSince(flags.since, (io.now ?? Date.now)());
    const limit = parseLimit(flags.limit);
    stores = openStateStores(resolveStatePath({ flag: flags.db, env: io.env.B24_DB, databaseUrl: io.env.B24_DATABASE_URL }));
    if (flags.export === 'jsonl') {
      await stores.audit.exportJsonl(streamOver(io), { since });
      return ExitCode.ok;
    }
    const rows = stores.audit.list({ since, limit });
    io.stdout(json ? `${JSON.stringify({ rows, count: rows.length })}\n` : formatAuditRows(rows));
    return ExitCode.ok;
  } catch (error) {
    return printRefusalOrThrow(error, json, io);
  } finally {
    stores?.close();
  }
}

/** Registers `chain audit`. */
export function registerAuditCommand(program: Command, io: AuditCommandIo = processIo): void {
  program
    .command('audit')
    .description('Print the audit trail of chain call: one row per call and per refusal (parameter names, never values)')
    .option('--since <time>', 'rows at or after an ISO date/time, or within an age such as 30m, 2h, 7d')
    .option('--limit <n>', 'the latest N rows only (default 1000; --export writes every row)')
    .option('--json', 'print one JSON document {rows, count}')
    .addOption(new Option('--export <format>', 'write every matching row to stdout, one JSON object per line').choices(['jsonl']))
    .option(STATE_DATABASE_FLAG, STATE_DATABASE_HELP)
    .action(returnsExitCode((flags: AuditFlags) => auditAction(flags, io)));
}
