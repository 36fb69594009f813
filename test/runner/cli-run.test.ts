import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { generateLeads } from '../../src/emulator/seed/index.ts';
import { listAll } from '../helpers/portal-reader.ts';
import { runCli, startCli, webhookEnv } from '../helpers/run-cli.ts';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';

function schemaValidator(name: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  for (const file of ['error.schema.json', 'run-result.schema.json', 'progress-event.schema.json'])
    ajv.addSchema(JSON.parse(readFileSync(`schemas/${file}`, 'utf8')));
  return ajv.getSchema(`https://b24chain.dev/schemas/${name}`)!;
}

let emulator: RunningEmulator;
let directory: string;
let env: Record<string, string>;

before(async () => {
  emulator = await startEmulator({ seed: 'empty', rate: 1000, burst: 1000, executionMs: { write: 2 } });
});
after(async () => emulator.close());
beforeEach(async () => {
  await emulator.reset();
  directory = mkdtempSync(join(tmpdir(), 'b24chain-cli-'));
  env = webhookEnv(emulator, join(directory, 'state.db'));
});

describe('chain run (CLI)', () => {
  it('exits 2 and sends nothing without --confirm-write', async () => {
    generateLeads(emulator.portal, 10, { status: 'IN_PROCESS' });
    const result = await runCli(['run', 'chains/core/lead-to-deal.yml', '--json'], env);
    assert.equal(result.code, 2);
    const document = JSON.parse(result.stdout) as { status: string; errors: Array<{ code: string; message: string }> };
    assert.equal(document.status, 'refused');
    assert.equal(document.errors[0]?.code, 'CONFIRMATION_REQUIRED');
    assert.equal((await emulator.stats()).httpRequests, 0);
  });

  it('reports an invalid input with exit 2 before any request', async () => {
    const result = await runCli(['run', 'chains/core/lead-to-deal.yml', '--input', 'nope=1', '--confirm-write'], env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /INPUT_UNKNOWN/);
    assert.equal((await emulator.stats()).httpRequests, 0);
  });

  it('Ctrl-C stops after the batches in flight (exit 3), and a changed chain file blocks resume', async () => {
    generateLeads(emulator.portal, 600, { status: 'IN_PROCESS' });
    const chainFile = join(directory, 'lead-to-deal.yml');
    copyFileSync('chains/core/lead-to-deal.yml', chainFile);
    let interrupted = false;
    const run = startCli(['run', chainFile, '--confirm-write', '--concurrency', '2', '--json'], env, (line, child) => {
      if (!interrupted && line.includes('"type":"progress"')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const result = await run.done;
    assert.equal(result.code, 3, result.stderr);
    const document = JSON.parse(result.stdout) as { runId: string; status: string; resumeCommand: string; counts: { items: { done: number } } };
    const validateResult = schemaValidator('run-result.schema.json');
    assert.ok(validateResult(document), JSON.stringify(validateResult.errors));
    const validateProgress = schemaValidator('progress-event.schema.json');
    const progressLines = result.stderr.split('\n').filter((line) => line.startsWith('{'));
    assert.ok(progressLines.length > 0);
    for (const line of progressLines) assert.ok(validateProgress(JSON.parse(line)), JSON.stringify(validateProgress.errors));
    assert.equal(document.status, 'interrupted');
    assert.ok(document.counts.items.done > 0 && document.counts.items.done < 600, `done before the stop: ${document.counts.items.done}`);
    assert.equal(document.resumeCommand, `chain resume ${document.runId} --confirm-write`, 'the hint carries the flags the run needs');

    appendFileSync(chainFile, '# edited\n');
    const refused = await runCli(['resume', document.runId, '--confirm-write'], env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /CHAIN_CHANGED/);
  });

  it('a plan is executed once and never exceeded: leads created after it are left for the next plan', async () => {
    generateLeads(emulator.portal, 20, { status: 'IN_PROCESS' });
    const planned = await runCli(['plan', 'chains/core/lead-to-deal.yml', '--json'], env);
    assert.equal(planned.code, 0, planned.stderr);
    const plan = JSON.parse(planned.stdout) as { planId: string; command: string; writes: Array<{ step: string; count: number }> };
    assert.deepEqual(
      plan.writes.map((entry) => [entry.step, entry.count]),
      [
        ['contact', 20],
        ['deal', 20],
        ['mark', 20],
      ],
    );
    assert.match(plan.command, new RegExp(`--plan ${plan.planId} --confirm-write`));
    assert.equal((await emulator.stats()).methods['crm.contact.add'] ?? 0, 0, 'planning writes nothing');

    generateLeads(emulator.portal, 5, { status: 'IN_PROCESS' });
    const executed = await runCli(['run', 'chains/core/lead-to-deal.yml', '--plan', plan.planId, '--confirm-write', '--json'], env);
    assert.equal(executed.code, 0, executed.stderr);
    const document = JSON.parse(executed.stdout) as { counts: { items: { done: number; not_planned: number } } };
    assert.equal(document.counts.items.done, 20);
    assert.equal(document.counts.items.not_planned, 5);
    assert.equal((await listAll(emulator.webhookUrl, 'crm.contact.list', { select: ['ID'] })).length, 20);
    assert.equal((await listAll(emulator.webhookUrl, 'crm.lead.list', { filter: { STATUS_ID: 'IN_PROCESS' }, select: ['ID'] })).length, 5);

    const again = await runCli(['run', 'chains/core/lead-to-deal.yml', '--plan', plan.planId, '--confirm-write'], env);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /PLAN_CONSUMED/);
  });
});
