/**
 * The handler contract: the worker always passes `events`, so a handler may declare it required
 * (no default). Only a handler with no `events` input at all is refused.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { bindEvents } from '../../src/events/index.ts';
import { fetchStats } from '../helpers/emulator-process.ts';
import { addLeads, applicationEnv, contactsByOrigin, queueRows, runEventsCli, temporaryDatabase, useEventsPortal } from './helpers/events-fixture.ts';

const requiredEventsHandler = fileURLToPath(new URL('./fixtures/required-events.yml', import.meta.url));

describe('a handler whose events input is required', () => {
  const portal = useEventsPortal();

  it('drains the queue with chain worker --once', async () => {
    const env = applicationEnv(portal.emulator, temporaryDatabase('required-events'));
    await bindEvents(portal.client, { events: ['ONCRMLEADADD'], offline: true });
    const leads = await addLeads(portal.emulator, 7);
    assert.equal((await queueRows(portal.client)).length, 7);

    const result = await runEventsCli(['worker', '--handler', requiredEventsHandler, '--once', '--confirm-write', '--json'], env);

    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.doesNotMatch(result.stderr, /INPUT_REQUIRED/);
    const contacts = await contactsByOrigin(portal.emulator);
    assert.deepEqual([...contacts.keys()].sort(), leads.map((id) => `lead-${id}`).sort(), 'a contact for every lead');
    assert.deepEqual(await queueRows(portal.client), [], 'the queue is empty');
  });

  it('still refuses a handler with no events input, before any request (exit 2)', async () => {
    const folder = temporaryDatabase('no-events').replace(/state\.db$/, '');
    const handler = join(folder, 'no-events.yml');
    writeFileSync(handler, 'version: 1\nname: no-events\nsteps:\n  - id: me\n    call: user.current\n');
    const env = applicationEnv(portal.emulator, join(folder, 'state.db'));
    const before = (await fetchStats(portal.emulator.url)).httpRequests;
    const result = await runEventsCli(['worker', '--handler', handler, '--once'], env);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /declares none \(HANDLER_WITHOUT_EVENTS\)/);
    assert.equal((await fetchStats(portal.emulator.url)).httpRequests, before, 'nothing was sent');
  });
});
