/**
 * A run continues on another host (issue 14, DESIGN.md §13): `chain run` with B24_DATABASE_URL is
 * killed with SIGKILL mid-run (placed by a progress line, never by time); `chain resume` on "another
 * host" — its own HOME, its own working directory, its own B24_HOST_ID, no file shared with the first
 * — finds the run in PostgreSQL, takes the dead host's lease once its heartbeat is stale
 * (B24_LEASE_STALE_MS=3000) and finishes it: one contact and one deal per lead, nothing written twice.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fetchStats, startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.ts';
import { freshDatabaseUrl } from '../helpers/fleet-env.ts';
import { listAll } from '../helpers/portal-reader.ts';
import { runCli, startCli, webhookEnv } from '../helpers/run-cli.ts';

interface RunStatus {
  runId: string;
  status: string;
  live: boolean;
  owner?: { pid: number; host: string } | null;
}

describe('a run killed on one host is finished from PostgreSQL by another', () => {
  let emulator: EmulatorProcess;
  let leadIds: string[] = [];
  let databaseUrl = '';

  before(async () => {
    emulator = await startEmulatorProcess(['--seed', 'empty', '--leads', '400', '--random-seed', '14', '--rate', '50', '--burst', '100', '--write-ms', '3']);
    leadIds = (await listAll(emulator.webhookUrl, 'crm.lead.list', { filter: { STATUS_ID: 'IN_PROCESS' }, select: ['ID'] })).map((row) => row.ID as string);
    databaseUrl = await freshDatabaseUrl('takeover');
  });
  after(async () => emulator?.stop());

  /** One "host": a HOME and a working directory of its own, its own host id, the shared database only. */
  function host(id: string): { env: Record<string, string | undefined>; cwd: string } {
    const home = mkdtempSync(join(tmpdir(), `b24chain-${id}-home-`));
    const cwd = mkdtempSync(join(tmpdir(), `b24chain-${id}-cwd-`));
    return {
      env: { ...webhookEnv(emulator, ''), B24_DB: undefined, HOME: home, B24_DATABASE_URL: databaseUrl, B24_HOST_ID: id, B24_LEASE_STALE_MS: '3000' },
      cwd,
    };
  }

  it('kill -9 of the owner on host A; chain resume on host B takes it over within seconds and finishes it exactly once', { timeout: 170_000 }, async () => {
    assert.ok(leadIds.length >= 50, `the generator made ${leadIds.length} IN_PROCESS leads`);
    const hostA = host('host-a');
    const hostB = host('host-b');
    const chain = resolve('chains/core/lead-to-deal.yml');

    let progress = 0;
    const owner = startCli(
      ['run', chain, '--confirm-write', '--concurrency', '2', '--json'],
      hostA.env,
      (line, child) => {
        if (line.includes('"type":"progress"') && ++progress === 2) child.kill('SIGKILL');
      },
      { cwd: hostA.cwd },
    );
    const killed = await owner.done;
    assert.equal(killed.signal, 'SIGKILL', `${killed.stdout}${killed.stderr}`);
    const killedAt = Date.now();

    // Host B sees the run (no shared file: only PostgreSQL) and waits until the dead owner's heartbeat is stale.
    let run: RunStatus | undefined;
    for (const deadline = Date.now() + 30_000; ; ) {
      const listed = await runCli(['status', '--json'], hostB.env, { cwd: hostB.cwd });
      assert.equal(listed.code, 0, listed.stderr);
      run = (JSON.parse(listed.stdout) as { runs: RunStatus[] }).runs[0];
      assert.ok(run, 'host B lists the run from PostgreSQL');
      assert.equal(run.owner?.host, 'host-a');
      if (!run.live) break;
      assert.ok(Date.now() < deadline, 'the dead owner stopped looking alive within the stale bound');
    }
    const requestsBefore = (await fetchStats(emulator.url)).httpRequests as number;
    const resumed = await runCli(['resume', run.runId, '--confirm-write', '--json'], hostB.env, { cwd: hostB.cwd });
    assert.equal(resumed.code, 0, `${resumed.stdout}${resumed.stderr}`);
    assert.equal((JSON.parse(resumed.stdout) as { status: string }).status, 'done');
    assert.ok(((await fetchStats(emulator.url)).httpRequests as number) > requestsBefore, 'host B did the rest of the work');
    assert.ok(Date.now() - killedAt < 60_000, 'taken over and finished within seconds, not minutes');

    const final = await runCli(['status', run.runId, '--json'], hostA.env, { cwd: hostA.cwd });
    const finalStatus = JSON.parse(final.stdout) as RunStatus;
    assert.equal(finalStatus.status, 'done', 'host A reads the same run, done');
    assert.equal(finalStatus.owner ?? null, null, 'the lease was released');

    const contacts = await listAll(emulator.webhookUrl, 'crm.contact.list', { filter: { ORIGINATOR_ID: 'b24chain' }, select: ['ID', 'ORIGIN_ID'] });
    const deals = await listAll(emulator.webhookUrl, 'crm.deal.list', { filter: { ORIGINATOR_ID: 'b24chain' }, select: ['ID', 'ORIGIN_ID'] });
    const expected = leadIds.map((id) => `lead-${id}`).sort();
    assert.deepEqual(contacts.map((row) => row.ORIGIN_ID).sort(), expected, 'exactly one contact per lead');
    assert.deepEqual(deals.map((row) => row.ORIGIN_ID).sort(), expected, 'exactly one deal per lead');

    for (const { cwd } of [hostA, hostB]) {
      assert.equal(existsSync(join(cwd, '.b24chain')), false, `no state file in ${cwd}: the state is in PostgreSQL`);
      assert.deepEqual(readdirSync(cwd), []);
    }
  });
});
