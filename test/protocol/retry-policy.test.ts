import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, decideRetry, defaultRetryPolicyOptions, type RetryInput } from '../../src/protocol/retry-policy.ts';
import { parseResponse } from '../../src/protocol/parse-response.ts';
import { NetworkError } from '../../src/errors/network-error.ts';
import { TimeoutError } from '../../src/errors/timeout-error.ts';

const now = 1_700_000_000_000;
function apiError(status: number, body: unknown, headers: Record<string, string> = {}) {
  const parsed = parseResponse('crm.lead.add', { status, headers, bodyText: typeof body === 'string' ? body : JSON.stringify(body) }, now);
  assert.ok(!parsed.ok);
  return parsed.error;
}
function decide(error: unknown, overrides: Partial<RetryInput> = {}) {
  return decideRetry({
    error,
    attempt: 1,
    rateLimitAttempts: 0,
    isWrite: false,
    nowMs: now,
    random: () => 0.5,
    options: defaultRetryPolicyOptions,
    ...overrides,
  });
}

const connectRefused = new NetworkError({ method: 'crm.lead.add', phase: 'connect', systemCode: 'ECONNREFUSED', detail: 'refused' });
const socketClosed = new NetworkError({ method: 'crm.lead.add', phase: 'exchange', systemCode: 'UND_ERR_SOCKET', detail: 'other side closed' });
const responseTimeout = new TimeoutError({ method: 'crm.lead.add', timeoutMs: 1000, phase: 'response' });

describe('decideRetry: writes are re-sent only when certainly not executed', () => {
  const cases: Array<[string, unknown, string, string]> = [
    // [name, error, read decision, write decision]
    ['503 QUERY_LIMIT_EXCEEDED', apiError(503, { error: 'QUERY_LIMIT_EXCEEDED' }), 'retry', 'retry'],
    ['429 OPERATION_TIME_LIMIT', apiError(429, { error: 'OPERATION_TIME_LIMIT' }), 'retry', 'retry'],
    ['connection refused', connectRefused, 'retry', 'retry'],
    ['expired token', apiError(401, { error: 'expired_token' }), 'refresh', 'refresh'],
    ['500 INTERNAL_SERVER_ERROR', apiError(500, { error: 'INTERNAL_SERVER_ERROR' }), 'retry', 'outcome-unknown'],
    ['HTML 502', apiError(502, '<html>Bad Gateway</html>'), 'retry', 'outcome-unknown'],
    ['garbage 200', apiError(200, 'Maintenance'), 'retry', 'outcome-unknown'],
    ['connection dropped', socketClosed, 'retry', 'outcome-unknown'],
    ['response timeout', responseTimeout, 'retry', 'outcome-unknown'],
    ['OVERLOAD_LIMIT', apiError(503, { error: 'OVERLOAD_LIMIT' }), 'fail', 'fail'],
    ['PORTAL_DELETED', apiError(403, { error: 'PORTAL_DELETED' }), 'fail', 'fail'],
    ['insufficient_scope', apiError(401, { error: 'insufficient_scope' }), 'fail', 'fail'],
    ['WRONG_LICENSE', apiError(403, { error: 'WRONG_LICENSE' }), 'fail', 'fail'],
    ['ERROR_METHOD_NOT_FOUND', apiError(404, { error: 'ERROR_METHOD_NOT_FOUND' }), 'fail', 'fail'],
    ['ERROR_ARGUMENT', apiError(400, { error: 'ERROR_ARGUMENT' }), 'fail', 'fail'],
    ['empty-code Not found', apiError(400, { error: '', error_description: 'Not found' }), 'fail', 'fail'],
    ['a plain Error', new Error('bug'), 'fail', 'fail'],
  ];
  for (const [name, error, read, write] of cases) {
    it(name, () => {
      assert.equal(decide(error).action, read, 'read');
      assert.equal(decide(error, { isWrite: true }).action, write, 'write');
    });
  }
});

describe('decideRetry: timing', () => {
  it('backs off exponentially with full jitter, capped', () => {
    const options = { baseDelayMs: 500, maxDelayMs: 4000 };
    assert.equal(
      backoffDelay(1, options, () => 0.999999),
      499,
    );
    assert.equal(
      backoffDelay(3, options, () => 0.999999),
      1999,
    );
    assert.equal(
      backoffDelay(10, options, () => 0.999999),
      3999,
    );
    assert.equal(
      backoffDelay(10, options, () => 0),
      0,
    );
  });

  it('honours Retry-After when it asks for longer', () => {
    const decision = decide(apiError(500, { error: 'INTERNAL_SERVER_ERROR' }, { 'retry-after': '7' }));
    assert.deepEqual(decision.action === 'retry' && decision.delayMs, 7000);
  });

  it('waits for operating_reset_at after OPERATION_TIME_LIMIT', () => {
    const decision = decide(apiError(429, { error: 'OPERATION_TIME_LIMIT' }), { operatingResetAtMs: now + 42_000 });
    assert.equal(decision.action === 'retry' && decision.delayMs, 43_000);
  });

  it('gives up on OPERATION_TIME_LIMIT when the reset is further than allowed', () => {
    const decision = decide(apiError(429, { error: 'OPERATION_TIME_LIMIT' }), { operatingResetAtMs: now + 3_600_000 });
    assert.equal(decision.action, 'fail');
  });

  it('lets the limiter pace the first retry after a 503, then adds back-off', () => {
    const error = apiError(503, { error: 'QUERY_LIMIT_EXCEEDED' });
    assert.equal(decide(error, { rateLimitAttempts: 1 }).action === 'retry' && (decide(error, { rateLimitAttempts: 1 }) as { delayMs: number }).delayMs, 0);
    const later = decide(error, { rateLimitAttempts: 3, attempt: 3 });
    assert.ok(later.action === 'retry' && later.delayMs > 0);
  });

  it('stops after the configured attempts', () => {
    assert.equal(decide(socketClosed, { attempt: defaultRetryPolicyOptions.maxAttempts }).action, 'fail');
    assert.equal(
      decide(apiError(503, { error: 'QUERY_LIMIT_EXCEEDED' }), { rateLimitAttempts: defaultRetryPolicyOptions.maxRateLimitAttempts }).action,
      'fail',
    );
  });
});
