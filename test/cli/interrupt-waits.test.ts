/**
 * Ctrl-C during a limiter pause (the rate limit, or a method's operating-time pause) stops the run at
 * once (exit 3, resumable) instead of waiting the pause out; and "limiter waited" is wall time, not the
 * sum of the concurrent batches' waits.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { generateLeads } from '../../src/emulator/seed/index.ts';
import { runCli, startCli, webhookEnv, type CliResult } from '../helpers/run-cli.ts';

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** Runs the CLI, sends SIGINT at the first stderr line that says the run waits; returns the result and the time from signal to exit. */
async function interruptWhenWaiting(args: string[], env: Record<string, string>): Promise<{ result: CliResult; waitingLine: string; stoppedInMs: number }> {
  let signalledAt = 0;
  let waitingLine = '';
  const { done } = startCli(args, env, (line, child) => {
    if (signalledAt === 0 && /waiting for the limiter/.test(line)) {
      waitingLine = line;
      signalledAt = performance.now();
      child.kill('SIGINT');
    }
  });
  const result = await done;
  assert.ok(signalledAt > 0, `the run never said it was waiting:\n${result.stderr}`);
  return { result, waitingLine, stoppedInMs: performance.now() - signalledAt };
}

function secondsLeft(line: string): number {
  return Number(/\((\d+) s left\)/.exec(line)?.[1] ?? 0);
}

describe('Ctrl-C during a limiter pause', () => {
  it('a rate-limit pause: stops within seconds (exit 3), resumable, and the pending writes were not sent', async () => {
    emulator = await startEmulator({ seed: 'empty', rate: 1000, burst: 1000 });
    generateLeads(emulator.portal, 40, { status: 'IN_PROCESS' });
    const directory = mkdtempSync(join(tmpdir(), 'b24chain-interrupt-'));
    // The client's own limiter: 2 requests of burst, then one every 20 s.
    const env = { ...webhookEnv(emulator, join(directory, 'state.db')), B24_RATE_LIMITER_RATE: '0.05', B24_RATE_LIMITER_BURST: '2' };
    const { result, waitingLine, stoppedInMs } = await interruptWhenWaiting(['run', 'chains/core/lead-to-deal.yml', '--confirm-write'], env);
    assert.ok(secondsLeft(waitingLine) >= 10, `the pause should be long: ${waitingLine}`);
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.ok(stoppedInMs < 5_000, `took ${Math.round(stoppedInMs)} ms from SIGINT to exit`);
    assert.match(result.stdout, /^Run (run_\S+) of lead-to-deal: interrupted/m);
    assert.match(result.stdout, /resume with: chain resume run_/);
    const requestsBefore = (await emulator.stats()).httpRequests;
    const runId = /^Run (run_\S+) /m.exec(result.stdout)?.[1] as string;
    const status = JSON.parse((await runCli(['status', runId, '--json'], env)).stdout) as { status: string; unknownOutcomes: unknown[] };
    assert.equal(status.status, 'interrupted');
    assert.deepEqual(status.unknownOutcomes, [], 'a write abandoned in the limiter was never sent: nothing to reconcile');
    assert.equal((await emulator.stats()).httpRequests, requestsBefore, 'status sends nothing');
  });

  it('an operating-time pause (429 OPERATION_TIME_LIMIT): stops within seconds (exit 3)', async () => {
    emulator = await startEmulator({ seed: 'demo', rate: 1000, burst: 1000, operatingLimitSeconds: 0.1, executionMs: { read: 150 } });
    const directory = mkdtempSync(join(tmpdir(), 'b24chain-interrupt-'));
    const chainFile = join(directory, 'who-am-i.yml');
    writeFileSync(
      chainFile,
      'version: 1\nname: who-am-i\npacks: [core]\nsteps:\n  - id: first\n    call: user.current\n  - id: second\n    call: user.current\n',
    );
    const env = webhookEnv(emulator, join(directory, 'state.db'));
    const { result, waitingLine, stoppedInMs } = await interruptWhenWaiting(['run', chainFile], env);
    assert.ok(secondsLeft(waitingLine) >= 10, `the pause should be long: ${waitingLine}`);
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.ok(stoppedInMs < 5_000, `took ${Math.round(stoppedInMs)} ms from SIGINT to exit`);
    assert.match(result.stdout, /: interrupted/);
    assert.equal((await emulator.stats()).refusals?.OPERATION_TIME_LIMIT, 1, "the pause came from the portal's 429");
  });
});

describe('"limiter waited" is wall time', () => {
  it("concurrent batches waiting at once are counted once, so it never exceeds the run's duration", async () => {
    emulator = await startEmulator({ seed: 'empty', rate: 1000, burst: 1000 });
    generateLeads(emulator.portal, 64, { status: 'IN_PROCESS' });
    const directory = mkdtempSync(join(tmpdir(), 'b24chain-waited-'));
    const env = { ...webhookEnv(emulator, join(directory, 'state.db')), B24_RATE_LIMITER_RATE: '4', B24_RATE_LIMITER_BURST: '3' };
    const result = await runCli(['run', 'chains/core/lead-to-deal.yml', '--confirm-write', '--concurrency', '4', '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    const document = JSON.parse(result.stdout) as { durationMs: number; counts: { limiterWaitMs: number; requests: number } };
    assert.ok(document.counts.limiterWaitMs > 0, 'the run waited on the limiter');
    assert.ok(document.counts.limiterWaitMs <= document.durationMs, `waited ${document.counts.limiterWaitMs} ms in a run of ${document.durationMs} ms`);
  });
});
