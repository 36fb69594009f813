import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseResponse, parseRetryAfter } from '../../src/protocol/parse-response.ts';
import { isBitrixApiError } from '../../src/errors/bitrix-api-error.ts';

const now = 1_700_000_000_000;
const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  parseResponse('crm.lead.get', { status, headers, bodyText: typeof body === 'string' ? body : JSON.stringify(body) }, now);

describe('parseResponse: success', () => {
  it('reads result, total, next and time (floats or integers, operating_reset_at in ms)', () => {
    const parsed = answer(200, {
      result: [{ ID: '1' }],
      total: 120,
      next: 50,
      time: { start: 1700000000, finish: 1700000000.5, operating: 3.25, operating_reset_at: 1700000600 },
    });
    assert.equal(parsed.ok, true);
    if (!parsed.ok) return;
    assert.deepEqual(parsed.result, [{ ID: '1' }]);
    assert.equal(parsed.total, 120);
    assert.equal(parsed.next, 50);
    assert.equal(parsed.time?.operating, 3.25);
    assert.equal(parsed.time?.operatingResetAtMs, 1_700_000_600_000);
  });

  it('accepts falsy results (false, 0, [], null) as success', () => {
    for (const result of [false, 0, [], null, '']) {
      const parsed = answer(200, { result });
      assert.equal(parsed.ok, true, JSON.stringify(result));
    }
  });
});

describe('parseResponse: errors are decided by code, not status', () => {
  const cases: Array<[string, number, unknown, { code: string; bitrixCode: string; category: string; retryable: boolean }]> = [
    [
      'rate limit',
      503,
      { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' },
      { code: 'QUERY_LIMIT_EXCEEDED', bitrixCode: 'QUERY_LIMIT_EXCEEDED', category: 'rate-limit', retryable: true },
    ],
    [
      'operating limit',
      429,
      { error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit.' },
      { code: 'OPERATION_TIME_LIMIT', bitrixCode: 'OPERATION_TIME_LIMIT', category: 'operating-limit', retryable: true },
    ],
    [
      'error inside HTTP 200',
      200,
      { error: 'ERROR_CORE', error_description: 'Task title is not specified<br>' },
      { code: 'ERROR_CORE', bitrixCode: 'ERROR_CORE', category: 'business', retryable: false },
    ],
    [
      'empty legacy code',
      400,
      { error: '', error_description: 'Not found' },
      { code: 'EMPTY_ERROR_CODE', bitrixCode: '', category: 'not-found', retryable: false },
    ],
    ['numeric code', 400, { error: '100', error_description: 'Required fields' }, { code: '100', bitrixCode: '100', category: 'argument', retryable: false }],
    [
      'lower-case code',
      401,
      { error: 'expired_token', error_description: 'The access token provided has expired.' },
      { code: 'expired_token', bitrixCode: 'expired_token', category: 'auth-expired', retryable: true },
    ],
    [
      'scope with its observed 401',
      401,
      { error: 'insufficient_scope', error_description: 'higher privileges' },
      { code: 'insufficient_scope', bitrixCode: 'insufficient_scope', category: 'scope', retryable: false },
    ],
    [
      'overload: never retried',
      503,
      { error: 'OVERLOAD_LIMIT', error_description: 'REST API is blocked due to overload.' },
      { code: 'OVERLOAD_LIMIT', bitrixCode: 'OVERLOAD_LIMIT', category: 'blocked', retryable: false },
    ],
    [
      'unknown method',
      404,
      { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' },
      { code: 'ERROR_METHOD_NOT_FOUND', bitrixCode: 'ERROR_METHOD_NOT_FOUND', category: 'not-found', retryable: false },
    ],
    [
      'server fault',
      500,
      { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' },
      { code: 'INTERNAL_SERVER_ERROR', bitrixCode: 'INTERNAL_SERVER_ERROR', category: 'server', retryable: true },
    ],
    [
      'HTML 502 page',
      502,
      '<html><body><h1>502 Bad Gateway</h1></body></html>',
      { code: 'HTTP_502', bitrixCode: 'HTTP_502', category: 'server', retryable: true },
    ],
    ['garbage in HTTP 200', 200, 'Maintenance', { code: 'INVALID_RESPONSE', bitrixCode: 'INVALID_RESPONSE', category: 'server', retryable: true }],
    ['HTML 404 page', 404, '<html>nope</html>', { code: 'HTTP_404', bitrixCode: 'HTTP_404', category: 'not-found', retryable: false }],
  ];
  for (const [name, status, body, expected] of cases) {
    it(name, () => {
      const parsed = answer(status, body);
      assert.equal(parsed.ok, false);
      if (parsed.ok) return;
      const { error } = parsed;
      assert.ok(isBitrixApiError(error));
      assert.deepEqual({ code: error.code, bitrixCode: error.bitrixCode, category: error.category, retryable: error.retryable }, expected);
      assert.equal(error.method, 'crm.lead.get');
      assert.equal(error.httpStatus, status);
      assert.ok(error.hint.length > 10, 'every error says what to do');
      assert.match(error.message, /^crm\.lead\.get: .+ \(.+, HTTP \d+\)\. .+/);
    });
  }

  it('keeps the argument of ERROR_ARGUMENT and strips HTML from descriptions', () => {
    const parsed = answer(400, { error: 'ERROR_ARGUMENT', error_description: 'Bad <b>value</b><br>', argument: 'HANDLER' });
    assert.ok(!parsed.ok);
    if (parsed.ok) return;
    assert.equal(parsed.error.argument, 'HANDLER');
    assert.equal(parsed.error.description, 'Bad value');
  });

  it('reads Retry-After as seconds or a date', () => {
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter(new Date(now + 5000).toUTCString(), now), 5000);
    assert.equal(parseRetryAfter('soon', now), undefined);
    const parsed = answer(503, { error: 'QUERY_LIMIT_EXCEEDED' }, { 'retry-after': '2' });
    assert.ok(!parsed.ok && parsed.error.retryAfterMs === 2000);
  });

  it('names the new address when the portal moved (302)', () => {
    const parsed = parseResponse(
      'crm.lead.get',
      { status: 302, headers: { location: 'https://new.bitrix24.com/rest/1/abcdefgh12345678/crm.lead.get' }, bodyText: '' },
      now,
    );
    assert.ok(!parsed.ok);
    if (parsed.ok) return;
    assert.match(parsed.error.message, /new\.bitrix24\.com/);
    assert.match(parsed.error.hint, /B24_DOMAIN/);
  });
});
