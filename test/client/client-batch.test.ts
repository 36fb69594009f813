import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPortal, caught, type TestPortal } from './emulator-client.ts';
import { isInvalidRequestError } from '../../src/errors/invalid-request-error.ts';
import { isBatchCommandError } from '../../src/errors/batch-command-error.ts';
import type { BatchCommand } from '../../src/protocol/encode-batch-commands.ts';

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(async () => portal.close());
beforeEach(async () => portal.emulator.reset());

const TRICKY_TITLES = [
  'Smith & Sons = "best"?',
  'hash # and percent % and %26 and %%',
  'brackets [0] [TITLE] ]['.concat('[]'),
  'plus + and  double  spaces ',
  'Кириллица: ООО «Ромашка»',
  'emoji 🎉👩‍💻 and 中文',
  '$result[not_a_command][ID] stays text',
  'a=1&b=2&fields[TITLE]=hijack',
];

describe('B24Client.batch: encoding', () => {
  it('writes titles with & = ? # % [ ] + spaces, Cyrillic and emoji through batch and reads them back unchanged', async () => {
    const client = portal.webhookClient();
    const commands = Object.fromEntries(TRICKY_TITLES.map((title, index) => [`add${index}`, { method: 'crm.lead.add', params: { fields: { TITLE: title, COMMENTS: title } } }]));
    // `$result[not_a_command]` is plain text inside a longer value; the client must not mistake it for a reference.
    const written = await caught(() => client.batch(commands));
    assert.ok(isInvalidRequestError(written) && written.code === 'BATCH_REFERENCE_UNKNOWN', 'an unknown reference is refused even inside text');
    const safeTitles = TRICKY_TITLES.filter((title) => !title.includes('$result'));
    const safe = Object.fromEntries(safeTitles.map((title, index) => [`add${index}`, { method: 'crm.lead.add', params: { fields: { TITLE: title } } }]));
    const added = await client.batch(safe);
    assert.deepEqual(Object.keys(added.errors), []);
    const reads = Object.fromEntries(safeTitles.map((_, index) => [`get${index}`, { method: 'crm.lead.get', params: { id: added.results[`add${index}`] as number } }]));
    const read = await client.batch(reads);
    safeTitles.forEach((title, index) => assert.equal((read.results[`get${index}`] as { TITLE: string }).TITLE, title));
    // And through a single call (JSON body) too.
    for (const title of safeTitles) {
      const id = (await client.call<number>('crm.lead.add', { fields: { TITLE: title } })).result;
      assert.equal((await client.call<{ TITLE: string }>('crm.lead.get', { id })).result.TITLE, title);
    }
  });
});

describe('B24Client.batch: splitting, results by name, errors, halt', () => {
  it('splits 120 commands into 3 requests and keeps every result by name', async () => {
    const client = portal.webhookClient();
    const commands = Object.fromEntries(Array.from({ length: 120 }, (_, index) => [`lead${index}`, { method: 'crm.lead.add', params: { fields: { TITLE: `Lead ${index}` } } }]));
    const result = await client.batch(commands);
    assert.equal(result.requests, 3);
    assert.equal(Object.keys(result.results).length, 120);
    assert.deepEqual(result.notExecuted, []);
    const stats = await portal.emulator.stats();
    assert.equal(stats.methods.batch, 3);
    assert.equal(stats.methods['crm.lead.add'], 120);
    assert.equal(stats.refusals.ERROR_BATCH_LENGTH_EXCEEDED, undefined);
  });

  it('keeps dependent commands in the same request when splitting (contact → deal via $result)', async () => {
    const client = portal.webhookClient();
    const commands: Array<[string, BatchCommand]> = Array.from({ length: 48 }, (_, index) => [`filler${index}`, { method: 'crm.lead.add', params: { fields: { TITLE: `F${index}` } } }]);
    commands.push(['contact', { method: 'crm.contact.add', params: { fields: { NAME: 'Ann', LAST_NAME: 'Lee' } } }]);
    commands.push(['deal', { method: 'crm.deal.add', params: { fields: { TITLE: 'Deal for Ann', CONTACT_ID: '$result[contact]' } } }]);
    commands.push(['check', { method: 'crm.deal.get', params: { id: '$result[deal]' } }]);
    const result = await client.batch(commands, { halt: true });
    assert.equal(result.requests, 2);
    const deal = result.results.check as { CONTACT_ID: string; TITLE: string };
    assert.equal(deal.TITLE, 'Deal for Ann');
    assert.equal(String(deal.CONTACT_ID), String(result.results.contact));
  });

  it('reports per-command errors by name and, with halt, the commands not executed', async () => {
    const client = portal.webhookClient();
    const commands = {
      ok: { method: 'crm.lead.add', params: { fields: { TITLE: 'fine' } } },
      missing: { method: 'crm.lead.get', params: { id: 999999 } },
      after: { method: 'crm.lead.add', params: { fields: { TITLE: 'never' } } },
    };
    const halted = await client.batch(commands, { halt: true });
    assert.ok(typeof halted.results.ok === 'number');
    const error = halted.errors.missing;
    assert.ok(isBatchCommandError(error));
    assert.equal(error.command, 'missing');
    assert.equal(error.method, 'crm.lead.get');
    assert.equal(error.category, 'not-found');
    assert.deepEqual(halted.notExecuted, ['after']);
    const free = await client.batch(commands, { halt: false });
    assert.deepEqual(free.notExecuted, []);
    assert.ok(typeof free.results.after === 'number');
  });

  it('with halt, stops sending the later requests after a failure and marks them not executed', async () => {
    const client = portal.webhookClient();
    const commands: Record<string, BatchCommand> = { bad: { method: 'crm.lead.get', params: { id: 999999 } } };
    for (let index = 0; index < 60; index += 1) commands[`c${index}`] = { method: 'crm.lead.add', params: { fields: { TITLE: `${index}` } } };
    const result = await client.batch(commands, { halt: true });
    assert.equal(result.requests, 1);
    assert.equal(result.notExecuted.length, 60);
    assert.equal((await portal.emulator.stats()).methods['crm.lead.add'], undefined);
  });

  it('refuses, before sending: nested batch, an unknown reference, a reference group larger than 50', async () => {
    const client = portal.webhookClient();
    const nested = await caught(() => client.batch({ inner: { method: 'batch', params: { cmd: { a: 'server.time' } } } }));
    assert.ok(isInvalidRequestError(nested) && nested.code === 'BATCH_NESTED');
    const unknown = await caught(() => client.batch({ deal: { method: 'crm.deal.add', params: { fields: { CONTACT_ID: '$result[contact][ID]' } } } }));
    assert.ok(isInvalidRequestError(unknown) && unknown.code === 'BATCH_REFERENCE_UNKNOWN');
    const chain = Object.fromEntries(Array.from({ length: 60 }, (_, index) => [`c${index}`, { method: 'crm.lead.get', params: { id: index === 0 ? 1 : `$result[c${index - 1}][ID]` } }]));
    const tooLong = await caught(() => client.batch(chain));
    assert.ok(isInvalidRequestError(tooLong) && tooLong.code === 'BATCH_GROUP_TOO_LARGE');
    assert.equal((await portal.emulator.stats()).httpRequests, 0);
  });

  it('accepts pre-encoded "method?query" strings', async () => {
    const client = portal.webhookClient();
    const result = await client.batch({ time: 'server.time', list: 'crm.lead.list?select[]=ID&filter[>ID]=0' });
    assert.ok(typeof result.results.time === 'string');
    assert.deepEqual(result.results.list, []);
    assert.equal(result.totals.list, 0);
  });
});
