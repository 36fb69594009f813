/** The fleet suite's servers answer on 127.0.0.1: a real Redis and a real PostgreSQL. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import pg from 'pg';
import { fleetServers, freshDatabaseUrl } from '../helpers/fleet-env.ts';

describe('fleet servers', () => {
  it('Redis answers PING on loopback', async () => {
    const { redisUrl } = fleetServers();
    assert.match(redisUrl, /^redis:\/\/127\.0\.0\.1:\d+/);
    const redis = new Redis(redisUrl);
    try {
      assert.equal(await redis.ping(), 'PONG');
    } finally {
      redis.disconnect();
    }
  });

  it('PostgreSQL 15 gives each test file a database of its own', async () => {
    const url = await freshDatabaseUrl('servers');
    assert.match(url, /127\.0\.0\.1/);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
      assert.match(rows[0]?.server_version ?? '', /^15\./);
    } finally {
      await client.end();
    }
  });
});
