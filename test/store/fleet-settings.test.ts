/**
 * The fleet's settings of the state store, without a server: which database a command uses (--db >
 * B24_DATABASE_URL > B24_DB > default), how a URL is printed, and the lease timing of B24_LEASE_STALE_MS.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRefusalError } from '../../src/errors/index.ts';
import { defaultStatePath, isPostgresUrl, leaseStaleAfterMs, redactDatabaseUrl, resolveStatePath } from '../../src/store/index.ts';
import { leaseHeartbeatMs } from '../../src/store/lease-liveness.ts';

const url = 'postgres://fleet:s3cret@db.internal:5432/b24';

describe('which state database', () => {
  const cases: Array<[string, Parameters<typeof resolveStatePath>[0], string]> = [
    ['nothing set: the default file', {}, defaultStatePath],
    ['B24_DB alone', { env: '/var/lib/b24/state.db' }, '/var/lib/b24/state.db'],
    ['B24_DATABASE_URL wins over B24_DB', { env: '/var/lib/b24/state.db', databaseUrl: url }, url],
    ['--db wins over both', { flag: './mine.db', env: '/var/lib/b24/state.db', databaseUrl: url }, './mine.db'],
    ['--db may be a URL', { flag: url }, url],
    ['empty values count as unset', { flag: ' ', databaseUrl: '', env: '/x.db' }, '/x.db'],
  ];
  for (const [title, sources, expected] of cases) {
    it(title, () => assert.equal(resolveStatePath(sources), expected));
  }

  it('postgres:// and postgresql:// are URLs, a file is not; a URL prints without its password', () => {
    assert.equal(isPostgresUrl(url), true);
    assert.equal(isPostgresUrl('postgresql://h/db'), true);
    assert.equal(isPostgresUrl('./postgres.db'), false);
    assert.equal(redactDatabaseUrl(url), 'postgres://fleet:***@db.internal:5432/b24');
    assert.equal(redactDatabaseUrl('postgres://h/db'), 'postgres://h/db');
  });
});

describe('lease timing', () => {
  it('B24_LEASE_STALE_MS sets the stale bound (default 30 s); heartbeats come every third of it, at most every 5 s', () => {
    assert.equal(leaseStaleAfterMs({}), 30_000);
    assert.equal(leaseHeartbeatMs({}), 5_000);
    assert.equal(leaseStaleAfterMs({ B24_LEASE_STALE_MS: '3000' }), 3_000);
    assert.equal(leaseHeartbeatMs({ B24_LEASE_STALE_MS: '3000' }), 1_000);
  });

  for (const bad of ['abc', '500', '1.5e3x', '-1']) {
    it(`refuses B24_LEASE_STALE_MS=${bad}, naming the value`, () => {
      assert.throws(
        () => leaseStaleAfterMs({ B24_LEASE_STALE_MS: bad }),
        (error) => isRefusalError(error) && error.code === 'LEASE_STALE_INVALID' && error.message.includes(`"${bad}"`),
      );
    });
  }
});
