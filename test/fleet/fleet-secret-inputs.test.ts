/**
 * A fleet run of a chain with a `secret: true` input: the job in Redis holds the input's digest, never
 * its value; a worker whose host has B24_INPUT_<NAME> runs it, one without fails the job saying which
 * variable to set, before any request to the portal.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetServers, freshRedisPrefix } from '../helpers/fleet-env.ts';
import { fetchStats, startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.ts';
import { listAll } from '../helpers/portal-reader.ts';
import { runCli } from '../helpers/run-cli.ts';
import { dumpRedis, startWorker, writePortalsFile, type WorkerProcess } from './fleet-helpers.ts';

const CHAIN = 'test/fixtures/chains/runner/secret-input.yml';
const SECRET = 'sk-fleet-4d2b8e61a9c7f305';

describe('fleet runs with a secret input', () => {
  const { redisUrl } = fleetServers();
  const prefix = freshRedisPrefix('fleet-secret');
  const directory = mkdtempSync(join(tmpdir(), 'b24chain-fleet-secret-'));
  const portalsFile = join(directory, 'portals.json');
  const env = { B24_REDIS_URL: redisUrl, B24_REDIS_PREFIX: prefix, B24_DB: join(directory, 'state.db') };
  let emulator: EmulatorProcess;
  const workers: WorkerProcess[] = [];

  before(async () => {
    emulator = await startEmulatorProcess(['--seed', 'empty', '--leads', '60', '--random-seed', '3', '--rate', '50', '--burst', '100']);
    writePortalsFile(portalsFile, { shop: emulator });
  });
  after(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await emulator?.stop();
  });

  it('keeps the value out of Redis; a host without B24_INPUT_API_KEY fails the job before any request, one with it runs it', async () => {
    const enqueue = (fleetId: string) =>
      runCli(
        ['run', CHAIN, '--portals', 'shop', '--portals-file', portalsFile, '--input', `apiKey=${SECRET}`, '--confirm-write', '--fleet-id', fleetId, '--json'],
        env,
      );
    const first = await enqueue('secret-1');
    assert.equal(first.code, 0, first.stderr);
    const stored = [...(await dumpRedis(redisUrl, prefix)).values()].join('\n');
    assert.doesNotMatch(stored, new RegExp(SECRET), 'no secret value in Redis');
    assert.match(stored, /\$secret/);

    const requestsBefore = (await fetchStats(emulator.url)).httpRequests as number;
    const without = startWorker(['--portals-file', portalsFile], env);
    workers.push(without);
    const failed = await without.waitFor((line) => line.type === 'job-failed' || line.type === 'job-done');
    assert.equal(failed.type, 'job-failed');
    assert.equal(failed.code, 'SECRET_INPUT_REQUIRED', JSON.stringify(failed));
    assert.match(String(failed.message), /B24_INPUT_API_KEY/);
    without.child.kill('SIGINT');
    await without.done;
    // Opening the client reads nothing from the portal; the refusal comes before the run's first request.
    const requestsAfter = (await fetchStats(emulator.url)).httpRequests as number;
    assert.ok(requestsAfter - requestsBefore <= 1, `${requestsAfter - requestsBefore} requests (at most the scope check)`);

    const withKey = startWorker(['--portals-file', portalsFile], { ...env, B24_INPUT_API_KEY: SECRET });
    workers.push(withKey);
    const again = await enqueue('secret-1'); // the redrive: the failed job is queued again
    assert.equal(again.code, 0, again.stderr);
    const done = await withKey.waitFor((line) => line.type === 'job-done' || line.type === 'job-failed');
    assert.equal(done.type, 'job-done', JSON.stringify(done));
    withKey.child.kill('SIGINT');
    const stopped = await withKey.done;
    assert.doesNotMatch(stopped.stdout + stopped.stderr, new RegExp(SECRET));
    const contacts = await listAll(emulator.webhookUrl, 'crm.contact.list', { filter: { ORIGINATOR_ID: 'b24chain' }, select: ['ID', 'COMMENTS'] });
    assert.ok(contacts.length > 0);
    assert.ok(contacts.every((contact) => contact.COMMENTS === SECRET));
  });
});
