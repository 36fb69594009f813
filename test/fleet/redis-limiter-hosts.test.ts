/**
 * Issue #14's must-show for the limiter: two `chain run` processes as two "hosts" (each its own HOME,
 * its own --db state folder, its own B24_HOST_ID, no file in common) drive one emulator portal through
 * B24_REDIS_URL: no 503 between them, and together at least 90 % of the portal's rate. The same setup
 * without Redis (each host its own limiter) does get 503s. Egress labels split the request bucket;
 * Redis unreachable stops a command before anything is sent, its password never printed.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { fetchStats, startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.ts';
import { fleetServers, freshRedisPrefix } from '../helpers/fleet-env.ts';
import { listAll } from '../helpers/portal-reader.ts';
import { runCli, startCli, type CliResult } from '../helpers/run-cli.ts';

const RATE = 10;
const BURST = 10;
const WRITES = 45;
const { redisUrl } = fleetServers();
const inspector = new Redis(redisUrl);
let emulator: EmulatorProcess;
const chainFiles = new Map<number, string>();

interface Stats {
  httpRequests: number;
  statuses: Record<string, number>;
  methods: Record<string, number>;
}

before(async () => {
  emulator = await startEmulatorProcess(['--seed', 'empty', '--rate', String(RATE), '--burst', String(BURST)]);
});
after(async () => {
  await emulator.stop();
  await inspector.quit();
});
beforeEach(async () => {
  await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' });
});

/** A chain of `count` single writes: one request each. */
function writesChain(count: number): string {
  const known = chainFiles.get(count);
  if (known !== undefined) return known;
  const path = join(mkdtempSync(join(tmpdir(), 'b24chain-hosts-chain-')), `writes-${count}.yml`);
  const steps = Array.from(
    { length: count },
    (_, index) => `  - id: lead${index}\n    call: crm.lead.add\n    params: { fields: { TITLE: "Lead ${index}" } }\n`,
  );
  writeFileSync(path, `version: 1\nname: many-writes\nsteps:\n${steps.join('')}`);
  chainFiles.set(count, path);
  return path;
}

/** One "host": a HOME and a state folder of its own, nothing shared with the other but the portal (and Redis when given). */
function hostEnv(hostId: string, extra: Record<string, string>): Record<string, string> {
  return {
    HOME: mkdtempSync(join(tmpdir(), `b24chain-${hostId}-home-`)),
    B24_HOST_ID: hostId,
    B24_DB: join(mkdtempSync(join(tmpdir(), `b24chain-${hostId}-state-`)), 'state.db'),
    B24_DOMAIN: emulator.url,
    B24_AUTH_MODE: 'webhook',
    B24_WEBHOOK_USER_ID: String(emulator.userId),
    B24_WEBHOOK_CODE: emulator.code,
    B24_RATE_LIMITER_RATE: String(RATE),
    // One request less than the portal's burst: with a request in flight on each host, two may reach the
    // portal later than reserved at once; the default headroom (1) covers one (README, Fleet: Redis).
    B24_RATE_LIMITER_BURST: String(BURST - 1),
    ...extra,
  };
}

const runWrites = (count: number, env: Record<string, string>): Promise<CliResult> => runCli(['run', writesChain(count), '--confirm-write', '--json'], env);

/**
 * Watches the emulator's request count while `work` runs: the rate the portal saw after its burst,
 * (requests − burst) / (last request − first request), timed conservatively (the first request is
 * placed at the sample before it was seen, the last at the sample that saw it).
 */
async function measure<T>(work: () => Promise<T>): Promise<{ result: T; requestsPerSecond: number; stats: Stats }> {
  const samples: Array<{ at: number; requests: number }> = [];
  let running = true;
  const watching = (async () => {
    while (running) {
      samples.push({ at: performance.now(), requests: ((await fetchStats(emulator.url)) as unknown as Stats).httpRequests });
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  const result = await work();
  running = false;
  await watching;
  const stats = (await fetchStats(emulator.url)) as unknown as Stats;
  const firstSeen = samples.findIndex((sample) => sample.requests > 0);
  const lastSeen = samples.findIndex((sample) => sample.requests === stats.httpRequests);
  assert.ok(firstSeen > 0 && lastSeen > firstSeen, 'the watcher saw the runs start and end');
  const elapsedSeconds = ((samples[lastSeen]?.at ?? 0) - (samples[firstSeen - 1]?.at ?? 0)) / 1000;
  return { result, requestsPerSecond: (stats.httpRequests - BURST) / elapsedSeconds, stats };
}

describe('two hosts, one portal, one budget in Redis', () => {
  it('no 503 between them and together at least 90 % of the allowed rate', async (t) => {
    const prefix = freshRedisPrefix('hosts');
    const redis = { B24_REDIS_URL: redisUrl, B24_REDIS_PREFIX: prefix };
    const { result, requestsPerSecond, stats } = await measure(() =>
      Promise.all([runWrites(WRITES, hostEnv('host-a', redis)), runWrites(WRITES, hostEnv('host-b', redis))]),
    );
    for (const run of result) assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.equal(stats.statuses['503'], undefined, `503s: ${JSON.stringify(stats.statuses)}`);
    assert.equal(stats.methods['crm.lead.add'], 2 * WRITES);
    t.diagnostic(`together ${requestsPerSecond.toFixed(2)} requests/s past the burst (${((100 * requestsPerSecond) / RATE).toFixed(1)} % of ${RATE}/s)`);
    assert.ok(requestsPerSecond >= 0.9 * RATE, `together ${requestsPerSecond.toFixed(2)} requests/s past the burst; the portal allows ${RATE}`);

    // What Redis holds: one bucket for the portal, the operating state per credential and method, no
    // secret in any key, every key with an expiry.
    const keys = (await inspector.keys(`${prefix}*`)).sort();
    const host = new URL(emulator.url).host;
    assert.equal(keys[0], `${prefix}bucket:${host}`);
    assert.ok(
      keys.slice(1).every((key) => new RegExp(`^${prefix}method:${host.replace(/\./g, '\\.')}\\|apauth\\|[0-9a-f]{16}\\|[a-z.]+$`).test(key)),
      keys.join(' '),
    );
    assert.ok(!keys.some((key) => key.includes(emulator.code)), 'no webhook code in a key');
    for (const key of keys) assert.ok((await inspector.pttl(key)) > 0, `${key} expires`);
  });

  it('without the shared store (each host its own limiter) the same two runs get 503s', async () => {
    const { result, stats } = await measure(() => Promise.all([runWrites(WRITES, hostEnv('host-a', {})), runWrites(WRITES, hostEnv('host-b', {}))]));
    for (const run of result) assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.ok((stats.statuses['503'] ?? 0) > 0, `expected 503s, got ${JSON.stringify(stats.statuses)}`);
  });
});

describe('egress labels', () => {
  it('hosts with one label share a bucket (no 503); hosts with different labels get separate buckets', async () => {
    const prefix = freshRedisPrefix('egress');
    const redis = (label: string): Record<string, string> => ({ B24_REDIS_URL: redisUrl, B24_REDIS_PREFIX: prefix, B24_EGRESS_LABEL: label });
    const host = new URL(emulator.url).host;

    const same = await Promise.all([runWrites(12, hostEnv('host-a', redis('nat-1'))), runWrites(12, hostEnv('host-b', redis('nat-1')))]);
    for (const run of same) assert.equal(run.code, 0, run.stderr + run.stdout);
    const shared = (await fetchStats(emulator.url)) as unknown as Stats;
    assert.equal(shared.statuses['503'], undefined, `503s: ${JSON.stringify(shared.statuses)}`);
    assert.deepEqual(await inspector.keys(`${prefix}bucket:*`), [`${prefix}bucket:${host}#nat-1`]);

    // Two labels claim two public IPs: each host spends a bucket of its own. The emulator sees both
    // on 127.0.0.1 (one IP), so it refuses some: the buckets really were separate.
    await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' });
    const apart = await Promise.all([runWrites(12, hostEnv('host-a', redis('nat-2'))), runWrites(12, hostEnv('host-b', redis('nat-3')))]);
    for (const run of apart) assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.deepEqual((await inspector.keys(`${prefix}bucket:*`)).sort(), [
      `${prefix}bucket:${host}#nat-1`,
      `${prefix}bucket:${host}#nat-2`,
      `${prefix}bucket:${host}#nat-3`,
    ]);
    const separate = (await fetchStats(emulator.url)) as unknown as Stats;
    assert.ok((separate.statuses['503'] ?? 0) > 0, `expected 503s, got ${JSON.stringify(separate.statuses)}`);
  });
});

describe('Redis unreachable', () => {
  it('stops the command before anything is sent: exit 2, LIMITER_STORE_UNAVAILABLE, the password masked', async () => {
    const env = hostEnv('host-a', { B24_REDIS_URL: 'redis://:n0t-for-your-eyes@127.0.0.1:1/0' });
    for (const args of [
      ['run', writesChain(12), '--confirm-write'],
      ['call', 'crm.lead.add', '--params', '{"fields":{"TITLE":"One"}}', '--confirm-write', '--json'],
    ]) {
      const result = await runCli(args, env);
      assert.equal(result.code, 2, result.stderr + result.stdout);
      assert.match(
        result.stderr + result.stdout,
        /limiter store redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0: Redis did not answer: .*\(LIMITER_STORE_UNAVAILABLE\)\. Check B24_REDIS_URL/,
      );
      assert.doesNotMatch(result.stderr + result.stdout, /n0t-for-your-eyes/);
    }
    assert.equal(((await fetchStats(emulator.url)) as unknown as Stats).httpRequests, 0);
  });
});

/** A Redis of this test's own (the suite's is shared by every file), on `port` (0: a free one), started when it says it is ready. */
async function startOwnRedis(port = 0): Promise<{ port: number; server: ChildProcess }> {
  const chosen =
    port ||
    (await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    }));
  const server = spawn('redis-server', ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let printed = '';
    server.stdout?.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      if (printed.includes('Ready to accept connections')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${printed}`)));
  });
  return { port: chosen, server };
}

describe('Redis lost during a run', () => {
  it('the run stops before its next request; resumed with Redis back, every write is sent exactly once', async () => {
    let redis = await startOwnRedis();
    const env = hostEnv('host-a', { B24_REDIS_URL: `redis://127.0.0.1:${redis.port}` });
    const { done } = startCli(['run', writesChain(30), '--confirm-write', '--json'], env);
    const stats = async (): Promise<Stats> => (await fetchStats(emulator.url)) as unknown as Stats;
    while (((await stats()).methods['crm.lead.add'] ?? 0) < 15) await new Promise((resolve) => setTimeout(resolve, 20));
    redis.server.kill('SIGKILL');
    const stopped = await done;
    assert.equal(stopped.code, 1, stopped.stderr + stopped.stdout);
    const result = JSON.parse(stopped.stdout) as { runId: string; status: string; errors: Array<{ code: string }>; steps: Record<string, { status: string }> };
    assert.deepEqual(
      result.errors.map((error) => error.code),
      ['LIMITER_STORE_UNAVAILABLE'],
    );
    const sentBefore = (await stats()).methods['crm.lead.add'] ?? 0;
    assert.ok(sentBefore < 30, `the run stopped early (${sentBefore} sent)`);
    assert.equal(Object.values(result.steps).filter((step) => step.status === 'done').length, sentBefore);

    redis = await startOwnRedis(redis.port);
    try {
      const resumed = await runCli(['resume', result.runId, '--confirm-write', '--json'], env);
      assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
    } finally {
      redis.server.kill('SIGTERM');
    }
    assert.equal((await stats()).methods['crm.lead.add'], 30);
    assert.equal((await listAll(emulator.webhookUrl, 'crm.lead.list')).length, 30);
  });
});
