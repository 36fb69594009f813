import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPortal, caught, type TestPortal } from './emulator-client.ts';
import { isInvalidRequestError } from '../../src/errors/invalid-request-error.ts';
import { isBatchCommandError } from '../../src/errors/batch-command-error.ts';
import type { BatchCommand } from '../../src/protocol/encode-batch-commands.ts';
import { createUndiciTransport, type BatchCommandOutcome, type BatchResult, type Transport } from '../../src/client/index.ts';
import { NetworkError } from '../../src/errors/network-error.ts';

/** The names of the commands with this outcome, in order. */
function named(result: BatchResult, status: BatchCommandOutcome['status']): string[] {
  return Object.entries(result.outcomes).flatMap(([name, outcome]) => (outcome.status === status ? [name] : []));
}

/** The result of a command that must be done. */
function resultOf(result: BatchResult, name: string): unknown {
  const outcome = result.outcomes[name];
  assert.equal(outcome?.status, 'done', `${name}: ${JSON.stringify(outcome)}`);
  return outcome.result;
}

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
    const commands = Object.fromEntries(
      TRICKY_TITLES.map((title, index) => [`add${index}`, { method: 'crm.lead.add', params: { fields: { TITLE: title, COMMENTS: title } } }]),
    );
    // `$result[not_a_command]` is plain text inside a longer value; the client must not mistake it for a reference.
    const written = await caught(() => client.batch(commands));
    assert.ok(isInvalidRequestError(written) && written.code === 'BATCH_REFERENCE_UNKNOWN', 'an unknown reference is refused even inside text');
    const safeTitles = TRICKY_TITLES.filter((title) => !title.includes('$result'));
    const safe = Object.fromEntries(safeTitles.map((title, index) => [`add${index}`, { method: 'crm.lead.add', params: { fields: { TITLE: title } } }]));
    const added = await client.batch(safe);
    assert.deepEqual(named(added, 'failed'), []);
    const reads = Object.fromEntries(
      safeTitles.map((_, index) => [`get${index}`, { method: 'crm.lead.get', params: { id: resultOf(added, `add${index}`) as number } }]),
    );
    const read = await client.batch(reads);
    for (const [index, title] of safeTitles.entries()) assert.equal((resultOf(read, `get${index}`) as { TITLE: string }).TITLE, title);
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
    const commands = Object.fromEntries(
      Array.from({ length: 120 }, (_, index) => [`lead${index}`, { method: 'crm.lead.add', params: { fields: { TITLE: `Lead ${index}` } } }]),
    );
    const result = await client.batch(commands);
    assert.equal(result.requests, 3);
    assert.equal(named(result, 'done').length, 120);
    assert.deepEqual(named(result, 'not-executed'), []);
    const stats = await portal.emulator.stats();
    assert.equal(stats.methods.batch, 3);
    assert.equal(stats.methods['crm.lead.add'], 120);
    assert.equal(stats.refusals.ERROR_BATCH_LENGTH_EXCEEDED, undefined);
  });

  it('keeps dependent commands in the same request when splitting (contact → deal via $result)', async () => {
    const client = portal.webhookClient();
    const commands: Array<[string, BatchCommand]> = Array.from({ length: 48 }, (_, index) => [
      `filler${index}`,
      { method: 'crm.lead.add', params: { fields: { TITLE: `F${index}` } } },
    ]);
    commands.push(['contact', { method: 'crm.contact.add', params: { fields: { NAME: 'Ann', LAST_NAME: 'Lee' } } }]);
    commands.push(['deal', { method: 'crm.deal.add', params: { fields: { TITLE: 'Deal for Ann', CONTACT_ID: '$result[contact]' } } }]);
    commands.push(['check', { method: 'crm.deal.get', params: { id: '$result[deal]' } }]);
    const result = await client.batch(commands, { halt: true });
    assert.equal(result.requests, 2);
    const deal = resultOf(result, 'check') as { CONTACT_ID: string; TITLE: string };
    assert.equal(deal.TITLE, 'Deal for Ann');
    assert.equal(String(deal.CONTACT_ID), String(resultOf(result, 'contact')));
  });

  it('reports per-command errors by name and, with halt, the commands not executed', async () => {
    const client = portal.webhookClient();
    const commands = {
      ok: { method: 'crm.lead.add', params: { fields: { TITLE: 'fine' } } },
      missing: { method: 'crm.lead.get', params: { id: 999999 } },
      after: { method: 'crm.lead.add', params: { fields: { TITLE: 'never' } } },
    };
    const halted = await client.batch(commands, { halt: true });
    assert.ok(typeof resultOf(halted, 'ok') === 'number');
    const missing = halted.outcomes.missing;
    assert.equal(missing?.status, 'failed');
    const error = missing.error;
    assert.ok(isBatchCommandError(error));
    assert.equal(error.command, 'missing');
    assert.equal(error.method, 'crm.lead.get');
    assert.equal(error.category, 'not-found');
    assert.deepEqual(named(halted, 'not-executed'), ['after']);
    const free = await client.batch(commands, { halt: false });
    assert.deepEqual(named(free, 'not-executed'), []);
    assert.ok(typeof resultOf(free, 'after') === 'number');
  });

  it('with halt, stops sending the later requests after a failure and marks them not executed', async () => {
    const client = portal.webhookClient();
    const commands: Record<string, BatchCommand> = { bad: { method: 'crm.lead.get', params: { id: 999999 } } };
    for (let index = 0; index < 60; index += 1) commands[`c${index}`] = { method: 'crm.lead.add', params: { fields: { TITLE: `${index}` } } };
    const result = await client.batch(commands, { halt: true });
    assert.equal(result.requests, 1);
    assert.equal(named(result, 'not-executed').length, 60);
    assert.equal((await portal.emulator.stats()).methods['crm.lead.add'], undefined);
  });

  it('refuses, before sending: nested batch, an unknown reference, a reference group larger than 50', async () => {
    const client = portal.webhookClient();
    const nested = await caught(() => client.batch({ inner: { method: 'batch', params: { cmd: { a: 'server.time' } } } }));
    assert.ok(isInvalidRequestError(nested) && nested.code === 'BATCH_NESTED');
    const unknown = await caught(() => client.batch({ deal: { method: 'crm.deal.add', params: { fields: { CONTACT_ID: '$result[contact][ID]' } } } }));
    assert.ok(isInvalidRequestError(unknown) && unknown.code === 'BATCH_REFERENCE_UNKNOWN');
    const chain = Object.fromEntries(
      Array.from({ length: 60 }, (_, index) => [`c${index}`, { method: 'crm.lead.get', params: { id: index === 0 ? 1 : `$result[c${index - 1}][ID]` } }]),
    );
    const tooLong = await caught(() => client.batch(chain));
    assert.ok(isInvalidRequestError(tooLong) && tooLong.code === 'BATCH_GROUP_TOO_LARGE');
    assert.equal((await portal.emulator.stats()).httpRequests, 0);
  });

  it('accepts pre-encoded "method?query" strings', async () => {
    const client = portal.webhookClient();
    const result = await client.batch({ time: 'server.time', list: 'crm.lead.list?select[]=ID&filter[>ID]=0' });
    assert.ok(typeof resultOf(result, 'time') === 'string');
    assert.deepEqual(resultOf(result, 'list'), []);
    const list = result.outcomes.list;
    assert.equal(list?.status === 'done' ? list.total : undefined, 0);
  });
});

describe('B24Client.batch: one outcome per command', () => {
  /** A transport whose answer to the second batch request is lost after the portal ran it. */
  function losingSecondBatch(): Transport {
    const real = createUndiciTransport();
    let batches = 0;
    return {
      async send(request, label) {
        const response = await real.send(request, label);
        batches += label === 'batch' ? 1 : 0;
        if (label === 'batch' && batches === 2)
          throw new NetworkError({ method: label, phase: 'exchange', systemCode: 'UND_ERR_SOCKET', detail: 'other side closed' });
        return response;
      },
      close: () => real.close(),
    };
  }

  it('reports done, failed and unknown by name when the answer of a later request is lost', async () => {
    const client = portal.webhookClient({ transport: losingSecondBatch() });
    const commands: Record<string, BatchCommand> = { missing: { method: 'crm.lead.get', params: { id: 999999 } } };
    for (let index = 0; index < 60; index += 1) commands[`lead${index}`] = { method: 'crm.lead.add', params: { fields: { TITLE: `${index}` } } };
    const result = await client.batch(commands);
    assert.equal(result.requests, 1, 'the second request was never answered');
    assert.deepEqual(named(result, 'failed'), ['missing']);
    assert.equal(named(result, 'done').length, 49);
    assert.deepEqual(
      named(result, 'unknown'),
      Array.from({ length: 11 }, (_, index) => `lead${index + 49}`),
    );
    assert.deepEqual(named(result, 'not-executed'), []);
    const lost = result.outcomes.lead59;
    assert.equal(lost?.status, 'unknown');
    assert.equal(lost.cause, result.failure);
    assert.equal((await portal.emulator.stats()).methods['crm.lead.add'], 60, 'the portal ran every write exactly once; none was re-sent');
  });
});
