import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process.ts';
import { listAll } from '../helpers/portal-reader.ts';
import { startCli, runCli, webhookEnv } from '../helpers/run-cli.ts';

/**
 * Kills are placed by progress, not by the wall clock: after the k-th progress line the run prints
 * (one per settled batch), k drawn from a seeded sequence, so the test holds on a slow machine too.
 */
function seededKillPoints(seed: number, count: number, max: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return 1 + (state % max);
  });
}

function killAfterProgress(lines: number): (line: string, child: import('node:child_process').ChildProcess) => void {
  let seen = 0;
  return (line, child) => {
    if (!line.includes('"type":"progress"')) return;
    seen += 1;
    if (seen === lines) child.kill('SIGKILL');
  };
}

describe('lead-to-deal survives SIGKILL at random points', () => {
  let emulator: EmulatorProcess;
  const database = join(mkdtempSync(join(tmpdir(), 'b24chain-kill-')), 'state.db');
  let leadIds: string[] = [];

  before(async () => {
    emulator = await startEmulatorProcess(['--seed', 'empty', '--leads', '1500', '--random-seed', '7', '--rate', '50', '--burst', '100', '--write-ms', '3']);
    leadIds = (await listAll(emulator.webhookUrl, 'crm.lead.list', { filter: { STATUS_ID: 'IN_PROCESS' }, select: ['ID'] })).map((row) => row.ID as string);
  });
  after(async () => emulator?.stop());

  it('ends with exactly one contact and one deal per lead, every lead converted', async () => {
    assert.ok(leadIds.length >= 50, `the generator made ${leadIds.length} IN_PROCESS leads`);
    const env = webhookEnv(emulator, database);
    const killPoints = seededKillPoints(11, 4, 4);
    const first = startCli(
      ['run', 'chains/core/lead-to-deal.yml', '--confirm-write', '--concurrency', '4', '--json'],
      env,
      killAfterProgress(killPoints[0] as number),
    );
    const killed = await first.done;
    let runId: string | undefined;
    const status = JSON.parse((await runCli(['status', '--json'], env)).stdout) as { runs: Array<{ runId: string; status: string }> };
    runId = status.runs[0]?.runId;
    if (killed.code === 0) return assert.fail('the first run finished before it was killed: give it more leads');
    assert.ok(runId, 'the killed run is listed by chain status');

    const refusal = await runCli(['run', 'chains/core/lead-to-deal.yml', '--confirm-write', '--json'], env);
    assert.equal(refusal.code, 2, 'a second run of the same chain is refused while one is unfinished');
    assert.match(refusal.stdout, new RegExp(`chain resume ${runId}`));

    let finished = false;
    let kills = 1;
    let _reconciledSeen = 0;
    for (let attempt = 1; attempt <= 8 && !finished; attempt += 1) {
      const point = killPoints[attempt];
      const resume = startCli(
        ['resume', runId, '--confirm-write', '--concurrency', '4', '--json'],
        env,
        point === undefined ? undefined : killAfterProgress(point),
      );
      const result = await resume.done;
      if (result.code === 0) {
        const document = JSON.parse(result.stdout) as { status: string; counts: { reconciled: number }; outputs: { converted: number } };
        assert.equal(document.status, 'done');
        assert.equal(document.outputs.converted, leadIds.length, 'the output counts every item of the whole run, across resumes');
        assert.ok(document.counts.reconciled <= 4 * 50, `at most --concurrency batches reconciled, got ${document.counts.reconciled} writes`);
        _reconciledSeen += document.counts.reconciled;
        finished = true;
      } else {
        assert.ok(result.signal === 'SIGKILL' || result.code === 3, `resume ended with ${result.code}: ${result.stderr}${result.stdout}`);
        if (result.signal === 'SIGKILL') kills += 1;
      }
    }
    assert.ok(finished, 'the run finished within 8 resumes');
    assert.ok(kills >= 3, `the run was killed at ${kills} points`);

    const contacts = await listAll(emulator.webhookUrl, 'crm.contact.list', { filter: { ORIGINATOR_ID: 'b24chain' }, select: ['ID', 'ORIGIN_ID'] });
    const deals = await listAll(emulator.webhookUrl, 'crm.deal.list', { filter: { ORIGINATOR_ID: 'b24chain' }, select: ['ID', 'ORIGIN_ID', 'CONTACT_ID'] });
    const expected = leadIds.map((id) => `lead-${id}`).sort();
    assert.deepEqual(contacts.map((row) => row.ORIGIN_ID).sort(), expected, 'exactly one contact per lead');
    assert.deepEqual(deals.map((row) => row.ORIGIN_ID).sort(), expected, 'exactly one deal per lead');
    const contactByOrigin = new Map(contacts.map((row) => [row.ORIGIN_ID, row.ID]));
    for (const deal of deals) assert.equal(deal.CONTACT_ID, contactByOrigin.get(deal.ORIGIN_ID), `deal ${deal.ID} points at its lead's contact`);
    const converted = await listAll(emulator.webhookUrl, 'crm.lead.list', { filter: { '@ID': leadIds }, select: ['ID', 'STATUS_ID'] });
    assert.equal(converted.length, leadIds.length);
    assert.ok(
      converted.every((row) => row.STATUS_ID === 'CONVERTED'),
      'every lead converted',
    );
  });
});
