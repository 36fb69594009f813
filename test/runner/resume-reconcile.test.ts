import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { validateChainFile } from '../../src/chain/index.ts';
import { runChain } from '../../src/runner/run-chain.ts';
import { RunStore } from '../../src/store/index.ts';
import { openStateDatabase } from '../../src/store/index.ts';
import { emulatorClient } from '../helpers/run-in-process.ts';
import { callMethod, listAll } from '../helpers/portal-reader.ts';

let emulator: RunningEmulator;
before(async () => {
  emulator = await startEmulator({ seed: 'empty', rate: 1000, burst: 1000 });
});
after(async () => emulator.close());
beforeEach(async () => emulator.reset());

const inputs = {
  title: 'Website request',
  name: 'Anna',
  email: 'anna@example.com',
  phone: '',
  score: 70,
  owner_id: 1,
  comment: '',
  score_field: 'UF_CRM_LEAD_SCORE',
};

async function prepare(file: string) {
  const report = await validateChainFile(file);
  assert.ok(report.valid && report.chain);
  const store = new RunStore(openStateDatabase(':memory:'));
  const { client, close } = emulatorClient(emulator);
  const base = { chain: report.chain, chainPath: file, chainSha256: report.sha256, summary: report.summary, inputs, client, store, confirmWrite: true };
  return { base, store, client, close };
}

describe('resume reconciles writes whose answer was never recorded', () => {
  it('a top-level add that reached the portal is found by its natural key, not sent again', async () => {
    const { base, store, client, close } = await prepare('chains/core/lead-intake.yml');
    try {
      // The crash: the lead was created, the answer never stored (the step is only "sent").
      const created = await callMethod(emulator.webhookUrl, 'crm.lead.add', {
        fields: { TITLE: 'Website request', ORIGINATOR_ID: 'b24chain', ORIGIN_ID: 'intake:anna@example.com' },
      });
      const run = store.createRun({
        portal: client.portalKey,
        chainName: 'lead-intake',
        chainPath: base.chainPath,
        chainSha256: base.chainSha256,
        inputs,
        planId: null,
      });
      store.saveStepResult(run.id, 'has_key', 'done', {});
      store.saveStepResult(run.id, 'duplicates', 'done', { items: [], count: 0 });
      store.saveStepResult(run.id, 'create', 'sent', {
        params: { fields: { TITLE: 'Website request', ORIGINATOR_ID: 'b24chain', ORIGIN_ID: 'intake:anna@example.com' } },
      });
      store.setStatus(run.id, 'interrupted');
      const before = (await emulator.stats()).methods['crm.lead.add'] ?? 0;
      const outcome = await runChain({ ...base, resume: store.getRun(run.id)! });
      assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
      assert.equal((await emulator.stats()).methods['crm.lead.add'] ?? 0, before, 'the add was not sent again');
      assert.equal(outcome.outputs.lead_id, created.result);
      assert.equal((await listAll(emulator.webhookUrl, 'crm.lead.list', { select: ['ID'] })).length, 1);
    } finally {
      await close();
    }
  });

  it('a write with no natural key stays unknown until the user decides (exit 3), then follows the decision', async () => {
    const { base, store, client, close } = await prepare('chains/core/lead-to-deal.yml');
    try {
      await callMethod(emulator.webhookUrl, 'crm.lead.add', { fields: { TITLE: 'A', STATUS_ID: 'IN_PROCESS' } });
      const run = store.createRun({
        portal: client.portalKey,
        chainName: 'lead-to-deal',
        chainPath: base.chainPath,
        chainSha256: base.chainSha256,
        inputs: { status: 'IN_PROCESS' },
        planId: null,
      });
      store.record(
        run.id,
        [{ stepId: 'convert', itemKey: '1', subStepId: 'contact', status: 'sent', method: 'crm.contact.add', params: { fields: { NAME: 'A' } } }],
        [],
      );
      store.setStatus(run.id, 'interrupted');
      const waiting = await runChain({ ...base, inputs: { status: 'IN_PROCESS' }, resume: store.getRun(run.id)! });
      assert.equal(waiting.status, 'awaiting_decision');
      assert.deepEqual(
        waiting.unknownOutcomes.map((entry) => entry.itemKey),
        ['1'],
      );
      assert.equal((await emulator.stats()).methods['crm.contact.add'] ?? 0, 0, 'nothing re-sent while undecided');
      const decided = await runChain({ ...base, inputs: { status: 'IN_PROCESS' }, resume: store.getRun(run.id)!, resolutions: new Map([['1', 'not-sent']]) });
      assert.equal(decided.status, 'done', JSON.stringify(decided.error));
      assert.equal((await listAll(emulator.webhookUrl, 'crm.contact.list', { select: ['ID'] })).length, 1);
    } finally {
      await close();
    }
  });
});
