import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatShellCommand, locateJsonError, parseMethodAllowlist, parseSince, requiredConfirmations } from '../../src/call/index.ts';
import { isRefusalError } from '../../src/errors/refusal-error.ts';

describe('locating the first JSON syntax error in --params', () => {
  const cases: Array<[string, { line: number; column: number; problem: RegExp }]> = [
    ['{"a":}', { line: 1, column: 6, problem: /^unexpected "}"$/ }],
    ['{a: 1}', { line: 1, column: 2, problem: /expected a property name in double quotes/ }],
    ["{'a': 1}", { line: 1, column: 2, problem: /^unexpected "'", expected a property name/ }],
    ['{"a": 1,}', { line: 1, column: 9, problem: /expected a property name/ }],
    ['[1, 2,]', { line: 1, column: 7, problem: /^unexpected "]"$/ }],
    ['{"a": tru}', { line: 1, column: 10, problem: /in "true"/ }],
    ['{"a": 1}}', { line: 1, column: 9, problem: /after the end of the JSON value/ }],
    ['{\n  "a": 1\n  "b": 2\n}', { line: 3, column: 3, problem: /expected "," or "}"/ }],
    ['{"a": "x\ny"}', { line: 1, column: 9, problem: /control character U\+000A inside a string/ }],
    ['{"a": "\\q"}', { line: 1, column: 9, problem: /unknown escape "\\q"/ }],
    ['{"a": 01}', { line: 1, column: 8, problem: /expected "," or "}"/ }],
    ['{"a": 1', { line: 1, column: 8, problem: /unexpected end of input/ }],
    ['', { line: 1, column: 1, problem: /unexpected end of input/ }],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} breaks at ${expected.line}:${expected.column}`, () => {
      assert.throws(() => JSON.parse(text), 'the case is really invalid JSON');
      const location = locateJsonError(text);
      assert.ok(location);
      assert.equal(location.line, expected.line);
      assert.equal(location.column, expected.column);
      assert.match(location.problem, expected.problem);
    });
  }

  it('finds nothing wrong in valid JSON, whatever its shape', () => {
    for (const text of ['{}', ' {"a": [1, -2.5e+3, true, false, null, "\\u00e9\\n"]} ', '"x"', '0']) assert.equal(locateJsonError(text), undefined, text);
  });
});

describe('parsing flags', () => {
  it('--method-allowlist: trimmed, deduplicated, and bad patterns named', () => {
    assert.deepEqual(parseMethodAllowlist(' crm.lead.*, user.get,,CRM.LEAD.* '), ['crm.lead.*', 'user.get']);
    assert.deepEqual(parseMethodAllowlist(undefined), []);
    assert.throws(
      () => parseMethodAllowlist('crm.lead.get,crm lead'),
      (error) => isRefusalError(error) && error.code === 'ALLOWLIST_INVALID' && error.message.includes('"crm lead"'),
    );
  });

  const now = Date.parse('2025-06-10T12:00:00Z');
  const sinceCases: Array<[string, number]> = [
    ['30m', now - 30 * 60_000],
    ['2h', now - 2 * 3_600_000],
    ['7d', now - 7 * 86_400_000],
    ['1w', now - 7 * 86_400_000],
    ['2025-06-01', Date.parse('2025-06-01')],
    ['2025-06-01T08:30:00Z', Date.parse('2025-06-01T08:30:00Z')],
  ];
  for (const [text, expected] of sinceCases) {
    it(`--since ${text}`, () => assert.equal(parseSince(text, now), expected));
  }
  it('--since refuses what is neither a date nor an age', () => {
    for (const text of ['yesterday', '5 parsecs', '2025-13-45']) {
      assert.throws(
        () => parseSince(text, now),
        (error) => isRefusalError(error) && error.code === 'SINCE_INVALID',
        text,
      );
    }
  });
});

describe('the command a plan prints', () => {
  it('quotes only the arguments a shell would split or expand', () => {
    assert.equal(
      formatShellCommand(['chain', 'call', '--execute-plan', 'plan_a-B_1', '--db', '/tmp/my state.db', '--idempotency-key', "it's"]),
      `chain call --execute-plan plan_a-B_1 --db '/tmp/my state.db' --idempotency-key 'it'\\''s'`,
    );
  });

  it('names the confirmations a call needs', () => {
    const cases: Array<[string, Record<string, unknown>, string[]]> = [
      ['crm.lead.list', {}, []],
      ['crm.lead.add', {}, ['--confirm-write']],
      ['crm.lead.delete', { id: 1 }, ['--confirm-destructive']],
      ['event.offline.get', { clear: 0 }, []],
      ['event.offline.get', {}, ['--confirm-destructive']],
      ['batch', { cmd: { a: 'crm.lead.list', b: 'crm.lead.update?id=1' } }, ['--confirm-write']],
      ['batch', { cmd: ['crm.lead.add?fields[TITLE]=x', 'crm.lead.delete?id=2'] }, ['--confirm-write', '--confirm-destructive']],
    ];
    for (const [method, params, flags] of cases) assert.deepEqual(requiredConfirmations(method, params), flags, `${method} ${JSON.stringify(params)}`);
  });
});
