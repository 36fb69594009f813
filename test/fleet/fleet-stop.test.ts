/**
 * A worker stopped with SIGINT finishes its batches in flight, and its job goes back to the queue with
 * the run interrupted; the next worker resumes that run. Two jobs of one portal never run at once: the
 * second is put back (delayed) while the portal is busy.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetServers, freshRedisPrefix } from '../helpers/fleet-env.ts';
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.ts';
import { listAll } from '../helpers/portal-reader.ts';
import { runCli } from '../helpers/run-cli.ts';
import { startWorker, writePortalsFile, type WorkerLine, type WorkerProcess } from './fleet-helpers.ts';

const CHAIN = 'chains/core/lead-to-deal.yml';

/** Each job's stretches from run-started to its end, in the order the worker printed them; none may overlap another. */
function assertNoOverlap(lines: readonly WorkerLine[]): void {
  let running: string | undefined;
  for (const line of lines) {
    if (line.type === 'run-started') {
      assert.equal(running, undefined, `${line.jobId} started while ${running} ran on the same portal`);
      running = line.jobId as string;
    }
    if ((line.type === 'job-done' || line.type === 'job-failed' || line.type === 'job-returned') && line.jobId === running) running = undefined;
  }
}

describe('fleet worker: graceful stop and one job per portal at a time', () => {
  const { redisUrl } = fleetServers();
  const directory = mkdtempSync(join(tmpdir(), 'b24chain-fleet-stop-'));
  const portalsFile = join(directory, 'portals.yml');
  const env = { B24_REDIS_URL: redisUrl, B24_REDIS_PREFIX: freshRedisPrefix('fleet-stop'), B24_DB: join(directory, 'state.db') };
  let emulator: EmulatorProcess;
  let leadIds: string[] = [];
  const workers: WorkerProcess[] = [];

  before(async () => {
    emulator = await startEmulatorProcess(['--seed', 'empty', '--leads', '3000', '--random-seed', '5', '--rate', '50', '--burst', '100', '--write-ms', '3']);
    writePortalsFile(portalsFile, { big: emulator }, { rate: 5, burst: 5 });
    leadIds = (await listAll(emulator.webhookUrl, 'crm.lead.list', { filter: { STATUS_ID: 'IN_PROCESS' }, select: ['ID'] })).map((row) => row.ID as string);
  });

  after(async () => {
    for (const worker of workers) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await emulator?.stop();
  });

  const enqueue = async (fleetId: string): Promise<string> => {
    const result = await runCli(['run', CHAIN, '--portals', 'big', '--portals-file', portalsFile, '--confirm-write', '--fleet-id', fleetId, '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    return (JSON.parse(result.stdout) as { jobs: Array<{ jobId: string }> }).jobs[0]?.jobId as string;
  };

  it('SIGINT returns the job with its run interrupted; the next worker resumes it; the portal is never worked by two jobs at once', async () => {
    assert.ok(leadIds.length >= 300, `the generator made ${leadIds.length} IN_PROCESS leads`);
    const firstJob = await enqueue('first');
    const first = startWorker(['--portals-file', portalsFile, '--concurrency', '2'], env);
    workers.push(first);
    const started = await first.waitFor((line) => line.type === 'run-started' && line.jobId === firstJob);

    const secondJob = await enqueue('second');
    const deferred = await first.waitFor((line) => line.type === 'job-deferred' && line.jobId === secondJob);
    assert.match(deferred.reason as string, /is busy with another job/);

    await first.waitFor((line) => line.type === 'progress' && line.jobId === firstJob);
    first.child.kill('SIGINT');
    const returned = await first.waitFor((line) => line.type === 'job-returned' && line.jobId === firstJob);
    assert.equal(returned.runId, started.runId);
    const stopped = await first.done;
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, /"type":"worker-stopped"/);
    assertNoOverlap(first.lines);

    const runs = JSON.parse((await runCli(['status', '--json'], env)).stdout) as {
      runs: Array<{ runId: string; status: string; items: Record<string, Record<string, number>> }>;
    };
    const interrupted = runs.runs.find((run) => run.runId === started.runId);
    assert.equal(interrupted?.status, 'interrupted', 'the run stopped after its batches in flight');
    assert.ok((interrupted?.items.convert?.done ?? 0) < leadIds.length, 'stopped mid-chain');
    const waiting = JSON.parse((await runCli(['status', '--fleet', 'first', '--json'], env)).stdout) as { portals: Array<{ state: string }> };
    assert.equal(waiting.portals[0]?.state, 'waiting', 'the job is back in the queue');

    const next = startWorker(['--portals-file', portalsFile, '--concurrency', '2'], env);
    workers.push(next);
    const resumed = await next.waitFor((line) => line.type === 'run-started' && line.runId === started.runId);
    assert.equal(resumed.resumed, true);
    for (const jobId of [firstJob, secondJob]) {
      const end = await next.waitFor((line) => (line.type === 'job-done' || line.type === 'job-failed') && line.jobId === jobId);
      assert.equal(end.type, 'job-done', JSON.stringify(end));
    }
    assertNoOverlap(next.lines);

    const contacts = await listAll(emulator.webhookUrl, 'crm.contact.list', { filter: { ORIGINATOR_ID: 'b24chain' }, select: ['ID', 'ORIGIN_ID'] });
    const deals = await listAll(emulator.webhookUrl, 'crm.deal.list', { filter: { ORIGINATOR_ID: 'b24chain' }, select: ['ID', 'ORIGIN_ID'] });
    const expected = leadIds.map((id) => `lead-${id}`).sort();
    assert.deepEqual(contacts.map((row) => row.ORIGIN_ID).sort(), expected, 'exactly one contact per lead');
    assert.deepEqual(deals.map((row) => row.ORIGIN_ID).sort(), expected, 'exactly one deal per lead');

    next.child.kill('SIGTERM');
    assert.equal((await next.done).code, 0);
  });
});
