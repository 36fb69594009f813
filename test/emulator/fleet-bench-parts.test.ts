/**
 * The parts of bench/fleet-200.ts that need no Redis or PostgreSQL: the portals file (read by the CLI
 * as a credentials file) and the measurement of each portal's rate from the emulator's statistics.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuFigures, measurePortalRate, summarisePortalRates } from '../../bench/fleet/measure-portal-rates.ts';
import { writePortalsFile } from '../../bench/fleet/write-portals-file.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { http } from '../helpers/http.ts';
import { runCli } from '../helpers/run-cli.ts';

let now = Date.parse('2026-03-02T10:00:00Z');
let emulator: RunningEmulator;
let directory: string;

before(async () => {
  emulator = await startEmulator({ portals: 3, seed: 'empty', rate: 2, burst: 4, clock: { now: () => now } });
  directory = mkdtempSync(join(tmpdir(), 'b24chain-fleet-bench-'));
});
after(async () => {
  await emulator.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('fleet benchmark parts', () => {
  it('writes a 0600 portals file whose profiles the CLI connects with, each to its own portal', async () => {
    const path = join(directory, 'portals.json');
    assert.deepEqual(writePortalsFile(path, emulator.portals, { rate: 2, burst: 4 }), ['p1', 'p2', 'p3']);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const result = await runCli(['call', 'crm.lead.add', '--params', '{"fields":{"TITLE":"via profile p3"}}', '--portal', 'p3', '--confirm-write', '--json'], {
      B24_CREDENTIALS: path,
      B24_DB: join(directory, 'state.db'),
      B24_RATE_LIMITER: 'memory',
    });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.equal((await emulator.stats('p3')).methods['crm.lead.add'], 1);
    assert.equal((await emulator.stats('p1')).httpRequests, 0);
    assert.equal((await emulator.stats('p2')).httpRequests, 0);
  });

  it("measures each portal's requests against what its bucket allowed over its window", async () => {
    const p2 = emulator.portals[1]?.webhookUrl as string;
    // p2: the burst (4) at once, then one request every 0.5 s for 5 s: the full budget.
    for (let index = 0; index < 4; index += 1) await http(`${p2}server.time`);
    for (let index = 0; index < 10; index += 1) {
      now += 500;
      await http(`${p2}server.time`);
    }
    // p1: half the budget over 5 s after its burst, and one 503 (a fifth request in the burst).
    const p1 = emulator.portals[0]?.webhookUrl as string;
    for (let index = 0; index < 5; index += 1) await http(`${p1}server.time`);
    for (let index = 0; index < 5; index += 1) {
      now += 1000;
      await http(`${p1}server.time`);
    }
    const limit = { rate: 2, burst: 4 };
    const full = measurePortalRate('p2', await emulator.stats('p2'), limit);
    assert.deepEqual(
      { requests: full.requests, seconds: full.seconds, allowed: full.allowed, share: full.share, refused503: full.refused503 },
      {
        requests: 14,
        seconds: 5,
        allowed: 14,
        share: 1,
        refused503: 0,
      },
    );
    const half = measurePortalRate('p1', await emulator.stats('p1'), limit);
    assert.equal(half.refused503, 1);
    assert.equal(half.requests, 10);
    const idle = measurePortalRate('p3', await emulator.stats('p3'), limit);
    assert.equal(idle.withinBurst, true);

    const summary = summarisePortalRates([full, half, idle]);
    assert.deepEqual(summary.portalsWith503, ['p1']);
    assert.deepEqual(summary.belowThreshold, ['p1']);
    assert.deepEqual(summary.withinBurst, ['p3']);
    assert.equal(summary.maxShare, 1);
    assert.equal(summary.requests, 10 + 14 + 1);
  });

  it('turns CPU into ms per 1,000 requests and portals one core keeps at full budget', () => {
    assert.deepEqual(cpuFigures(5_000, 10_000, 2), { cpuMsPer1000Requests: 500, portalsPerCore: 1000 });
    assert.deepEqual(cpuFigures(0, 0, 2), { cpuMsPer1000Requests: 0, portalsPerCore: 0 });
  });
});
