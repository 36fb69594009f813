import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CallStep } from '../../src/chain/chain-model.ts';
import { BatchAssembler, MAX_BATCH_COMMANDS } from '../../src/runner/assemble-batch.ts';
import type { CompiledItem, ItemCommand } from '../../src/runner/compile-item-commands.ts';
import { newItemState, type ItemState } from '../../src/runner/item-state.ts';

const page = { index: 0, cursorAfter: undefined, rows: 0, remaining: 0 };

function itemOf(key: string): ItemState {
  return newItemState(key, { ID: key }, page, 0);
}

function commands(count: number): ItemCommand[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `c${index}`,
    subStep: {} as CallStep,
    method: 'crm.lead.update',
    params: {},
    referencesBatch: false,
  }));
}

/** Items whose key says how many commands they need: "3" → 3, "done" → finished, "stuck" → nothing sendable. */
function assembler(compiledKeys: string[] = [], maxCommands = MAX_BATCH_COMMANDS): BatchAssembler {
  return new BatchAssembler(async (item): Promise<CompiledItem> => {
    compiledKeys.push(item.key);
    if (item.key.startsWith('done')) return { item, commands: [], finished: true };
    if (item.key.startsWith('stuck')) return { item, commands: [], finished: false };
    return { item, commands: commands(Number(item.key.split('-')[0])), finished: false };
  }, maxCommands);
}

const keysOf = (members: CompiledItem[]): string[] => members.map((member) => member.item.key);

describe('BatchAssembler', () => {
  it('packs items in order up to 50 commands and carries the item that does not fit, whole, to the next batch', async () => {
    const batches = assembler();
    for (const key of ['20-a', '20-b', '20-c', '5-d']) batches.add(itemOf(key));
    const first = await batches.next();
    assert.deepEqual(keysOf(first.members), ['20-a', '20-b']);
    assert.equal(batches.waiting, 2);
    const second = await batches.next();
    assert.deepEqual(keysOf(second.members), ['20-c', '5-d']);
    assert.equal(batches.waiting, 0);
    assert.deepEqual(keysOf((await batches.next()).members), []);
  });

  it('sends an item larger than a batch alone rather than never', async () => {
    const batches = assembler([], 4);
    batches.add(itemOf('6-big'));
    batches.add(itemOf('1-small'));
    assert.deepEqual(keysOf((await batches.next()).members), ['6-big']);
    assert.deepEqual(keysOf((await batches.next()).members), ['1-small']);
  });

  it('hands finished and unsendable items back without putting them in the batch', async () => {
    const batches = assembler();
    for (const key of ['done-a', '2-b', 'stuck-c', '1-d']) batches.add(itemOf(key));
    const batch = await batches.next();
    assert.deepEqual(keysOf(batch.members), ['2-b', '1-d']);
    assert.deepEqual(keysOf(batch.finished), ['done-a']);
    assert.deepEqual(keysOf(batch.unsendable), ['stuck-c']);
  });

  it('compiles an item only when it is taken, so a retried item sees the results that came in meanwhile', async () => {
    const compiled: string[] = [];
    const batches = assembler(compiled, 3);
    batches.add(itemOf('2-a'));
    batches.add(itemOf('2-b'));
    await batches.next();
    assert.deepEqual(compiled, ['2-a', '2-b']); // b was compiled, did not fit, and is carried as compiled
    batches.add(itemOf('2-a'));
    assert.deepEqual(keysOf((await batches.next()).members), ['2-b']);
    assert.deepEqual(keysOf((await batches.next()).members), ['2-a']);
    assert.deepEqual(compiled, ['2-a', '2-b', '2-a']);
  });
});
