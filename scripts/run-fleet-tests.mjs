#!/usr/bin/env node
// `npm run test:fleet`: the fleet suite (test/fleet/) against a real Redis and a real PostgreSQL.
// Uses B24_TEST_REDIS_URL / B24_TEST_DATABASE_URL when set; otherwise starts both on 127.0.0.1 in
// temporary folders (scripts/fleet-servers.mjs) and stops them afterwards. Fails when they cannot start.
// Usage: node scripts/run-fleet-tests.mjs [path-filter ...]
import { spawnSync } from 'node:child_process';
import { hasCommand, startPostgres, startRedis } from './fleet-servers.mjs';

const stops = [];
async function main() {
  let redisUrl = process.env.B24_TEST_REDIS_URL;
  let databaseUrl = process.env.B24_TEST_DATABASE_URL;
  if (!redisUrl) {
    if (!hasCommand('redis-server'))
      throw new Error('redis-server is not installed: apt-get update && apt-get install -y redis-server (or set B24_TEST_REDIS_URL)');
    const redis = await startRedis();
    stops.push(redis.stop);
    redisUrl = redis.url;
  }
  if (!databaseUrl) {
    if (!hasCommand('initdb') || !hasCommand('postgres'))
      throw new Error('PostgreSQL server binaries (initdb, postgres) are not on PATH (or set B24_TEST_DATABASE_URL)');
    const postgres = await startPostgres();
    stops.push(postgres.stop);
    databaseUrl = postgres.url;
  }
  console.log(`fleet suite: Redis ${redisUrl}, PostgreSQL ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}`);
  const result = spawnSync(process.execPath, ['scripts/run-tests.mjs', '--fleet', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, B24_TEST_REDIS_URL: redisUrl, B24_TEST_DATABASE_URL: databaseUrl },
  });
  return result.status ?? 1;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`fleet suite: ${error instanceof Error ? error.message : String(error)}`);
  console.error('0 passed, 1 failed');
} finally {
  for (const stop of stops) await stop();
}
process.exit(code);
