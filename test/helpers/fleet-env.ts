/**
 * The fleet suite's servers (test/fleet/): `npm run test:fleet` starts a real Redis and PostgreSQL and
 * passes their URLs as B24_TEST_REDIS_URL and B24_TEST_DATABASE_URL. Each test file takes a database
 * of its own (`freshDatabaseUrl`) and a key prefix of its own in Redis (`freshRedisPrefix`).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface FleetServers {
  redisUrl: string;
  databaseUrl: string;
}

/** The servers, or throws saying how to get them (the fleet suite runs only under `npm run test:fleet`). */
export function fleetServers(): FleetServers {
  const redisUrl = process.env.B24_TEST_REDIS_URL;
  const databaseUrl = process.env.B24_TEST_DATABASE_URL;
  if (!redisUrl || !databaseUrl) throw new Error('the fleet suite needs B24_TEST_REDIS_URL and B24_TEST_DATABASE_URL: run it with `npm run test:fleet`');
  return { redisUrl, databaseUrl };
}

/** A new, empty PostgreSQL database on the fleet server; its URL. */
export async function freshDatabaseUrl(label = 'test'): Promise<string> {
  const { databaseUrl } = fleetServers();
  const name = `b24_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A key prefix no other test uses, for Redis. */
export function freshRedisPrefix(label = 'test'): string {
  return `b24test:${label}:${randomBytes(4).toString('hex')}:`;
}
