import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts';
import { generateLeads } from '../../../src/emulator/seed/generate-leads.ts';
import { http } from '../../helpers/http.ts';

let emulator: RunningEmulator;

before(async () => {
  emulator = await startEmulator({ rate: 10_000, burst: 10_000 });
});
after(async () => emulator.close());
beforeEach(async () => emulator.reset());

describe('method families through the HTTP core', () => {
  it('takes form-encoded fields (strings for numbers) and answers the legacy shapes', async () => {
    const added = await http(`${emulator.webhookUrl}crm.lead.add.json`, {
      form: 'fields[TITLE]=Form%20lead&fields[OPPORTUNITY]=250&fields[PHONE][0][VALUE]=%2B15550001&fields[PHONE][0][VALUE_TYPE]=WORK',
    });
    assert.equal(added.status, 200);
    assert.equal(added.body.result, 1);
    const listed = await http(`${emulator.webhookUrl}crm.lead.list?filter[%3EOPPORTUNITY]=100&select[]=ID&select[]=PHONE`);
    assert.deepEqual(listed.body.result, [{ ID: '1', PHONE: [{ ID: '1', VALUE_TYPE: 'WORK', VALUE: '+15550001', TYPE_ID: 'PHONE' }] }]);
    assert.equal(listed.body.total, 1);
    assert.equal('next' in listed.body, false);
    const missing = await http(`${emulator.webhookUrl}crm.lead.get?id=7`);
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body, { error: '', error_description: 'Not found' });
  });

  it('pages 2,500 rows per batch with keyset references, as DESIGN.md §3 chains them', async () => {
    generateLeads(emulator.portal, 3_000, { seed: 5 });
    const commands: Record<string, string> = { p0: 'crm.lead.list?order[ID]=ASC&filter[>ID]=0&select[]=ID&start=-1' };
    for (let index = 1; index < 50; index += 1) {
      commands[`p${index}`] = `crm.lead.list?order[ID]=ASC&filter[>ID]=$result[p${index - 1}][49][ID]&select[]=ID&start=-1`;
    }
    const answer = await http(`${emulator.webhookUrl}batch`, { json: { halt: 1, cmd: commands } });
    assert.equal(answer.status, 200);
    const pages = answer.body.result.result as Record<string, Array<{ ID: string }>>;
    const ids = Object.values(pages).flatMap((page) => page.map((row) => Number(row.ID)));
    assert.equal(ids.length, 2_500);
    assert.deepEqual(ids.slice(0, 3), [1, 2, 3]);
    assert.equal(ids[2_499], 2_500);
    assert.deepEqual(answer.body.result.result_error, []);
  });

  it('runs the offline-event cycle for the installed application, and refuses event.* to webhooks', async () => {
    const refused = await http(`${emulator.webhookUrl}event.bind`, { json: { event: 'ONCRMDEALADD', event_type: 'offline' } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'WRONG_AUTH_TYPE');
    const auth = emulator.app.accessToken;
    const bound = await http(`${emulator.url}/rest/event.bind`, { json: { auth, event: 'ONCRMDEALADD', event_type: 'offline' } });
    assert.equal(bound.body.result, true);
    await http(`${emulator.webhookUrl}crm.deal.add`, { json: { fields: { TITLE: 'Deal' } } });
    const reserved = await http(`${emulator.url}/rest/event.offline.get`, { json: { auth, clear: 0 } });
    assert.match(reserved.body.result.process_id, /^[0-9a-f]{32}$/);
    assert.deepEqual(
      reserved.body.result.events.map((event: { EVENT_DATA: unknown }) => event.EVENT_DATA),
      [{ FIELDS: { ID: 1 } }],
    );
    const cleared = await http(`${emulator.url}/rest/event.offline.clear`, { json: { auth, process_id: reserved.body.result.process_id } });
    assert.equal(cleared.body.result, true);
    assert.equal(emulator.portal.offlineQueueSize(emulator.app.clientId), 0);
  });

  it('keeps ERROR_ARGUMENT details in the error body', async () => {
    const answer = await http(`${emulator.url}/rest/event.offline.get`, { json: { auth: emulator.app.accessToken, limit: 0 } });
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body, { error: 'ERROR_ARGUMENT', error_description: 'Value must be positive integer', argument: 'LIMIT' });
  });
});
