/**
 * `secret: true` inputs, through the real CLI: the value is used, but the run keeps a digest of it, not
 * the value, and nothing prints it (`chain status` included); a resume reads it again from
 * B24_INPUT_<NAME>, and is refused before any request without it (SECRET_INPUT_REQUIRED) or with another
 * value (MISMATCH). (Parameters a chain writes to the portal are checkpointed as sent, this one's too.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maskSecretInputs, restoreSecretInputs, secretInputVariable, validateChainFile } from '../../src/chain/index.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { generateLeads } from '../../src/emulator/seed/index.ts';
import { openStateDatabase } from '../../src/store/index.ts';
import { runCli, startCli, webhookEnv } from '../helpers/run-cli.ts';
import { listAll } from '../helpers/portal-reader.ts';

const CHAIN = 'test/fixtures/chains/runner/secret-input.yml';
const SECRET = 'sk-live-7f3a9c2e51d84b06';
let emulator: RunningEmulator;

before(async () => {
  emulator = await startEmulator({ seed: 'empty', rate: 1000, burst: 1000, executionMs: { write: 2 } });
});
after(async () => emulator.close());

describe('secret inputs: the pure part', () => {
  it('masks to a digest, restores from B24_INPUT_<NAME>, refuses a missing or different value', async () => {
    const report = await validateChainFile(CHAIN);
    assert.ok(report.chain, JSON.stringify(report.problems));
    const chain = report.chain;
    const masked = maskSecretInputs(chain, { apiKey: SECRET, status: 'NEW' });
    assert.equal(masked.status, 'NEW');
    assert.doesNotMatch(JSON.stringify(masked), new RegExp(SECRET));
    assert.match(JSON.stringify(masked.apiKey), /^\{"\$secret":"sha256:[0-9a-f]{32}"\}$/);
    assert.equal(secretInputVariable('apiKey'), 'B24_INPUT_API_KEY');
    assert.deepEqual(restoreSecretInputs(chain, masked, { B24_INPUT_API_KEY: SECRET }), { apiKey: SECRET, status: 'NEW' });
    assert.throws(() => restoreSecretInputs(chain, masked, {}), /set B24_INPUT_API_KEY .*\(SECRET_INPUT_REQUIRED\)/);
    assert.throws(() => restoreSecretInputs(chain, masked, { B24_INPUT_API_KEY: 'other' }), /\(SECRET_INPUT_MISMATCH\)/);
  });
});

describe('secret inputs through chain run and chain resume', () => {
  it('uses the value, stores and prints only a digest, and a resume needs it again', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'b24chain-secret-'));
    const env = webhookEnv(emulator, join(folder, 'state.db'));
    generateLeads(emulator.portal, 400, { status: 'IN_PROCESS' });
    let interrupted = false;
    const run = startCli(['run', CHAIN, '--input', `apiKey=${SECRET}`, '--confirm-write', '--concurrency', '1', '--json'], env, (line, child) => {
      if (!interrupted && line.includes('"type":"progress"')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const first = await run.done;
    assert.equal(first.code, 3, first.stderr);
    const runId = (JSON.parse(first.stdout) as { runId: string }).runId;
    assert.doesNotMatch(first.stdout + first.stderr, new RegExp(SECRET), 'not printed');
    const state = openStateDatabase(join(folder, 'state.db'), { readOnly: true });
    try {
      const stored = state.prepare('SELECT inputs_json FROM runs WHERE id = ?').pluck().get(runId) as string;
      assert.doesNotMatch(stored, new RegExp(SECRET), 'the run keeps a digest, not the value');
      assert.match(stored, /"apiKey":\{"\$secret":"sha256:[0-9a-f]{32}"\}/);
    } finally {
      state.close();
    }
    const status = await runCli(['status', runId, '--json'], env);
    assert.doesNotMatch(status.stdout, new RegExp(SECRET));
    assert.match(status.stdout, /"\$secret":"sha256:/);

    const before = (await emulator.stats()).httpRequests;
    const missing = await runCli(['resume', runId, '--confirm-write', '--json'], env);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stdout, /SECRET_INPUT_REQUIRED/);
    const wrong = await runCli(['resume', runId, '--confirm-write', '--json'], { ...env, B24_INPUT_API_KEY: 'sk-live-someone-else' });
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(wrong.stdout, /SECRET_INPUT_MISMATCH/);
    assert.doesNotMatch(wrong.stdout + wrong.stderr, /sk-live-someone-else/);
    assert.equal((await emulator.stats()).httpRequests, before, 'refused before any request');

    const resumed = await runCli(['resume', runId, '--confirm-write', '--json'], { ...env, B24_INPUT_API_KEY: SECRET });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.doesNotMatch(resumed.stdout + resumed.stderr, new RegExp(SECRET));
    const contacts = await listAll(emulator.webhookUrl, 'crm.contact.list', { filter: { ORIGINATOR_ID: 'b24chain' }, select: ['ID', 'COMMENTS'] });
    assert.equal(contacts.length, 400, 'one contact per lead');
    assert.ok(
      contacts.every((contact) => contact.COMMENTS === SECRET),
      'the value reached the portal, before and after the resume',
    );
  });
});
