/** The commerce pack's chains through the real CLI against an emulator process (demo seed). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { methodDelta, useLibraryHarness } from './helpers/use-library-harness.ts';

const WRITES = [
  'sale.order.add',
  'sale.order.update',
  'sale.payment.add',
  'sale.shipment.add',
  'sale.shipment.update',
  'catalog.product.update',
  'catalog.price.add',
  'catalog.price.update',
];
const writesIn = (delta: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(delta).filter(([method]) => WRITES.includes(method)));

describe('chains/commerce', () => {
  const harness = useLibraryHarness();
  const files = ['commerce/order-to-payment.yml', 'commerce/product-price-sync.yml', 'commerce/delivery-assignment.yml'];

  /** Runs twice with --confirm-write; returns the writes each run sent. */
  async function runTwice(file: string, args: string[]): Promise<Array<Record<string, number>>> {
    const sent: Array<Record<string, number>> = [];
    for (let round = 0; round < 2; round += 1) {
      const before = await harness.methodCounts();
      const { cli } = await harness.run(file, [...args, '--confirm-write']);
      assert.equal(cli.code, 0, cli.stdout + cli.stderr);
      sent.push(writesIn(methodDelta(before, await harness.methodCounts())));
    }
    return sent;
  }

  it('validates clean, each chain naming the scope it needs', async () => {
    const { cli, files: reports } = await harness.validate(files);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(
      reports.map((report) => [report.valid, report.scopes, report.destructive.length]),
      [
        [true, ['sale'], 0],
        [true, ['catalog'], 0],
        [true, ['sale'], 0],
      ],
    );
  });

  it('refuses to write without --confirm-write (exit 2, nothing written)', async () => {
    const inputs: Record<string, string[]> = {
      'commerce/order-to-payment.yml': ['--input', 'xml_id=REFUSED-1', '--input', 'amount=1'],
      'commerce/product-price-sync.yml': ['--input', 'rows=[{"xml_id":"X","price":1}]'],
      'commerce/delivery-assignment.yml': ['--input', 'order_id=1'],
    };
    for (const file of files) {
      const before = await harness.methodCounts();
      const { cli } = await harness.run(file, inputs[file] ?? []);
      assert.equal(cli.code, 2, `${file}: ${cli.stdout}${cli.stderr}`);
      assert.match(cli.stdout + cli.stderr, /confirm-write/);
      assert.deepEqual(writesIn(methodDelta(before, await harness.methodCounts())), {}, file);
    }
  });

  it('order-to-payment: one order by xmlId, one paid payment, the status set; nothing twice', async () => {
    const sent = await runTwice('commerce/order-to-payment.yml', [
      '--input',
      'xml_id=SHOP-1001',
      '--input',
      'amount=149.9',
      '--input',
      'paid=true',
      '--input',
      'comment=web shop',
    ]);
    assert.deepEqual(sent[0], { 'sale.order.add': 1, 'sale.payment.add': 1, 'sale.order.update': 1 });
    assert.deepEqual(sent[1], {}, 'the second run writes nothing');
    const { orders } = (await harness.read('sale.order.list', { filter: { xmlId: 'SHOP-1001' } })) as { orders: Array<Record<string, unknown>> };
    assert.equal(orders.length, 1);
    assert.equal(orders[0]?.statusId, 'P');
    assert.equal(orders[0]?.payed, 'Y', 'the paid payment marked the order paid');
    const { payments } = (await harness.read('sale.payment.list', { filter: { orderId: orders[0]?.id } })) as { payments: Array<Record<string, unknown>> };
    assert.deepEqual(
      payments.map((payment) => [payment.sum, payment.paid]),
      [[149.9, 'Y']],
    );
  });

  it('product-price-sync: renames, adds a missing price, updates a changed one, skips unknown codes; nothing twice', async () => {
    const add = async (fields: Record<string, unknown>): Promise<number> =>
      ((await harness.read('catalog.product.add', { fields: { iblockId: 23, ...fields } })) as { element: { id: number } }).element.id;
    const desk = await add({ name: 'Desk', xmlId: 'SKU-1' });
    const chair = await add({ name: 'Chair', xmlId: 'SKU-2' });
    await harness.read('catalog.price.add', { fields: { productId: chair, catalogGroupId: 1, price: 50, currency: 'USD' } });
    const rows = JSON.stringify([
      { xml_id: 'SKU-1', name: 'Desk Pro', price: 120 },
      { xml_id: 'SKU-2', name: 'Chair', price: 55 },
      { xml_id: 'SKU-9', price: 1 },
    ]);

    const sent = await runTwice('commerce/product-price-sync.yml', ['--input', `rows=${rows}`]);

    assert.deepEqual(sent[0], { 'catalog.product.update': 1, 'catalog.price.add': 1, 'catalog.price.update': 1 });
    assert.deepEqual(sent[1], {});
    const { product } = (await harness.read('catalog.product.get', { id: desk })) as { product: { name: string } };
    assert.equal(product.name, 'Desk Pro');
    const { prices } = (await harness.read('catalog.price.list', {
      filter: { catalogGroupId: 1, '@productId': [desk, chair] },
      order: { productId: 'ASC' },
    })) as { prices: Array<{ productId: number; price: number }> };
    assert.deepEqual(
      prices.map((price) => [price.productId, Number(price.price)]).sort(),
      [
        [chair, 55],
        [desk, 120],
      ].sort(),
    );
  });

  it('delivery-assignment: adds the shipment with the chosen service, switches it on request, never adds a second', async () => {
    const { order } = (await harness.read('sale.order.add', { fields: { lid: 's1', personTypeId: 1, currency: 'USD', xmlId: 'SHOP-2001' } })) as {
      order: { id: number };
    };
    const sent = await runTwice('commerce/delivery-assignment.yml', ['--input', `order_id=${order.id}`, '--input', 'delivery=Courier']);
    assert.deepEqual(sent[0], { 'sale.shipment.add': 1 });
    assert.deepEqual(sent[1], {});
    const switched = await runTwice('commerce/delivery-assignment.yml', ['--input', `order_id=${order.id}`, '--input', 'delivery=pickup']);
    assert.deepEqual(switched, [{ 'sale.shipment.update': 1 }, {}]);
    const services = (await harness.read('sale.delivery.getlist', { SELECT: ['ID', 'CODE'] })) as Array<{ ID: number; CODE: string }>;
    const { shipments } = (await harness.read('sale.shipment.list', { filter: { orderId: order.id }, order: { id: 'ASC' } })) as {
      shipments: Array<{ deliveryId: number; allowDelivery: string; deducted: string; system: string }>;
    };
    assert.deepEqual(
      shipments.map((shipment) => [shipment.system, shipment.deliveryId, shipment.allowDelivery, shipment.deducted]),
      [
        ['Y', services.find((service) => service.CODE === 'empty')?.ID, 'N', 'N'],
        ['N', services.find((service) => service.CODE === 'pickup')?.ID, 'Y', 'N'],
      ],
      'the system shipment stays; one real shipment with the chosen service',
    );
  });
});
