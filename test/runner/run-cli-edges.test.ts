/**
 * Rough edges of run/resume/status found on the issue-9 pass, each through the real CLI: a second
 * Ctrl-C says what it left; --resolve of an item that waits for no decision is refused; chain status
 * asks for a decision only where a resume cannot reconcile by natural key itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.ts';
import { binPath, runCli, startCli, webhookEnv } from '../helpers/run-cli.ts';
import { spawn } from 'node:child_process';
import { openStateDatabase } from '../../src/store/index.ts';
import { RunStore } from '../../src/store/index.ts';

describe('run and resume edges (CLI)', () => {
  let emulator: EmulatorProcess;
  const database = join(mkdtempSync(join(tmpdir(), 'b24chain-edges-')), 'state.db');

  before(async () => {
    emulator = await startEmulatorProcess(['--seed', 'empty', '--leads', '600', '--random-seed', '3', '--rate', '20', '--burst', '40', '--write-ms', '5']);
  });
  after(async () => emulator?.stop());

  it('a second Ctrl-C stops at once and says what state it left and how to resume', async () => {
    const env = webhookEnv(emulator, database);
    let signalled = false;
    const run = startCli(['run', 'chains/core/lead-to-deal.yml', '--confirm-write', '--concurrency', '2', '--json'], env, (line, child) => {
      if (line.includes('"type":"stopping"')) child.kill('SIGINT');
      if (signalled || !line.includes('"type":"progress"')) return;
      signalled = true;
      child.kill('SIGINT');
    });
    const result = await run.done;
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /stopped at once \(second Ctrl-C\): run run_\w+ is interrupted/);
    assert.match(result.stderr, /chain resume run_\w+ --confirm-write/);

    const status = JSON.parse((await runCli(['status', '--json'], env)).stdout) as { runs: Array<{ runId: string; status: string }> };
    assert.equal(status.runs[0]?.status, 'interrupted');
    const runId = status.runs[0]?.runId as string;

    const refused = await runCli(['resume', runId, '--confirm-write', '--resolve', 'no-such-item=sent'], env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--resolve no-such-item: run run_\w+ has no write of unknown outcome for this item \(RESOLVE_UNKNOWN_ITEM\)/);
  });
});

describe('chain status and unknown outcomes', () => {
  it('lists writes a resume reconciles by natural key apart from those that need --resolve', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'b24chain-status-'));
    const path = join(folder, 'state.db');
    const db = openStateDatabase(path);
    const store = new RunStore(db);
    const run = store.createRun({
      portal: 'https://portal.example',
      chainName: 'mixed',
      chainPath: resolve('chains/core/lead-to-deal.yml'),
      chainSha256: 'x',
      inputs: {},
      planId: null,
      resumeFlags: ['--confirm-write'],
    });
    store.record(
      run.id,
      [
        {
          stepId: 'convert',
          itemKey: '17',
          subStepId: 'contact',
          status: 'sent',
          method: 'crm.contact.add',
          params: { fields: { ORIGINATOR_ID: 'b24chain', ORIGIN_ID: 'lead-17' } },
        },
        { stepId: 'convert', itemKey: '18', subStepId: 'notify', status: 'sent', method: 'im.notify.system.add', params: { USER_ID: 1, MESSAGE: 'hi' } },
      ],
      [],
    );
    store.setStatus(run.id, 'interrupted');
    db.close();

    const json = await runCli(['status', run.id, '--json', '--db', path]);
    assert.equal(json.code, 0, json.stderr);
    const detail = JSON.parse(json.stdout) as {
      unknownOutcomes: Array<{ itemKey: string }>;
      reconciledOnResume: Array<{ itemKey: string }>;
      resumeCommand: string;
    };
    assert.deepEqual(
      detail.unknownOutcomes.map((entry) => entry.itemKey),
      ['18'],
    );
    assert.deepEqual(
      detail.reconciledOnResume.map((entry) => entry.itemKey),
      ['17'],
    );
    assert.equal(detail.resumeCommand, `chain resume ${run.id} --confirm-write`);

    const human = await runCli(['status', run.id, '--db', path]);
    assert.match(human.stdout, /1 write\(s\) sent without an answer: resume looks them up by their natural key/);
    assert.match(human.stdout, /needs a decision: item 18 /);
    assert.doesNotMatch(human.stdout, /item 17/);
  });
});

function runStatusAsUnprivileged(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const root = process.getuid?.() === 0;
  const child = spawn(process.execPath, [binPath, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: tmpdir() },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(root ? { uid: 65534, gid: 65534 } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.once('close', (code) => done({ code, stdout, stderr })));
}

describe('chain status on a read-only state database', () => {
  it('reads a state database whose file and folder cannot be written, and creates none where there is none', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'b24chain-ro-'));
    const path = join(folder, 'state.db');
    const db = openStateDatabase(path);
    const store = new RunStore(db);
    const run = store.createRun({
      portal: 'https://portal.example',
      chainName: 'ro',
      chainPath: resolve('chains/core/lead-intake.yml'),
      chainSha256: 'x',
      inputs: {},
      planId: null,
    });
    store.setStatus(run.id, 'interrupted');
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    chmodSync(path, 0o444);
    chmodSync(folder, 0o555);
    const before = readFileSync(path);
    try {
      // Root ignores file modes, so as root the status command runs as `nobody`, to whom they apply.
      const result = await runStatusAsUnprivileged(['status', '--json', '--db', path]);
      assert.deepEqual(readdirSync(folder), ['state.db'], 'no -wal or -shm file was created');
      assert.ok(readFileSync(path).equals(before), 'the database file is unchanged');
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(
        (JSON.parse(result.stdout) as { runs: Array<{ runId: string; status: string }> }).runs.map((entry) => [entry.runId, entry.status]),
        [[run.id, 'interrupted']],
      );
    } finally {
      chmodSync(folder, 0o755);
    }
    const missing = join(folder, 'none', 'state.db');
    const empty = await runCli(['status', '--db', missing]);
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stdout, /No runs yet/);
    assert.equal(existsSync(missing), false, 'status created no database');
  });
});
