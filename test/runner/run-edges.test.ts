/**
 * Run-level edges, through the real CLI: a list step read only in part is not reported done, and
 * credentials that fail at the first request leave no run to resume (nor change an unfinished one).
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { generateLeads } from '../../src/emulator/seed/index.ts';
import { runCli, startCli, webhookEnv } from '../helpers/run-cli.ts';

let emulator: RunningEmulator;
let env: Record<string, string>;

before(async () => {
  emulator = await startEmulator({ seed: 'empty', rate: 1000, burst: 1000, executionMs: { write: 2 } });
});
after(async () => emulator.close());
beforeEach(async () => {
  await emulator.reset();
  env = webhookEnv(emulator, join(mkdtempSync(join(tmpdir(), 'b24chain-edges-')), 'state.db'));
});

interface RunDocument {
  runId: string | null;
  status: string;
  exitCode: number;
  steps?: Record<string, { status: string; count?: number }>;
  errors: Array<{ code: string; message: string }>;
  resumeCommand?: string;
}

interface StatusDocument {
  runId: string;
  status: string;
  cursors: Array<{ stepId: string; rows: number; finished: boolean }>;
}

describe('an interrupted list step', () => {
  it('is reported interrupted, not done, until a resume has read it to the end', async () => {
    generateLeads(emulator.portal, 600, { status: 'IN_PROCESS' });
    let interrupted = false;
    const run = startCli(['run', 'chains/core/lead-to-deal.yml', '--confirm-write', '--concurrency', '1', '--json'], env, (line, child) => {
      if (!interrupted && line.includes('"type":"progress"')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const result = await run.done;
    assert.equal(result.code, 3, result.stderr);
    const document = JSON.parse(result.stdout) as RunDocument;
    assert.equal(document.status, 'interrupted');
    assert.equal(document.steps?.leads?.status, 'interrupted', `the list step: ${JSON.stringify(document.steps)}`);
    assert.notEqual(document.steps?.convert?.status, 'done');

    const status = JSON.parse((await runCli(['status', String(document.runId), '--json'], env)).stdout) as StatusDocument;
    assert.equal(status.status, 'interrupted');
    assert.equal(status.cursors.find((cursor) => cursor.stepId === 'leads')?.finished ?? false, false, 'the cursor is not finished');

    const resumed = await runCli(['resume', String(document.runId), '--confirm-write', '--json'], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    const done = JSON.parse(resumed.stdout) as RunDocument & { outputs: { converted: number } };
    // Rows converted before the stop no longer match the filter, so the count is of rows read since.
    assert.equal(done.steps?.leads?.status, 'done');
    assert.equal(done.outputs.converted, 600);
    const finished = JSON.parse((await runCli(['status', String(document.runId), '--json'], env)).stdout) as StatusDocument;
    assert.equal(finished.cursors.find((cursor) => cursor.stepId === 'leads')?.finished, true);
  });
});

describe('credentials that fail at the first request', () => {
  const cases: Array<[string, string[], (base: Record<string, string>) => Record<string, string>]> = [
    [
      'a wrong webhook code, on a chain that writes',
      ['chains/core/lead-to-deal.yml', '--confirm-write'],
      (base) => ({ ...base, B24_WEBHOOK_CODE: 'wrongcode0000000' }),
    ],
    [
      'a wrong webhook code, on a chain that only reads',
      ['test/fixtures/chains/valid/yaml-anchors.yml'],
      (base) => ({ ...base, B24_WEBHOOK_CODE: 'wrongcode0000000' }),
    ],
    [
      'a rejected application token that cannot be refreshed',
      ['chains/core/lead-to-deal.yml', '--confirm-write'],
      (base) => ({
        B24_DOMAIN: emulator.url,
        B24_AUTH_MODE: 'oauth',
        B24_ACCESS_TOKEN: 'not-a-token',
        B24_REFRESH_TOKEN: 'not-a-refresh-token',
        B24_CLIENT_ID: emulator.app.clientId,
        B24_CLIENT_SECRET: emulator.app.clientSecret,
        B24_OAUTH_URL: emulator.app.serverEndpoint,
        B24_RATE_LIMITER: 'memory',
        B24_DB: base.B24_DB as string,
      }),
    ],
  ];
  for (const [name, args, envOf] of cases) {
    it(`${name}: exit 1, no run recorded, and the next run is not refused as unfinished`, async () => {
      generateLeads(emulator.portal, 5, { status: 'IN_PROCESS' });
      const failed = await runCli(['run', ...args, '--json'], envOf(env));
      assert.equal(failed.code, 1, failed.stderr + failed.stdout);
      const document = JSON.parse(failed.stdout) as RunDocument;
      assert.equal(document.runId, null);
      assert.equal(document.status, 'failed');
      assert.equal(document.resumeCommand, undefined, 'nothing is offered for resume');
      assert.doesNotMatch(failed.stdout + failed.stderr, /wrongcode0000000|not-a-token|not-a-refresh-token/, 'no secret in the output');
      const status = JSON.parse((await runCli(['status', '--json'], env)).stdout) as { runs: StatusDocument[] };
      assert.deepEqual(status.runs, [], 'no run in the state database');

      const next = await runCli(['run', ...args, '--json'], env);
      assert.equal(next.code, 0, next.stderr + next.stdout);
    });
  }

  it('a resume with a wrong code leaves the interrupted run as it was', async () => {
    generateLeads(emulator.portal, 600, { status: 'IN_PROCESS' });
    let interrupted = false;
    const run = startCli(['run', 'chains/core/lead-to-deal.yml', '--confirm-write', '--concurrency', '1', '--json'], env, (line, child) => {
      if (!interrupted && line.includes('"type":"progress"')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const first = JSON.parse((await run.done).stdout) as RunDocument;
    assert.equal(first.status, 'interrupted');
    const refused = await runCli(['resume', String(first.runId), '--confirm-write', '--json'], { ...env, B24_WEBHOOK_CODE: 'wrongcode0000000' });
    assert.equal(refused.code, 1, refused.stderr + refused.stdout);
    const status = JSON.parse((await runCli(['status', String(first.runId), '--json'], env)).stdout) as StatusDocument;
    assert.equal(status.status, 'interrupted', 'still interrupted, still resumable');
  });
});
