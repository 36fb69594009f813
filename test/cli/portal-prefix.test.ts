/**
 * A portal behind a path prefix (`B24_DOMAIN=http://127.0.0.1:PORT/portal/p2`), through the real CLI
 * against one emulator serving three portals: records land in that portal only, the run store keys it
 * apart from the others, OAuth refreshes at its own token URL; and `chain emulator --portals N` prints them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type PortalDescription, type RunningEmulator } from '../../src/emulator/index.ts';
import { startEmulatorProcess } from '../helpers/emulator-process.ts';
import { listAll } from '../helpers/portal-reader.ts';
import { runCli, startCli } from '../helpers/run-cli.ts';
import { http } from '../helpers/http.ts';

let emulator: RunningEmulator;
let directory: string;

before(async () => {
  emulator = await startEmulator({ portals: 3, seed: 'empty', leads: 12, leadStatus: 'IN_PROCESS', rate: 1000, burst: 1000 });
  directory = mkdtempSync(join(tmpdir(), 'b24chain-prefix-'));
});
after(async () => {
  await emulator.close();
  rmSync(directory, { recursive: true, force: true });
});

const portal = (name: string): PortalDescription => emulator.portals.find((candidate) => candidate.name === name) as PortalDescription;

function envFor(target: PortalDescription, database: string): Record<string, string> {
  return {
    B24_DOMAIN: target.url,
    B24_AUTH_MODE: 'webhook',
    B24_WEBHOOK_USER_ID: String(target.userId),
    B24_WEBHOOK_CODE: target.code,
    B24_DB: database,
    B24_RATE_LIMITER: 'memory',
  };
}

interface RunDocument {
  status: string;
  runId: string;
}

describe('chain run against a portal at a path prefix', () => {
  it('runs lead-to-deal on p2 only; a run on p3 with the same state database is another portal', async () => {
    const database = join(directory, 'state.db');
    const p2 = portal('p2');
    const result = await runCli(['run', 'chains/core/lead-to-deal.yml', '--confirm-write', '--json'], envFor(p2, database));
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.equal((JSON.parse(result.stdout) as RunDocument).status, 'done');

    assert.equal((await listAll(p2.webhookUrl, 'crm.deal.list')).length, 12);
    assert.equal((await listAll(p2.webhookUrl, 'crm.contact.list')).length, 12);
    assert.ok((await listAll(p2.webhookUrl, 'crm.lead.list')).every((lead) => lead.STATUS_ID === 'CONVERTED'));
    for (const other of [portal('p1'), portal('p3')]) {
      assert.equal((await listAll(other.webhookUrl, 'crm.deal.list')).length, 0, other.name);
      assert.ok(
        (await listAll(other.webhookUrl, 'crm.lead.list')).every((lead) => lead.STATUS_ID === 'IN_PROCESS'),
        other.name,
      );
    }
    const [p1Stats, p2Stats] = [await emulator.stats('p1'), await emulator.stats('p2')];
    assert.ok(p2Stats.httpRequests > 0);
    // The reads above went to p1 and p3 as well; no write reached them.
    assert.equal(p1Stats.methods['crm.deal.add'], undefined);
    assert.equal(p2Stats.methods['crm.deal.add'], 12);

    const onP3 = await runCli(['run', 'chains/core/lead-to-deal.yml', '--confirm-write', '--json'], envFor(portal('p3'), database));
    assert.equal(onP3.code, 0, onP3.stderr + onP3.stdout);
    assert.notEqual((JSON.parse(onP3.stdout) as RunDocument).runId, (JSON.parse(result.stdout) as RunDocument).runId);
    const status = JSON.parse((await runCli(['status', '--json'], envFor(p2, database))).stdout) as { runs: Array<{ portal: string; status: string }> };
    const host = new URL(emulator.url).host;
    assert.deepEqual(status.runs.map((run) => run.portal).sort(), [`${host}/portal/p2`, `${host}/portal/p3`]);
    assert.equal((await emulator.stats('p3')).methods['crm.deal.add'], 12);
  });

  it('refreshes an expired application token at the portal’s own token URL', async () => {
    const p3 = portal('p3');
    await http(`${emulator.url}/_emulator/tokens/expire`, { method: 'POST' });
    const env = {
      B24_DOMAIN: p3.url,
      B24_AUTH_MODE: 'oauth',
      B24_ACCESS_TOKEN: p3.app.accessToken,
      B24_REFRESH_TOKEN: p3.app.refreshToken,
      B24_CLIENT_ID: p3.app.clientId,
      B24_CLIENT_SECRET: p3.app.clientSecret,
      B24_OAUTH_URL: p3.app.serverEndpoint,
      B24_RATE_LIMITER: 'memory',
      B24_DB: join(directory, 'oauth.db'),
    };
    const result = await runCli(['call', 'crm.lead.list', '--params', '{"select":["ID"]}', '--json'], env);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.equal((await emulator.stats('p3')).tokenRefreshes, 1);
    assert.equal((await emulator.stats('p1')).tokenRefreshes, 0);
    assert.doesNotMatch(result.stdout + result.stderr, new RegExp(`${p3.app.clientSecret}|${p3.app.refreshToken}`));
  });
});

describe('chain emulator --portals N', () => {
  it('prints every portal as JSON and answers on each prefix', async () => {
    const started = await startEmulatorProcess(['--portals', '4', '--seed', 'empty']);
    try {
      assert.deepEqual(
        started.portals?.map((entry) => entry.url),
        [started.url, `${started.url}/portal/p2`, `${started.url}/portal/p3`, `${started.url}/portal/p4`],
      );
      const last = started.portals?.[3] as PortalDescription;
      assert.equal((await http(`${last.webhookUrl}server.time`)).status, 200);
      const stats = await http(`${started.url}/_emulator/stats?portal=p4`);
      assert.equal(stats.body.httpRequests, 1);
    } finally {
      await started.stop();
    }
  });

  it('prints one line per portal in text, and refuses --portals 0 (exit 2)', async () => {
    const { child, done } = startCli(['emulator', '--portals', '3', '--seed', 'empty']);
    let printed = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      if (printed.includes('Press Ctrl-C')) child.kill('SIGTERM');
    });
    const result = await done;
    assert.match(result.stdout, /portals: +3, each with its own data, limit and credentials/);
    assert.match(result.stdout, /^ +p1 +http:\/\/127\.0\.0\.1:\d+\/rest\/1\/\w+\/$/m);
    assert.match(result.stdout, /^ +p3 +http:\/\/127\.0\.0\.1:\d+\/portal\/p3\/rest\/1\/\w+\/$/m);

    const refused = await runCli(['emulator', '--portals', '0']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--portals/);
  });
});
