/**
 * The error-code catalogue (src/errors/error-codes.ts) is complete and is what the README shows, and
 * `exitCodeOf` gives every error the exit code the catalogue and DESIGN.md §1 promise.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatErrorCodeTable, readmeErrorCodeTable } from '../../scripts/error-code-table.ts';
import {
  AuthError,
  BatchCommandError,
  BitrixApiError,
  ChainFileError,
  ChainValidationError,
  ConnectionConfigError,
  ERROR_CATALOGUE,
  exitCodeOf,
  InterruptedError,
  InvalidRequestError,
  RefusalError,
  StateDatabaseError,
  B24ChainError,
} from '../../src/errors/index.ts';
import { ERROR_CODES as PORTAL_ERROR_CODES } from '../../src/protocol/error-codes.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Where b24chain speaks for itself: not the emulator (it speaks as the portal) and not the two code tables. */
const scanned = sourceFiles(join(root, 'src'))
  .map((path) => relative(root, path))
  .filter((path) => !path.startsWith('src/emulator/') && path !== 'src/errors/error-codes.ts' && path !== 'src/protocol/error-codes.ts');

/**
 * Upper-case literals in src/ that are not error codes: settings, Node's and TLS's error codes the client
 * recognises, and Bitrix24 field names. Anything else of that shape is taken for an error code.
 */
function isNotAnErrorCode(literal: string): boolean {
  return (
    /^(B24|XDG)_/.test(literal) ||
    /^(E[A-Z]+|ERR_[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(literal) ||
    /^SQLITE_[A-Z_]+$/.test(literal) || // SQLite's result codes, matched on errors from better-sqlite3
    /CERT|_VERIFY_|SSL/.test(literal) ||
    /^[SDTU]\d{4}$/.test(literal) || // JSONata's own error codes
    ['EAI_AGAIN', 'CLIENT_ID', 'MEMBER_ID', 'DATE_MODIFY', 'LAST_UPDATED'].includes(literal)
  );
}

interface Use {
  code: string;
  file: string;
  line: number;
}

/** Every `code: 'X'` literal, and every quoted UPPER_SNAKE literal (a code passed to a helper such as `refuse(plan, 'PLAN_REJECTED', ...)`). */
function codesUsed(): Use[] {
  const uses: Use[] = [];
  for (const file of scanned) {
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .forEach((text, index) => {
        const found = [...text.matchAll(/\bcode\s*(?::|=|\?\?|\|\|)\s*'([A-Z][A-Z0-9_]*)'/g), ...text.matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)];
        for (const match of found) uses.push({ code: match[1] as string, file, line: index + 1 });
      });
  }
  return uses.filter((use) => !isNotAnErrorCode(use.code));
}

describe('the error-code catalogue', () => {
  it('holds every code src/ uses (or the code is a portal code from src/protocol/error-codes.ts)', () => {
    const uses = codesUsed();
    assert.ok(uses.length > 150, `the scan found only ${uses.length} uses: it no longer sees the codes`);
    const missing = uses.filter((use) => !Object.hasOwn(ERROR_CATALOGUE, use.code) && !Object.hasOwn(PORTAL_ERROR_CODES, use.code));
    assert.deepEqual(
      missing.map((use) => `${use.file}:${use.line} ${use.code}`),
      [],
      'add these codes to src/errors/error-codes.ts, then npm run docs:error-codes (a literal that is no error code, such as a field name: add it to isNotAnErrorCode here)',
    );
  });

  it('has no entry that src/ does not use', () => {
    const used = new Set(codesUsed().map((use) => use.code));
    assert.deepEqual(
      Object.keys(ERROR_CATALOGUE).filter((code) => !used.has(code)),
      [],
    );
  });

  it('says what happened and what to do for every code, as full sentences', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      assert.match(entry.meaning, /^\S.*\.$/, `${code}: meaning`);
      assert.match(entry.action, /^\S.*[.)]$/, `${code}: what to do`);
    }
  });

  it('is the README table, exactly', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const table = readmeErrorCodeTable(readme);
    assert.ok(table !== undefined, 'README.md has no error-code table markers');
    assert.equal(table, formatErrorCodeTable(), 'the README table is stale: npm run docs:error-codes');
  });
});

describe('exitCodeOf', () => {
  const cases: Array<[string, unknown, 1 | 2]> = [
    ['a refusal', new RefusalError('plan p: expired (PLAN_EXPIRED).', { code: 'PLAN_EXPIRED' }), 2],
    ['bad connection settings', new ConnectionConfigError({ setting: 'B24_DOMAIN', code: 'MISSING_SETTING', detail: 'is not set', hint: 'Set it.' }), 2],
    ['a request refused before sending', new InvalidRequestError({ method: 'crm.lead.get', code: 'INVALID_METHOD_NAME', detail: 'no', hint: 'Fix it.' }), 2],
    [
      'an invalid chain',
      new ChainValidationError('a.yml', [new ChainFileError({ file: 'a.yml', line: 1, column: 1, pointer: '', code: 'YAML_SYNTAX', detail: 'bad', hint: '' })]),
      2,
    ],
    [
      'a state database that is too new',
      new StateDatabaseError('db: too new (STATE_DB_TOO_NEW).', { code: 'STATE_DB_TOO_NEW', path: 'db', hint: 'Upgrade.' }),
      2,
    ],
    ['a failed migration', new StateDatabaseError('db: failed (STATE_DB_MIGRATION).', { code: 'STATE_DB_MIGRATION', path: 'db', hint: 'Report it.' }), 1],
    [
      'an expression that fails on real data',
      new ChainFileError({ file: 'a.yml', line: 3, column: 5, pointer: '/steps/0', code: 'EXPRESSION_EVALUATION', detail: 'bad', hint: '' }),
      1,
    ],
    [
      'an access token that cannot be renewed',
      new AuthError({ code: 'REFRESH_NOT_POSSIBLE', message: 'oauth: expired (REFRESH_NOT_POSSIBLE).', hint: 'Set the tokens.' }),
      1,
    ],
    ['a stop while waiting on the limiter', new InterruptedError({ key: 'portal', waitingFor: 'rate' }), 1],
    ['a b24chain error with an uncatalogued code', new B24ChainError('x (SOMETHING_ELSE).', { code: 'SOMETHING_ELSE' }), 1],
    ['a thrown non-b24chain error', new TypeError('boom'), 1],
    [
      'a portal error whose code b24chain also uses for a refusal',
      new BitrixApiError({
        method: 'event.offline.get',
        httpStatus: 403,
        bitrixCode: 'ACCESS_DENIED',
        description: 'denied',
        category: 'access',
        retryable: false,
        hint: '',
      }),
      1,
    ],
    [
      'a failed batch command',
      new BatchCommandError({
        command: 'c1',
        method: 'crm.lead.add',
        bitrixCode: 'PLAN_EXPIRED',
        description: 'x',
        category: 'business',
        hint: '',
        retryable: false,
      }),
      1,
    ],
  ];
  for (const [name, error, expected] of cases) {
    it(`${name}: exit ${expected}`, () => {
      assert.equal(exitCodeOf(error), expected);
    });
  }

  it('gives a b24chain error the exit code its code has in the catalogue (1 for codes that never end a command)', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      assert.equal(exitCodeOf(new B24ChainError(`x (${code}).`, { code })), entry.exitCode ?? 1, code);
    }
  });
});
