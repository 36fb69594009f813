import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { validateChainFile } from '../../src/chain/index.ts';
import { isRefusalError } from '../../src/errors/refusal-error.ts';
import { runChain } from '../../src/runner/run-chain.ts';
import { resolveRunOptions, runDefaults } from '../../src/runner/prepare-run.ts';
import { RunStore } from '../../src/store/index.ts';
import { openStateDatabase } from '../../src/store/index.ts';
import { emulatorClient } from '../helpers/run-in-process.ts';

// Library callers of runChain meet the same rules as `chain run`: nothing is sent, no run is created.
let emulator: RunningEmulator;
before(async () => {
  emulator = await startEmulator({ seed: 'empty', rate: 1000, burst: 1000 });
});
after(async () => emulator.close());
beforeEach(async () => emulator.reset());

const file = 'chains/core/lead-intake.yml';
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

async function prepare() {
  const report = await validateChainFile(file);
  assert.ok(report.valid && report.chain);
  const store = new RunStore(openStateDatabase(':memory:'));
  const { client, close } = emulatorClient(emulator);
  const base = { chain: report.chain, chainPath: file, chainSha256: report.sha256, summary: report.summary, inputs, client, store, confirmWrite: true };
  return { base, store, client, close };
}

function refusedWith(code: string, message?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(isRefusalError(error), String(error));
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  };
}

async function assertNothingSent(): Promise<void> {
  assert.equal((await emulator.stats()).httpRequests, 0);
}

describe('runChain refuses before any request, as chain run does', () => {
  for (const concurrency of [0, 17, 2.5, Number.NaN]) {
    it(`concurrency ${concurrency} is outside the CLI's bounds (RUN_OPTION_INVALID)`, async () => {
      const { base, store, close } = await prepare();
      try {
        await assert.rejects(
          runChain({ ...base, concurrency }),
          refusedWith('RUN_OPTION_INVALID', new RegExp(`^concurrency ${concurrency}: expected a whole number from 1 to 16`)),
        );
        assert.deepEqual(store.listRuns(), []);
        await assertNothingSent();
      } finally {
        await close();
      }
    });
  }

  it('a chain that writes, without a plan, when a plan is required (PLAN_REQUIRED)', async () => {
    const { base, store, close } = await prepare();
    try {
      await assert.rejects(
        runChain({ ...base, requirePlan: true }),
        refusedWith('PLAN_REQUIRED', /lead-intake\.yml: B24_REQUIRE_PLAN=1 and this chain writes/),
      );
      assert.deepEqual(store.listRuns(), []);
      await assertNothingSent();
    } finally {
      await close();
    }
  });

  it('a write without its confirmation (CONFIRMATION_REQUIRED)', async () => {
    const { base, store, close } = await prepare();
    try {
      await assert.rejects(runChain({ ...base, confirmWrite: false }), refusedWith('CONFIRMATION_REQUIRED'));
      assert.deepEqual(store.listRuns(), []);
      await assertNothingSent();
    } finally {
      await close();
    }
  });

  it('a resume whose chain file changed since the run started (CHAIN_CHANGED), leaving the run as it was', async () => {
    const { base, store, client, close } = await prepare();
    try {
      const run = store.createRun({ portal: client.portalKey, chainName: 'lead-intake', chainPath: file, chainSha256: 'f'.repeat(64), inputs, planId: null });
      store.setStatus(run.id, 'interrupted');
      await assert.rejects(
        runChain({ ...base, resume: store.getRun(run.id)! }),
        refusedWith('CHAIN_CHANGED', new RegExp(`the chain file changed since run ${run.id} started`)),
      );
      assert.equal(store.getRun(run.id)?.status, 'interrupted');
      await assertNothingSent();
    } finally {
      await close();
    }
  });

  it('a resume of a run that belongs to another portal (PORTAL_MISMATCH), leaving the run as it was', async () => {
    const { base, store, close } = await prepare();
    try {
      const run = store.createRun({
        portal: 'https://other.bitrix24.example',
        chainName: 'lead-intake',
        chainPath: file,
        chainSha256: base.chainSha256,
        inputs,
        planId: null,
      });
      store.setStatus(run.id, 'interrupted');
      await assert.rejects(
        runChain({ ...base, resume: store.getRun(run.id)! }),
        refusedWith('PORTAL_MISMATCH', /belongs to portal https:\/\/other\.bitrix24\.example/),
      );
      assert.equal(store.getRun(run.id)?.status, 'interrupted');
      await assertNothingSent();
    } finally {
      await close();
    }
  });

  it('a new run while the same chain has an unfinished run on the portal (RUN_UNFINISHED)', async () => {
    const { base, store, client, close } = await prepare();
    try {
      const run = store.createRun({ portal: client.portalKey, chainName: 'lead-intake', chainPath: file, chainSha256: base.chainSha256, inputs, planId: null });
      store.setStatus(run.id, 'interrupted');
      await assert.rejects(runChain(base), refusedWith('RUN_UNFINISHED', new RegExp(`run ${run.id} of this chain on this portal is interrupted`)));
      assert.equal(store.listRuns().length, 1);
      await assertNothingSent();
    } finally {
      await close();
    }
  });
});

describe('resolveRunOptions', () => {
  it('fills every default and keeps what the caller gave', async () => {
    const { base, close } = await prepare();
    try {
      const resolved = resolveRunOptions(base);
      assert.equal(resolved.concurrency, runDefaults.concurrency);
      assert.equal(resolved.requirePlan, false);
      assert.equal(resolved.confirmWrite, true);
      assert.equal(resolved.confirmDestructive, false);
      assert.equal(resolved.unfinishedGuard, true);
      assert.equal(resolved.planId, null);
      assert.deepEqual(resolved.resumeFlags, []);
      assert.equal(resolved.owner.pid, process.pid);
      assert.equal(resolveRunOptions({ ...base, concurrency: 16, requirePlan: true }).concurrency, 16);
    } finally {
      await close();
    }
  });
});
