import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBatchCommand, toBatchCommand, assertBatchable } from '../../src/protocol/encode-batch-commands.ts';
import { checkBatchReferences, findBatchReferences } from '../../src/protocol/batch-references.ts';
import { splitBatch } from '../../src/protocol/split-batch.ts';
import { normalizeBatchResponse } from '../../src/protocol/normalize-batch-response.ts';
import { parseQuery } from '../../src/protocol/php-query.ts';
import type { BatchCommand } from '../../src/protocol/encode-batch-commands.ts';
import { isInvalidRequestError } from '../../src/errors/invalid-request-error.ts';

const tricky = 'A&B=C?D#E%F[G]H+I J Привет 🎉 %26 %%';

describe('encodeBatchCommand', () => {
  it('survives PHP parse_str with every special character, nested arrays and objects', () => {
    const params = {
      fields: { TITLE: tricky, PHONE: [{ VALUE: '+1 555', VALUE_TYPE: 'WORK' }], 'KEY WITH [BRACKETS]': 'x' },
      select: ['ID', 'TITLE'],
      filter: { '>ID': 5, '%TITLE': 'a&b' },
    };
    const text = encodeBatchCommand({ method: 'crm.lead.add', params });
    assert.ok(text.startsWith('crm.lead.add?'));
    assert.equal(text.indexOf('?'), 'crm.lead.add'.length, 'only one literal ?');
    assert.ok(!text.slice(text.indexOf('?') + 1).includes('#'), 'no literal #');
    const decoded = parseQuery(text.slice(text.indexOf('?') + 1));
    assert.deepEqual(decoded.fields && (decoded.fields as Record<string, unknown>).TITLE, tricky);
    assert.deepEqual(decoded.select, ['ID', 'TITLE']);
    assert.deepEqual(decoded.filter, { '>ID': '5', '%TITLE': 'a&b' });
    assert.deepEqual((decoded.fields as Record<string, unknown>).PHONE, [{ VALUE: '+1 555', VALUE_TYPE: 'WORK' }]);
  });

  it('reads a pre-encoded "method?query" string back into a command', () => {
    assert.deepEqual(toBatchCommand('crm.lead.get?id=5'), { method: 'crm.lead.get', params: { id: '5' } });
    assert.deepEqual(toBatchCommand('server.time'), { method: 'server.time' });
  });

  it('refuses nested batch, bad names and params that are not objects', () => {
    const bad: Array<[string, BatchCommand, string]> = [
      ['inner', { method: 'batch', params: { cmd: {} } }, 'BATCH_NESTED'],
      ['x', { method: 'crm.lead.get?id=1' }, 'INVALID_METHOD_NAME'],
      ['x', { method: 'crm.lead.get', params: [1, 2] as unknown as Record<string, unknown> }, 'PARAMS_NOT_OBJECT'],
      ['has space', { method: 'crm.lead.get' }, 'INVALID_COMMAND_NAME'],
      ['a[0]', { method: 'crm.lead.get' }, 'INVALID_COMMAND_NAME'],
    ];
    for (const [name, command, code] of bad) {
      assert.throws(
        () => assertBatchable(name, command),
        (error: unknown) => isInvalidRequestError(error) && error.code === code,
        code,
      );
    }
  });
});

describe('batch references', () => {
  it('finds $result/$next/$total references anywhere in params', () => {
    const found = findBatchReferences({ method: 'x', params: { a: '$result[lead][ID]', b: { c: ['id=$next[list]'] }, d: 'prefix $total[list] suffix' } });
    assert.deepEqual(
      found.map((reference) => [reference.kind, reference.name]),
      [
        ['result', 'lead'],
        ['next', 'list'],
        ['total', 'list'],
      ],
    );
  });

  it('refuses a reference to a later or unknown command before sending', () => {
    const forward: Array<readonly [string, BatchCommand]> = [
      ['deal', { method: 'crm.deal.add', params: { fields: { CONTACT_ID: '$result[contact]' } } }],
      ['contact', { method: 'crm.contact.add', params: {} }],
    ];
    assert.throws(
      () => checkBatchReferences(forward),
      (error: unknown) => isInvalidRequestError(error) && error.code === 'BATCH_REFERENCE_FORWARD',
    );
    const unknown: Array<readonly [string, BatchCommand]> = [['deal', { method: 'crm.deal.add', params: { fields: { CONTACT_ID: '$result[ghost][ID]' } } }]];
    assert.throws(
      () => checkBatchReferences(unknown),
      (error: unknown) => isInvalidRequestError(error) && error.code === 'BATCH_REFERENCE_UNKNOWN' && /ghost/.test(error.message),
    );
  });
});

describe('splitBatch', () => {
  const command = (references: string[] = []): BatchCommand => ({
    method: 'crm.lead.add',
    params: { fields: Object.fromEntries(references.map((name, index) => [`F${index}`, `$result[${name}]`])) },
  });

  it('cuts 120 independent commands into 50 + 50 + 20, in order', () => {
    const commands = Array.from({ length: 120 }, (_, index) => [`c${index}`, command()] as const);
    const requests = splitBatch(commands);
    assert.deepEqual(
      requests.map((request) => request.length),
      [50, 50, 20],
    );
    assert.deepEqual(
      requests.flat().map(([name]) => name),
      commands.map(([name]) => name),
    );
  });

  it('never separates commands that reference each other', () => {
    // 48 independent commands, then a chain of 5 (a ← b ← c ← d ← e): the chain must move whole.
    const commands: Array<readonly [string, BatchCommand]> = Array.from({ length: 48 }, (_, index) => [`c${index}`, command()] as const);
    commands.push(['a', command()], ['b', command(['a'])], ['c', command(['b'])], ['d', command(['c', 'a'])], ['e', command(['d'])]);
    const requests = splitBatch(commands);
    const requestOf = (name: string) => requests.findIndex((request) => request.some(([candidate]) => candidate === name));
    assert.ok(requests.every((request) => request.length <= 50));
    assert.equal(new Set(['a', 'b', 'c', 'd', 'e'].map(requestOf)).size, 1);
    const inOrder = requests[requestOf('a')]?.map(([name]) => name).filter((name) => 'abcde'.includes(name));
    assert.deepEqual(inOrder, ['a', 'b', 'c', 'd', 'e']);
  });

  it('refuses a group of more than 50 commands that reference each other', () => {
    const commands = Array.from({ length: 51 }, (_, index) => [`c${index}`, command(index === 0 ? [] : [`c${index - 1}`])] as const);
    assert.throws(
      () => splitBatch(commands),
      (error: unknown) => isInvalidRequestError(error) && error.code === 'BATCH_GROUP_TOO_LARGE',
    );
  });

  it('refuses duplicate names', () => {
    assert.throws(
      () =>
        splitBatch([
          ['a', command()],
          ['a', command()],
        ]),
      (error: unknown) => isInvalidRequestError(error) && error.code === 'BATCH_DUPLICATE_NAME',
    );
  });
});

describe('normalizeBatchResponse', () => {
  it('reads empty maps sent as [] and maps sent as lists (keys 0..n-1)', () => {
    const normalized = normalizeBatchResponse({
      result: { a: 1 },
      result_error: [{ error: '', error_description: 'Not found' }],
      result_total: [],
      result_next: [],
      result_time: { a: { start: 1, operating: 2 } },
    });
    assert.ok(normalized);
    assert.equal(normalized.results.get('a'), 1);
    assert.deepEqual(normalized.errors.get('0'), { code: '', description: 'Not found' });
    assert.equal(normalized.totals.size, 0);
    assert.equal(normalized.times.get('a')?.operating, 2);
  });

  it('keeps a result whose value is false or null (executed, not missing)', () => {
    const normalized = normalizeBatchResponse({ result: { a: false, b: null }, result_error: [], result_total: [], result_next: [], result_time: [] });
    assert.ok(normalized?.results.has('a') && normalized.results.has('b'));
  });

  it('returns undefined for something that is not a batch answer', () => {
    assert.equal(normalizeBatchResponse([1, 2]), undefined);
    assert.equal(normalizeBatchResponse({ items: [] }), undefined);
  });
});
