import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPortal, type TestPortal } from './emulator-client.ts';
import { generateLeads } from '../../src/emulator/seed/index.ts';
import type { ListFallbackEvent } from '../../src/client/client-hooks.ts';
import type { ListPage } from '../../src/client/index.ts';

let portal: TestPortal;
before(async () => {
  portal = await startTestPortal();
});
after(async () => portal.close());
beforeEach(async () => portal.emulator.reset());

function ids(pages: ListPage[], field = 'ID'): number[] {
  return pages.flatMap((page) => page.rows.map((row) => Number((row as Record<string, unknown>)[field])));
}

async function collect(iterable: AsyncIterable<ListPage>): Promise<ListPage[]> {
  const pages: ListPage[] = [];
  for await (const page of iterable) pages.push(page);
  return pages;
}

function assertAscendingUnique(values: number[]): void {
  for (let index = 1; index < values.length; index += 1) assert.ok((values[index] as number) > (values[index - 1] as number), `not ascending at ${index}`);
}

describe('B24Client.list: keyset fast path', () => {
  it('reads 10,000 leads in at most ceil(10000/2500)+1 HTTP requests, every row once, in order', async () => {
    generateLeads(portal.emulator.portal, 10_000);
    const client = portal.webhookClient();
    const list = client.list('crm.lead.list', { select: ['ID', 'TITLE'] });
    const pages = await collect(list);
    const values = ids(pages);
    assert.equal(values.length, 10_000);
    assertAscendingUnique(values);
    assert.equal(list.total, 10_000);
    assert.equal(list.mode, 'keyset');
    const stats = await portal.emulator.stats();
    assert.ok(stats.httpRequests <= Math.ceil(10_000 / 2500) + 1, `${stats.httpRequests} requests`);
  });

  for (const size of [0, 1, 49, 50, 51, 120, 2500, 2549, 2550, 2551]) {
    it(`never stops after the first page, never repeats a row: ${size} leads`, async () => {
      generateLeads(portal.emulator.portal, size);
      const list = portal.webhookClient().list('crm.lead.list', { select: ['ID'] });
      const values = ids(await collect(list));
      assert.equal(values.length, size);
      assertAscendingUnique(values);
      const requests = (await portal.emulator.stats()).httpRequests;
      assert.ok(requests <= Math.max(1, Math.ceil(size / 2500) + 1), `${requests} requests`);
    });
  }

  it('without the count, discards the pages chained after a short one (the deepest-key substitution trap)', async () => {
    generateLeads(portal.emulator.portal, 120);
    const list = portal.webhookClient().list('crm.lead.list', { select: ['ID'] }, { count: false });
    const values = ids(await collect(list));
    assert.equal(values.length, 120);
    assertAscendingUnique(values);
    assert.equal((await portal.emulator.stats()).httpRequests, 1, 'one batch of 50 chained pages');
  });

  it("honours the caller's filter and a lower id bound", async () => {
    const { firstId } = generateLeads(portal.emulator.portal, 300, { status: 'NEW' });
    generateLeads(portal.emulator.portal, 200, { status: 'JUNK' });
    const values = ids(await collect(portal.webhookClient().list('crm.lead.list', { filter: { STATUS_ID: 'NEW', '>ID': firstId + 99 } })));
    assert.equal(values.length, 200);
    assert.equal(values[0], firstId + 100);
  });

  it('exposes its cursor: a list stopped after 3 pages resumes from it without gaps or repeats', async () => {
    generateLeads(portal.emulator.portal, 3_000);
    const client = portal.webhookClient();
    const first: ListPage[] = [];
    const list = client.list('crm.lead.list', { select: ['ID'] });
    for await (const page of list) {
      first.push(page);
      if (first.length === 3) break;
    }
    assert.deepEqual(list.cursor, first[2]?.cursor);
    const rest = await collect(client.list('crm.lead.list', { select: ['ID'] }, { cursor: list.cursor }));
    const values = [...ids(first), ...ids(rest)];
    assert.equal(values.length, 3_000);
    assertAscendingUnique(values);
  });

  it('knows crm.item.list (items, id) and tasks.task.list (tasks, id)', async () => {
    generateLeads(portal.emulator.portal, 130);
    const items = await collect(portal.webhookClient().list('crm.item.list', { entityTypeId: 1, select: ['id', 'title'] }));
    const itemIds = ids(items, 'id');
    assert.equal(itemIds.length, 130);
    assertAscendingUnique(itemIds);
    const client = portal.webhookClient();
    await client.batch(
      Object.fromEntries(
        Array.from({ length: 70 }, (_, index) => [
          `t${index}`,
          { method: 'tasks.task.add', params: { fields: { TITLE: `Task ${index}`, RESPONSIBLE_ID: 1 } } },
        ]),
      ),
    );
    const list = client.list('tasks.task.list', { select: ['ID', 'TITLE'] });
    const taskIds = ids(await collect(list), 'id');
    assert.equal(list.mode, 'keyset');
    assert.equal(taskIds.length, 70);
    assertAscendingUnique(taskIds);
  });
});

describe('B24Client.list: start offsets where keyset is impossible', () => {
  it('pages an order not by ID with start offsets, batched, and says so', async () => {
    generateLeads(portal.emulator.portal, 260);
    const fallbacks: ListFallbackEvent[] = [];
    const list = portal
      .webhookClient({ hooks: { onListFallback: (event) => fallbacks.push(event) } })
      .list('crm.lead.list', { order: { TITLE: 'ASC' }, select: ['ID', 'TITLE'] });
    const pages = await collect(list);
    const values = ids(pages);
    assert.equal(list.mode, 'offset');
    assert.equal(values.length, 260);
    assert.equal(new Set(values).size, 260);
    const titles = pages.flatMap((page) => page.rows.map((row) => String((row as Record<string, unknown>).TITLE)));
    assert.deepEqual(
      titles,
      [...titles].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    assert.equal(fallbacks.length, 1);
    assert.match(fallbacks[0]?.reason ?? '', /TITLE/);
    assert.equal((await portal.emulator.stats()).httpRequests, 2, 'a counted first page, then one batch of the other 5');
  });

  it('lists methods it does not know with offsets (user.get)', async () => {
    const list = portal.webhookClient().list('user.get', {});
    const rows = [];
    for await (const row of list.rows()) rows.push(row);
    assert.equal(list.mode, 'offset');
    assert.ok(rows.length >= 1);
  });
});
