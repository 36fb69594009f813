/**
 * One limiter per host: two `chain run` processes with different state folders (`--db`) but the same
 * user share one budget per portal through the per-user SQLite limiter store, so together they never
 * exceed the portal's bucket (no 503 in the emulator's statistics).
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchStats, startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.ts';
import { runCli } from '../helpers/run-cli.ts';

const WRITES = 12;
let emulator: EmulatorProcess;
let chainFile: string;
let home: string;

before(async () => {
  // A slow drain (2/s) and a small bucket (10): two processes on private budgets would each send 9 at once.
  emulator = await startEmulatorProcess(['--seed', 'empty', '--rate', '2', '--burst', '10']);
  chainFile = join(mkdtempSync(join(tmpdir(), 'b24chain-limiter-chain-')), 'writes.yml');
  const steps = Array.from(
    { length: WRITES },
    (_, index) => `  - id: lead${index}\n    call: crm.lead.add\n    params: { fields: { TITLE: "Lead ${index}" } }\n`,
  ).join('');
  writeFileSync(chainFile, `version: 1\nname: many-writes\nsteps:\n${steps}`);
});
after(async () => emulator.stop());
beforeEach(async () => {
  await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' });
  home = mkdtempSync(join(tmpdir(), 'b24chain-limiter-home-'));
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOME: home,
    B24_DOMAIN: emulator.url,
    B24_AUTH_MODE: 'webhook',
    B24_WEBHOOK_USER_ID: String(emulator.userId),
    B24_WEBHOOK_CODE: emulator.code,
    B24_RATE_LIMITER_RATE: '2',
    B24_RATE_LIMITER_BURST: '10',
    ...extra,
  };
}

const stateDatabase = (): string => join(mkdtempSync(join(tmpdir(), 'b24chain-limiter-state-')), 'state.db');

describe('one limiter per host', () => {
  it('two runs with different --db folders share one budget: no 503 between them', async () => {
    const results = await Promise.all([
      runCli(['run', chainFile, '--confirm-write', '--db', stateDatabase(), '--json'], env()),
      runCli(['run', chainFile, '--confirm-write', '--db', stateDatabase(), '--json'], env()),
    ]);
    for (const result of results) assert.equal(result.code, 0, result.stderr + result.stdout);
    const stats = (await fetchStats(emulator.url)) as { httpRequests: number; statuses: Record<string, number>; methods: Record<string, number> };
    assert.equal(stats.statuses['503'], undefined, `503s: ${JSON.stringify(stats.statuses)}`);
    assert.equal(stats.methods['crm.lead.add'], 2 * WRITES);
    const limiter = join(home, '.local', 'state', 'b24chain', 'limiter.db');
    assert.equal(statSync(limiter).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, '.local', 'state', 'b24chain')).mode & 0o777, 0o700);
  });

  it('B24_LIMITER_DB puts the shared store elsewhere; nothing is written beside the state database', async () => {
    const limiter = join(mkdtempSync(join(tmpdir(), 'b24chain-limiter-file-')), 'budget.db');
    const database = stateDatabase();
    const result = await runCli(
      ['call', 'crm.lead.add', '--params', '{"fields":{"TITLE":"One"}}', '--confirm-write', '--db', database],
      env({ B24_LIMITER_DB: limiter }),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(statSync(limiter).mode & 0o777, 0o600);
    assert.ok(!existsSync(join(database, '..', 'limiter.db')), 'no limiter beside the state database');
    assert.ok(!existsSync(join(home, '.local', 'state', 'b24chain', 'limiter.db')), 'nor in the home folder');
  });
});
