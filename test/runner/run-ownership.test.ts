/**
 * Run ownership through the real CLI (DESIGN.md §11, issue 9): one live owner per run. The owner is
 * frozen with SIGSTOP while the second process tries, so the request count of the emulator shows that
 * the refused process sent nothing; kills and takeovers are placed by progress lines, never by time.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { fetchStats, startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.ts';
import { listAll } from '../helpers/portal-reader.ts';
import { runCli, startCli, webhookEnv, type CliResult } from '../helpers/run-cli.ts';

function onProgress(count: number, action: (child: ChildProcess) => void): (line: string, child: ChildProcess) => void {
  let seen = 0;
  return (line, child) => {
    if (!line.includes('"type":"progress"')) return;
    seen += 1;
    if (seen === count) action(child);
  };
}

async function requestCount(emulator: EmulatorProcess): Promise<number> {
  return (await fetchStats(emulator.url)).httpRequests as number;
}

async function assertOnePerLead(emulator: EmulatorProcess, leadIds: string[]): Promise<void> {
  const contacts = await listAll(emulator.webhookUrl, 'crm.contact.list', { filter: { ORIGINATOR_ID: 'b24chain' }, select: ['ID', 'ORIGIN_ID'] });
  const deals = await listAll(emulator.webhookUrl, 'crm.deal.list', { filter: { ORIGINATOR_ID: 'b24chain' }, select: ['ID', 'ORIGIN_ID'] });
  const expected = leadIds.map((id) => `lead-${id}`).sort();
  assert.deepEqual(contacts.map((row) => row.ORIGIN_ID).sort(), expected, 'exactly one contact per lead');
  assert.deepEqual(deals.map((row) => row.ORIGIN_ID).sort(), expected, 'exactly one deal per lead');
}

function refusedInProgress(result: CliResult, pid: number): void {
  assert.equal(result.code, 2, `${result.stdout}${result.stderr}`);
  const text = `${result.stdout}${result.stderr}`;
  assert.match(text, /RUN_IN_PROGRESS/);
  assert.match(text, new RegExp(`pid ${pid} on `), 'names the live owner');
  assert.match(text, /since \d{4}-\d\d-\d\dT/, 'says since when');
  assert.match(text, new RegExp(`kill -INT ${pid}`), 'says how to stop it');
}

describe('one live owner per run (chain run / chain resume)', () => {
  let emulator: EmulatorProcess;
  let leadIds: string[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'b24chain-owner-'));
  const database = join(folder, 'state.db');

  before(async () => {
    emulator = await startEmulatorProcess(['--seed', 'empty', '--leads', '900', '--random-seed', '5', '--rate', '50', '--burst', '100', '--write-ms', '3']);
    leadIds = (await listAll(emulator.webhookUrl, 'crm.lead.list', { filter: { STATUS_ID: 'IN_PROCESS' }, select: ['ID'] })).map((row) => row.ID as string);
  });
  after(async () => emulator?.stop());

  it('refuses a second process while the owner lives, by any spelling of the path, and takes over at once after kill -9', async () => {
    assert.ok(leadIds.length >= 100, `the generator made ${leadIds.length} IN_PROCESS leads`);
    const env = webhookEnv(emulator, database);
    const linked = join(folder, 'linked-lead-to-deal.yml');
    symlinkSync(resolve('chains/core/lead-to-deal.yml'), linked);

    let frozen!: () => void;
    const frozenOwner = new Promise<void>((done) => (frozen = done));
    const owner = startCli(
      ['run', 'chains/core/lead-to-deal.yml', '--confirm-write', '--concurrency', '2', '--json'],
      env,
      onProgress(2, (child) => {
        child.kill('SIGSTOP');
        frozen();
      }),
    );
    const ownerPid = owner.child.pid as number;
    await frozenOwner;
    try {
      const before = await requestCount(emulator);
      const status = JSON.parse((await runCli(['status', '--json'], env)).stdout) as {
        runs: Array<{ runId: string; status: string; live: boolean; owner: { pid: number } }>;
      };
      const runId = status.runs[0]?.runId as string;
      assert.equal(status.runs[0]?.status, 'running');
      assert.equal(status.runs[0]?.live, true, 'chain status tells a live run');
      assert.equal(status.runs[0]?.owner.pid, ownerPid);

      refusedInProgress(await runCli(['resume', runId, '--confirm-write'], env), ownerPid);
      refusedInProgress(await runCli(['run', './chains/core/lead-to-deal.yml', '--confirm-write'], env), ownerPid);
      refusedInProgress(await runCli(['run', resolve('chains/core/lead-to-deal.yml'), '--confirm-write', '--json'], env), ownerPid);
      refusedInProgress(await runCli(['run', linked, '--confirm-write'], env), ownerPid);
      assert.equal(await requestCount(emulator), before, 'the refused processes sent no request');

      owner.child.kill('SIGKILL');
      await owner.done;
      const afterKill = JSON.parse((await runCli(['status', runId, '--json'], env)).stdout) as { status: string; live: boolean; resumeCommand: string };
      assert.equal(afterKill.status, 'interrupted', 'a run whose owner died reads interrupted');
      assert.equal(afterKill.live, false);
      assert.equal(afterKill.resumeCommand, `chain resume ${runId} --confirm-write`);

      const second = await runCli(['run', './chains/core/lead-to-deal.yml', '--confirm-write'], env);
      assert.equal(second.code, 2);
      assert.match(second.stderr, /RUN_UNFINISHED/);
      assert.match(second.stderr, new RegExp(`chain resume ${runId} --confirm-write`));

      const resumed = await runCli(['resume', runId, '--confirm-write', '--json'], env);
      assert.equal(resumed.code, 0, `${resumed.stdout}${resumed.stderr}`);
      assert.equal((JSON.parse(resumed.stdout) as { status: string }).status, 'done');
    } finally {
      owner.child.kill('SIGKILL');
    }
    await assertOnePerLead(emulator, leadIds);
  });
});

describe('two resumes of one interrupted run', () => {
  let emulator: EmulatorProcess;
  let leadIds: string[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'b24chain-owner2-'));
  const database = join(folder, 'state.db');

  before(async () => {
    emulator = await startEmulatorProcess(['--seed', 'empty', '--leads', '900', '--random-seed', '9', '--rate', '50', '--burst', '100', '--write-ms', '3']);
    leadIds = (await listAll(emulator.webhookUrl, 'crm.lead.list', { filter: { STATUS_ID: 'IN_PROCESS' }, select: ['ID'] })).map((row) => row.ID as string);
  });
  after(async () => emulator?.stop());

  it('lets one take the run; the other is refused and sends nothing; the portal holds one contact and one deal per lead', async () => {
    const env = webhookEnv(emulator, database);
    const chainCopy = join(folder, 'lead-to-deal.yml');
    copyFileSync('chains/core/lead-to-deal.yml', chainCopy);
    const first = startCli(
      ['run', chainCopy, '--confirm-write', '--concurrency', '2', '--json'],
      env,
      onProgress(1, (child) => child.kill('SIGKILL')),
    );
    await first.done;
    const runId = (JSON.parse((await runCli(['status', '--json'], env)).stdout) as { runs: Array<{ runId: string }> }).runs[0]?.runId as string;

    let frozen!: () => void;
    const frozenResume = new Promise<void>((done) => (frozen = done));
    const resumeA = startCli(
      ['resume', runId, '--confirm-write', '--concurrency', '2', '--json'],
      env,
      onProgress(1, (child) => {
        child.kill('SIGSTOP');
        frozen();
      }),
    );
    await frozenResume;
    try {
      const before = await requestCount(emulator);
      refusedInProgress(await runCli(['resume', runId, '--confirm-write', '--json'], env), resumeA.child.pid as number);
      assert.equal(await requestCount(emulator), before, 'the refused resume sent no request');
      resumeA.child.kill('SIGCONT');
      const result = await resumeA.done;
      assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
    } finally {
      resumeA.child.kill('SIGKILL');
    }
    await assertOnePerLead(emulator, leadIds);
  });
});
