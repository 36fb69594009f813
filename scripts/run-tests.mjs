#!/usr/bin/env node
// Finds every test/**/*.test.ts and runs them with node's own test runner (tsx loads TypeScript).
// The tests spawn bin/chain.js, which runs the build: dist/ is brought up to date first (an incremental
// tsc, a few seconds when nothing changed). Usage: node scripts/run-tests.mjs [path-filter ...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function findTests(directory) {
  const found = [];
  for (const entry of readdirSync(directory)) {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (entry.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

// test/fleet/ needs a real Redis and PostgreSQL: `--fleet` (what `npm run test:fleet` passes, after
// starting both) runs only that suite; without it the suite is left out, saying so in one line.
const args = process.argv.slice(2);
const fleet = args.includes('--fleet');
const filters = args.filter((arg) => arg !== '--fleet');
const isFleet = (file) => file.split(/[\\/]/).includes('fleet');
const files = findTests('test')
  .filter((file) => isFleet(file) === fleet)
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (!fleet && findTests('test').some(isFleet)) {
  console.log('fleet suite (test/fleet/) skipped: it needs Redis and PostgreSQL; run it with `npm run test:fleet`, which starts both on 127.0.0.1.');
}
if (files.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}
const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.error('The build (tsc -p tsconfig.build.json) failed: the tests would run an old dist/.');
  process.exit(build.status ?? 1);
}
// No --test-force-exit: every suite closes its servers and clients, so a test file that leaks a handle
// would keep its process alive. The per-test timeout and this overall bound turn such a leak into a
// failure instead of a CI job that never ends.
const OVERALL_TIMEOUT_MS = 45 * 60_000;
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-timeout=180000', ...files], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test' },
  timeout: OVERALL_TIMEOUT_MS,
  killSignal: 'SIGKILL',
});
if (result.error || result.signal) {
  console.error(
    `The test run did not finish within ${OVERALL_TIMEOUT_MS / 60_000} minutes (${result.signal ?? result.error?.message}): a test file leaks a handle or hangs.`,
  );
  console.error('0 passed, 1 failed');
  process.exit(1);
}
process.exit(result.status ?? 1);
