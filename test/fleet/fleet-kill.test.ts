/**
 * `kill -9` of the worker process running a fleet job in the middle of lead-to-deal, on "host A": the
 * worker on "host B" (its own HOME and B24_HOST_ID, no file shared with A: the run's checkpoints and
 * leases are in PostgreSQL, the queue in Redis) takes the job over once BullMQ finds its lock expired
 * (B24_FLEET_LOCK_MS, default 10 s; stalled checks every 5 s) and A's run lease is stale
 * (B24_LEASE_STALE_MS), resumes the same run from its checkpoints, and the portal ends with exactly one
 * contact and one deal per lead. The kill is placed by progress lines, not by the clock.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { fleetServers, freshDatabaseUrl, freshRedisPrefix } from '../helpers/fleet-env.ts';
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.ts';
import { listAll } from '../helpers/portal-reader.ts';
import { runCli } from '../helpers/run-cli.ts';
import { startWorker, writePortalsFile, type WorkerProcess } from './fleet-helpers.ts';

describe('a fleet job survives kill -9 of its worker', () => {
  const { redisUrl } = fleetServers();
  const directory = mkdtempSync(join(tmpdir(), 'b24chain-fleet-kill-'));
  const portalsFile = join(directory, 'portals.json');
  const shared = { B24_REDIS_URL: redisUrl, B24_REDIS_PREFIX: freshRedisPrefix('fleet-kill'), B24_LEASE_STALE_MS: '3000' };
  let env: Record<string, string> = {};
  let databaseUrl = '';
  let hostA: Record<string, string> = {};
  let hostB: Record<string, string> = {};
  let emulator: EmulatorProcess;
  let leadIds: string[] = [];
  const workers: WorkerProcess[] = [];

  before(async () => {
    databaseUrl = await freshDatabaseUrl('fleet_kill');
    const host = (name: string): Record<string, string> => ({
      ...shared,
      B24_DATABASE_URL: databaseUrl,
      B24_HOST_ID: name,
      HOME: mkdtempSync(join(tmpdir(), `b24chain-fleet-${name}-`)),
    });
    env = host('host-c');
    hostA = host('host-a');
    hostB = host('host-b');
    emulator = await startEmulatorProcess(['--seed', 'empty', '--leads', '3000', '--random-seed', '7', '--rate', '50', '--burst', '100', '--write-ms', '3']);
    // 5 requests/s: the run lasts long enough to be killed in its middle, whatever the machine.
    writePortalsFile(portalsFile, { big: emulator }, { rate: 5, burst: 5 });
    leadIds = (await listAll(emulator.webhookUrl, 'crm.lead.list', { filter: { STATUS_ID: 'IN_PROCESS' }, select: ['ID'] })).map((row) => row.ID as string);
  });

  after(async () => {
    for (const worker of workers) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await emulator?.stop();
  });

  it('another worker takes the job over within seconds and resumes the run; one contact and one deal per lead', async () => {
    assert.ok(leadIds.length >= 300, `the generator made ${leadIds.length} IN_PROCESS leads`);
    const enqueued = await runCli(['run', 'chains/core/lead-to-deal.yml', '--portals', 'big', '--portals-file', portalsFile, '--confirm-write', '--json'], env);
    assert.equal(enqueued.code, 0, enqueued.stderr);
    const { jobs } = JSON.parse(enqueued.stdout) as { fleetId: string; jobs: Array<{ jobId: string }> };
    const jobId = jobs[0]?.jobId as string;

    const first = startWorker(['--portals-file', portalsFile], hostA);
    workers.push(first);
    const started = await first.waitFor((line) => line.type === 'run-started' && line.jobId === jobId);
    const second = startWorker(['--portals-file', portalsFile], hostB);
    workers.push(second);
    const secondStarted = await second.waitFor((line) => line.type === 'worker-started');
    assert.equal(secondStarted.stateStore, 'postgres', 'runs are checkpointed where every host sees them');

    // Mid-chain: after the first worker settled a few more batches (progress lines), never by the clock.
    const progressSeen = first.lines.filter((line) => line.type === 'progress').length;
    const atKill = await first.waitFor(
      (line) => line.type === 'progress' && first.lines.filter((seen) => seen.type === 'progress').indexOf(line) >= progressSeen + 2,
    );
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL');
    assert.ok((atKill.itemsDone as number) < leadIds.length, `killed mid-chain at ${atKill.itemsDone} of ${leadIds.length} items`);

    const resumed = await second.waitFor((line) => line.type === 'run-started' && line.jobId === jobId);
    const takeoverMs = Date.now() - killedAt;
    process.stdout.write(`# fleet job taken over ${takeoverMs} ms after kill -9 (killed at ${atKill.itemsDone} of ${leadIds.length} items)\n`);
    assert.equal(resumed.resumed, true, 'the run is resumed, not started again');
    assert.equal(resumed.runId, started.runId, 'the same run');
    assert.ok(takeoverMs < 30_000, `taken over within seconds (${takeoverMs} ms)`);
    const done = await second.waitFor((line) => (line.type === 'job-done' || line.type === 'job-failed') && line.jobId === jobId);
    assert.equal(done.type, 'job-done', JSON.stringify(done));

    const status = JSON.parse((await runCli(['status', '--fleet', '--json'], env)).stdout) as {
      portals: Array<{ state: string; runId: string; itemsDone: number }>;
    };
    assert.equal(status.portals[0]?.state, 'done');
    assert.equal(status.portals[0]?.runId, started.runId);
    assert.equal(status.portals[0]?.itemsDone, leadIds.length);
    const runs = JSON.parse((await runCli(['status', '--json'], env)).stdout) as { runs: Array<{ runId: string; status: string }> };
    assert.deepEqual(
      runs.runs.map((run) => [run.runId, run.status]),
      [[started.runId, 'done']],
      'one run, resumed to its end',
    );

    const contacts = await listAll(emulator.webhookUrl, 'crm.contact.list', { filter: { ORIGINATOR_ID: 'b24chain' }, select: ['ID', 'ORIGIN_ID'] });
    const deals = await listAll(emulator.webhookUrl, 'crm.deal.list', { filter: { ORIGINATOR_ID: 'b24chain' }, select: ['ID', 'ORIGIN_ID', 'CONTACT_ID'] });
    const expected = leadIds.map((id) => `lead-${id}`).sort();
    assert.deepEqual(contacts.map((row) => row.ORIGIN_ID).sort(), expected, 'exactly one contact per lead');
    assert.deepEqual(deals.map((row) => row.ORIGIN_ID).sort(), expected, 'exactly one deal per lead');
    const contactByOrigin = new Map(contacts.map((row) => [row.ORIGIN_ID, row.ID]));
    for (const deal of deals) assert.equal(deal.CONTACT_ID, contactByOrigin.get(deal.ORIGIN_ID), `deal ${deal.ID} points at its lead's contact`);

    // The run's resume command never holds the database URL (it may carry a password).
    const database = new pg.Client({ connectionString: databaseUrl });
    await database.connect();
    try {
      const { rows } = await database.query<{ resume_flags_json: string | null }>('SELECT resume_flags_json FROM runs');
      assert.equal(rows.length, 1);
      assert.doesNotMatch(rows[0]?.resume_flags_json ?? '', /postgres|127\.0\.0\.1/);
    } finally {
      await database.end();
    }
    // With the state in PostgreSQL, each host keeps the job's chain in its user state folder (never a
    // folder named after the database URL).
    assert.equal(readdirSync(join(hostB.HOME as string, '.local', 'state', 'b24chain', 'fleet-chains')).length, 1);
    assert.equal(existsSync(join(process.cwd(), 'postgres:')), false);

    second.child.kill('SIGINT');
    const stopped = await second.done;
    assert.equal(stopped.code, 0, stopped.stderr);
  });
});
