/**
 * Fleet runs through the real CLI against three emulator processes and a real Redis: `chain run
 * --portals` checks everything before it enqueues, two `chain fleet worker` processes run the chain
 * once per portal (webhook and OAuth profiles), `chain status --fleet` reports it, and nothing secret
 * reaches Redis or the workers' output.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { fleetServers, freshRedisPrefix } from '../helpers/fleet-env.ts';
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.ts';
import { listAll } from '../helpers/portal-reader.ts';
import { runCli } from '../helpers/run-cli.ts';
import { dumpRedis, secretsOf, startWorker, writePortalsFile, type WorkerProcess } from './fleet-helpers.ts';

const CHAIN = 'chains/core/lead-to-deal.yml';
const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addSchema(JSON.parse(readFileSync('schemas/fleet.schema.json', 'utf8')) as Record<string, unknown>);

function assertShape(definition: 'enqueued' | 'waited' | 'status', document: unknown): void {
  const validate = ajv.getSchema(`https://b24chain.dev/schemas/fleet.schema.json#/$defs/${definition}`);
  assert.ok(validate?.(document), `${definition}: ${JSON.stringify(validate?.errors)}`);
}

interface FleetStatusDocument {
  fleetId: string;
  finished: boolean;
  portals: Array<{ portal: string; state: string; runId: string | null; itemsDone: number; itemsFailed: number; requests: number; lastError: string | null }>;
  totals: { portals: number; done: number; failed: number; waiting: number; active: number; itemsDone: number; requests: number };
}

describe('fleet runs: chain run --portals, chain fleet worker, chain status --fleet', () => {
  const { redisUrl } = fleetServers();
  const prefix = freshRedisPrefix('fleet-run');
  const directory = mkdtempSync(join(tmpdir(), 'b24chain-fleet-run-'));
  const portalsFile = join(directory, 'portals.yml');
  const env = { B24_REDIS_URL: redisUrl, B24_REDIS_PREFIX: prefix, B24_DB: join(directory, 'state.db') };
  const emulators: Record<string, EmulatorProcess> = {};
  const leadIds: Record<string, string[]> = {};
  const workers: WorkerProcess[] = [];

  before(async () => {
    const started = await Promise.all(
      [1, 2, 3].map((seed) => startEmulatorProcess(['--seed', 'empty', '--leads', '150', '--random-seed', String(seed), '--rate', '50', '--burst', '100'])),
    );
    started.forEach((emulator, index) => {
      emulators[`portal-${index + 1}`] = emulator;
    });
    writePortalsFile(portalsFile, emulators, undefined, ['portal-3']); // portal-3 through an OAuth application, the others a webhook
    for (const [name, emulator] of Object.entries(emulators)) {
      leadIds[name] = (await listAll(emulator.webhookUrl, 'crm.lead.list', { filter: { STATUS_ID: 'IN_PROCESS' }, select: ['ID'] })).map(
        (row) => row.ID as string,
      );
    }
  });

  after(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await Promise.all(Object.values(emulators).map((emulator) => emulator.stop()));
  });

  it('refuses bad input before anything is enqueued: unknown profile, bad chain, no Redis', async () => {
    const unknown = await runCli(['run', CHAIN, '--portals', 'portal-1,portal-9', '--portals-file', portalsFile, '--confirm-write', '--json'], env);
    assert.equal(unknown.code, 2, unknown.stderr);
    const refusal = JSON.parse(unknown.stdout) as { errors: Array<{ code: string; message: string }> };
    assert.equal(refusal.errors[0]?.code, 'UNKNOWN_PROFILE');
    assert.match(refusal.errors[0]?.message ?? '', /profile "portal-9"/);

    const badChain = await runCli(
      ['run', 'test/fixtures/chains/invalid/batch-nested.yml', '--portals', 'portal-1', '--portals-file', portalsFile, '--confirm-write'],
      env,
    );
    assert.equal(badChain.code, 2);
    assert.match(badChain.stderr, /BATCH_NESTED/);

    const unconfirmed = await runCli(['run', CHAIN, '--portals', 'portal-1', '--portals-file', portalsFile], env);
    assert.equal(unconfirmed.code, 2);
    assert.match(unconfirmed.stderr, /CONFIRMATION_REQUIRED/);

    const noRedis = await runCli(['run', CHAIN, '--portals', 'portal-1', '--portals-file', portalsFile, '--confirm-write'], { B24_DB: env.B24_DB });
    assert.equal(noRedis.code, 2);
    assert.match(noRedis.stderr, /B24_REDIS_URL is not set.*\(FLEET_REDIS_MISSING\)/);

    assert.equal((await dumpRedis(redisUrl, prefix)).size, 0, 'nothing was written to Redis');
    for (const emulator of Object.values(emulators)) {
      const contacts = await listAll(emulator.webhookUrl, 'crm.contact.list', { filter: { ORIGINATOR_ID: 'b24chain' }, select: ['ID'] });
      assert.equal(contacts.length, 0, 'nothing was written to a portal');
    }
  });

  it('two workers run the chain exactly once per portal; status --fleet reports every portal done', async () => {
    for (let index = 0; index < 2; index += 1) workers.push(startWorker(['--portals-file', portalsFile, '--concurrency', '2'], env));
    const started = await Promise.all(workers.map((worker) => worker.waitFor((line) => line.type === 'worker-started')));
    // A state file is this host's only: the worker says so (B24_DATABASE_URL shares runs between hosts).
    assert.deepEqual(
      started.map((line) => line.stateStore),
      ['sqlite', 'sqlite'],
    );

    const run = await runCli(
      ['run', CHAIN, '--portals', 'portal-1,portal-2', '--portals', 'portal-3', '--portals-file', portalsFile, '--confirm-write', '--wait', '--json'],
      env,
    );
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    const document = JSON.parse(run.stdout) as { fleetId: string; jobs: Array<{ portal: string; jobId: string }>; status: FleetStatusDocument };
    assertShape('waited', document);
    assert.deepEqual(
      document.jobs.map((job) => job.jobId),
      ['portal-1', 'portal-2', 'portal-3'].map((portal) => `${document.fleetId}.${portal}`),
      'one job per portal, its id made of the fleet id and the portal',
    );

    const again = await runCli(
      ['run', CHAIN, '--portals', 'portal-1,portal-2,portal-3', '--portals-file', portalsFile, '--confirm-write', '--fleet-id', document.fleetId, '--json'],
      env,
    );
    assert.equal(again.code, 0, again.stderr);
    const repeated = JSON.parse(again.stdout) as { jobs: Array<{ alreadyQueued: boolean }> };
    assertShape('enqueued', repeated);
    assert.ok(
      repeated.jobs.every((job) => job.alreadyQueued),
      'enqueuing the same fleet again adds no job',
    );

    const statusRun = await runCli(['status', '--fleet', document.fleetId, '--json'], env);
    assert.equal(statusRun.code, 0, statusRun.stderr);
    const status = JSON.parse(statusRun.stdout) as FleetStatusDocument;
    assertShape('status', status);
    assert.equal(status.finished, true);
    assert.deepEqual(
      status.portals.map((entry) => [entry.portal, entry.state]),
      [
        ['portal-1', 'done'],
        ['portal-2', 'done'],
        ['portal-3', 'done'],
      ],
    );
    assert.equal(status.totals.done, 3);
    const text = await runCli(['status', '--fleet'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^Fleet ${document.fleetId} of lead-to-deal`), 'without an id: the latest fleet');
    assert.match(text.stdout, /portal-2: done, run run_\w+, items \d+ done, 0 failed, \d+ requests/);
    assert.match(text.stdout, /totals: 3 portal\(s\): 3 done, 0 failed, 0 active, 0 waiting/);
    for (const entry of status.portals) {
      assert.equal(entry.itemsDone, leadIds[entry.portal]?.length, `${entry.portal}: every lead is an item done`);
      assert.ok(entry.requests > 0, `${entry.portal}: requests are counted`);
      assert.equal(entry.lastError, null);
    }

    // Exactly once: one run per portal in the state store, and one contact and one deal per lead.
    const runs = JSON.parse((await runCli(['status', '--json', '--limit', '50'], env)).stdout) as {
      runs: Array<{ runId: string; portal: string; status: string }>;
    };
    assert.equal(runs.runs.length, 3, 'one run per portal');
    assert.deepEqual(new Set(runs.runs.map((entry) => entry.runId)), new Set(status.portals.map((entry) => entry.runId)));
    assert.ok(runs.runs.every((entry) => entry.status === 'done'));
    assert.ok(
      runs.runs.some((entry) => entry.portal === emulators['portal-3']?.app.memberId),
      'portal-3 ran through its application (the portal key is its member_id)',
    );
    for (const [name, emulator] of Object.entries(emulators)) {
      const expected = (leadIds[name] ?? []).map((id) => `lead-${id}`).sort();
      const contacts = await listAll(emulator.webhookUrl, 'crm.contact.list', { filter: { ORIGINATOR_ID: 'b24chain' }, select: ['ID', 'ORIGIN_ID'] });
      const deals = await listAll(emulator.webhookUrl, 'crm.deal.list', { filter: { ORIGINATOR_ID: 'b24chain' }, select: ['ID', 'ORIGIN_ID'] });
      assert.ok(expected.length > 0);
      assert.deepEqual(contacts.map((row) => row.ORIGIN_ID).sort(), expected, `${name}: one contact per lead`);
      assert.deepEqual(deals.map((row) => row.ORIGIN_ID).sort(), expected, `${name}: one deal per lead`);
    }

    // No secret in Redis: the jobs carry profile names, never webhook codes.
    const dump = await dumpRedis(redisUrl, prefix);
    assert.ok(dump.size > 0);
    const everything = [...dump].join('\n');
    assert.match(everything, /portal-1/);
    for (const emulator of Object.values(emulators)) {
      for (const secret of secretsOf(emulator)) assert.ok(!everything.includes(secret), 'a webhook code, token or client secret is in Redis');
    }

    for (const worker of workers) worker.child.kill('SIGTERM');
    const ended = await Promise.all(workers.map((worker) => worker.done));
    for (const result of ended) {
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /"type":"worker-stopped"/);
      for (const emulator of Object.values(emulators))
        for (const secret of secretsOf(emulator)) assert.ok(!`${result.stdout}${result.stderr}`.includes(secret));
    }
    const doneByWorkers = ended.map((result) => (JSON.parse(result.stdout.trim()) as { done: number }).done);
    assert.equal(
      doneByWorkers.reduce((sum, count) => sum + count, 0),
      3,
      `the jobs were done once in all: ${doneByWorkers.join(' + ')}`,
    );
  });

  it('--wait exits 1 when a job fails; enqueuing the same --fleet-id again redrives the failed job', async () => {
    const partial = join(directory, 'partial.yml');
    writePortalsFile(partial, { 'portal-1': emulators['portal-1'] as EmulatorProcess });
    const lacking = startWorker(['--portals-file', partial], env);
    workers.push(lacking);
    await lacking.waitFor((line) => line.type === 'worker-started');
    const args = ['run', CHAIN, '--portals', 'portal-3', '--portals-file', portalsFile, '--confirm-write', '--fleet-id', 'redrive', '--wait', '--json'];

    const failed = await runCli(args, env);
    assert.equal(failed.code, 1, `${failed.stdout}\n${failed.stderr}`);
    const failedDocument = JSON.parse(failed.stdout) as { exitCode: number; status: FleetStatusDocument };
    assertShape('waited', failedDocument);
    assert.equal(failedDocument.exitCode, 1);
    assert.equal(failedDocument.status.portals[0]?.state, 'failed');
    assert.match(failedDocument.status.portals[0]?.lastError ?? '', /profile "portal-3".*UNKNOWN_PROFILE/);
    lacking.child.kill('SIGTERM');
    assert.equal((await lacking.done).code, 0);

    const complete = startWorker(['--portals-file', portalsFile], env);
    workers.push(complete);
    await complete.waitFor((line) => line.type === 'worker-started');
    const redriven = await runCli(args, env);
    assert.equal(redriven.code, 0, `${redriven.stdout}\n${redriven.stderr}`);
    const document = JSON.parse(redriven.stdout) as { jobs: Array<{ retried: boolean; alreadyQueued: boolean }>; status: FleetStatusDocument };
    assertShape('waited', document);
    assert.deepEqual(
      document.jobs.map((job) => [job.alreadyQueued, job.retried]),
      [[true, true]],
      'the failed job is queued again, not added twice',
    );
    assert.equal(document.status.portals[0]?.state, 'done');
    complete.child.kill('SIGTERM');
    assert.equal((await complete.done).code, 0);
  });
});
