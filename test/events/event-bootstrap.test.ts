/** chains/core/event-bootstrap.yml run through an application: binds, shows the backlog, probes reserve/clear on nothing. */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { validateChainFile } from '../../src/chain/index.ts';
import { runChain, type RunOutcome } from '../../src/runner/run-chain.ts';
import { RunStore } from '../../src/store/index.ts';
import { openStateDatabase } from '../../src/store/index.ts';
import { addLeads, queueRows, useEventsPortal } from './helpers/events-fixture.ts';

const bootstrapPath = fileURLToPath(new URL('../../chains/core/event-bootstrap.yml', import.meta.url));

describe('chains/core/event-bootstrap.yml', () => {
  const portal = useEventsPortal();

  async function bootstrap(): Promise<RunOutcome> {
    const report = await validateChainFile(bootstrapPath);
    assert.ok(report.chain, JSON.stringify(report.problems));
    return runChain({
      chain: report.chain,
      chainPath: bootstrapPath,
      chainSha256: report.sha256,
      summary: report.summary,
      inputs: { events: ['ONCRMLEADADD', 'ONCRMLEADUPDATE'], auth_connector: '' },
      client: portal.client,
      store: new RunStore(openStateDatabase(':memory:')),
      confirmWrite: true,
      confirmDestructive: true,
    });
  }

  it('binds the events once, reports the backlog, and reserves or clears no real row', async () => {
    const first = await bootstrap();
    assert.equal(first.status, 'done', JSON.stringify(first.error));
    assert.deepEqual(first.outputs, { bound: 2, already_bound: 0, waiting: 0, reserve_clear_supported: true });
    await addLeads(portal.emulator, 3);

    const second = await bootstrap();

    assert.deepEqual(second.outputs, { bound: 0, already_bound: 2, waiting: 3, reserve_clear_supported: true });
    const rows = await queueRows(portal.client);
    assert.equal(rows.length, 3, 'the backlog is untouched');
    assert.ok(
      rows.every((row) => row.PROCESS_ID === ''),
      'and not reserved',
    );
  });

  it('stops on WRONG_LICENSE when the portal cannot reserve with clear=0', async () => {
    await fetch(`${portal.emulator.url}/_emulator/features`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'rest_offline_extended', enabled: false }),
    });
    const outcome = await bootstrap();
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.error?.code, 'WRONG_LICENSE');
  });
});
