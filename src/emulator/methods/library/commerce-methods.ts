/**
 * The commerce pack (docs `api-reference/sale/`, `api-reference/catalog/`): orders, payments and
 * shipments keyed by `xmlId`, the portal's delivery services (`sale.delivery.getlist`, UPPER_CASE keys,
 * numeric ids, built in: "No delivery", "Pickup", "Courier"), products and prices. camelCase methods
 * answer `{order: {...}}`, `{orders: [...]}`, ... with numeric ids. A payment or shipment must name an
 * existing order, a shipment an existing delivery service, a price an existing product; a paid
 * payment marks its order paid (`payed: 'Y'`); a new order comes with its system shipment
 * (`system: 'Y'`).
 */
import { buildFilter, type ResolveField } from '../../list/build-filter.ts';
import { parseOrder, readStart } from '../../list/parse-list-params.ts';
import { runListQuery } from '../../list/run-list-query.ts';
import type { GenericRecord } from '../../state/portal-records.ts';
import { RestError, type MethodCall, type MethodSpec } from '../../types.ts';
import { makeGenericFamily } from '../generic/make-generic-family.ts';
import { asList, pickParam } from '../read-params.ts';
import { ensureBuiltIn, objectParam, requireRecord, withChecks, withEffects, withTypedFields } from './checked-family.ts';

const BUILT_IN_DELIVERIES = [
  { PARENT_ID: null, NAME: 'No delivery', CODE: 'empty', ACTIVE: 'Y', DESCRIPTION: '', SORT: 100, CURRENCY: 'USD' },
  { PARENT_ID: null, NAME: 'Pickup', CODE: 'pickup', ACTIVE: 'Y', DESCRIPTION: 'Pickup from the store', SORT: 200, CURRENCY: 'USD' },
  { PARENT_ID: null, NAME: 'Courier', CODE: 'courier', ACTIVE: 'Y', DESCRIPTION: 'Courier delivery', SORT: 300, CURRENCY: 'USD' },
];

/** Price types (catalog groups); BASE exists on every portal. */
const BUILT_IN_PRICE_TYPES = [{ NAME: 'BASE', BASE: 'Y', SORT: 100 }];

function deliveries(call: MethodCall) {
  const table = call.portal.genericTable('sale.delivery');
  ensureBuiltIn(table, BUILT_IN_DELIVERIES);
  return table;
}

function priceTypes(call: MethodCall) {
  const table = call.portal.genericTable('catalog.group');
  ensureBuiltIn(table, BUILT_IN_PRICE_TYPES);
  return table;
}

function order(call: MethodCall, raw: unknown) {
  return requireRecord(call.portal.genericTable('sale.order'), raw, 'orderId', 'ERROR_ORDER_NOT_EXISTS', 'order does not exist');
}

/** sale.delivery.getlist: SELECT, FILTER, ORDER, start; rows with UPPER_CASE keys and numeric ids. */
function listDeliveries(call: MethodCall) {
  const table = deliveries(call);
  const resolve: ResolveField<GenericRecord> = (name) => {
    const key = name.toUpperCase();
    return { key, read: (row) => row[key] ?? null };
  };
  const page = runListQuery(table, {
    filter: buildFilter(pickParam(call.params, 'FILTER', 'filter'), resolve),
    order: parseOrder(pickParam(call.params, 'ORDER', 'order'), resolve),
    start: readStart(pickParam(call.params, 'start', 'START')),
    idKey: 'ID',
    readId: (row) => row.ID,
  });
  const select = asList(pickParam(call.params, 'SELECT', 'select')).map((field) => String(field).toUpperCase());
  const rows = page.rows.map((row) =>
    select.length === 0 ? { ...row } : Object.fromEntries(select.filter((field) => field in row).map((field) => [field, row[field]])),
  );
  return { result: rows, total: page.total, ...(page.next === undefined ? {} : { next: page.next }) };
}

function checkOrderFields(call: MethodCall): void {
  const fields = objectParam(call, 'fields');
  if (fields.personTypeId !== undefined && !/^\d+$/.test(String(fields.personTypeId))) {
    throw new RestError('ERROR_ARGUMENT', `Field 'personTypeId' must be an integer, got ${JSON.stringify(fields.personTypeId)}`, 400, {
      argument: 'personTypeId',
    });
  }
  if (fields.currency !== undefined && !/^[A-Z]{3}$/.test(String(fields.currency))) {
    throw new RestError('ERROR_ARGUMENT', `Field 'currency' must be a currency code, got ${JSON.stringify(fields.currency)}`, 400, { argument: 'currency' });
  }
}

function checkPayment(call: MethodCall): void {
  const fields = objectParam(call, 'fields');
  order(call, fields.orderId);
}

/** sale.shipment.add/update: the documented codes (100 no fields, 0 missing field or order, wrong service). */
function checkShipment(call: MethodCall, adding: boolean): void {
  const fields = pickParam(call.params, 'fields');
  if (fields === null || typeof fields !== 'object' || Object.keys(fields).length === 0)
    throw new RestError('100', 'Parameter fields is not specified or is empty', 400);
  const values = fields as Record<string, unknown>;
  if (adding) {
    const missing = ['orderId', 'allowDelivery', 'deducted', 'deliveryId'].filter((name) => values[name] === undefined || values[name] === '');
    if (missing.length > 0) throw new RestError('0', `Required fields: ${missing.join(', ')}`, 400);
    const target = call.portal.genericTable('sale.order').get(Number(values.orderId));
    if (!target) throw new RestError('0', 'Unable to load order', 400);
  }
  if (adding || values.deliveryId !== undefined) {
    const service = deliveries(call).get(Number(values.deliveryId));
    if (!service) throw new RestError('SALE_SHIPMENT_WRONG_DELIVERY_SERVICE', 'Delivery service not found', 400);
    values.deliveryName = service.NAME;
  }
}

/** Every order has its system shipment (system "Y", no delivery) from the start, as on a portal. */
function addSystemShipment(call: MethodCall, result: unknown): void {
  const created = (result as { order?: { id?: number } }).order;
  if (created?.id === undefined) return;
  const table = call.portal.genericTable('sale.shipment');
  const id = table.allocateId();
  table.insert(id, {
    ID: id,
    orderId: created.id,
    deliveryId: 1,
    deliveryName: 'No delivery',
    allowDelivery: 'N',
    deducted: 'N',
    statusId: 'DN',
    system: 'Y',
    xmlId: '',
  });
}

function checkPrice(call: MethodCall, adding: boolean): void {
  const fields = objectParam(call, 'fields');
  if (adding) requireRecord(call.portal.genericTable('catalog.product'), fields.productId, 'productId', 'ERROR_PRODUCT_NOT_FOUND', 'product does not exist');
  if (adding || fields.catalogGroupId !== undefined)
    requireRecord(priceTypes(call), fields.catalogGroupId, 'catalogGroupId', 'ERROR_CATALOG_GROUP_NOT_FOUND', 'price type does not exist');
  if (fields.price !== undefined && !Number.isFinite(Number(fields.price))) {
    throw new RestError('ERROR_ARGUMENT', `Field 'price' must be a number, got ${JSON.stringify(fields.price)}`, 400, { argument: 'price' });
  }
}

/** catalog.product.list needs an iblockId filter and a select naming id and iblockId (docs). */
function checkProductList(call: MethodCall): void {
  const filter = pickParam(call.params, 'filter');
  const iblock =
    filter !== null && typeof filter === 'object'
      ? ((filter as Record<string, unknown>).iblockId ?? (filter as Record<string, unknown>)['=iblockId'])
      : undefined;
  if (iblock === undefined) throw new RestError('ERROR_ARGUMENT', "Required filter field 'iblockId' is missing", 400, { argument: 'filter' });
  const select = asList(pickParam(call.params, 'select')).map(String);
  if (!select.includes('id') || !select.includes('iblockId'))
    throw new RestError('ERROR_ARGUMENT', "Required select fields 'id' and 'iblockId' are missing", 400, { argument: 'select' });
}

/** A paid payment marks its order paid. */
function markOrderPaid(call: MethodCall, result: unknown): void {
  const payment = (result as { payment?: Record<string, unknown> }).payment;
  if (payment?.paid !== 'Y') return;
  const target = call.portal.genericTable('sale.order').get(Number(payment.orderId));
  if (target) call.portal.genericTable('sale.order').insert(target.ID, { ...target, payed: 'Y' });
}

export function commerceMethods(): MethodSpec[] {
  const orders = makeGenericFamily({
    family: 'sale.order',
    scope: 'sale',
    keys: 'camel',
    idParams: ['id'],
    fieldsIn: 'fields',
    required: ['lid', 'personTypeId', 'currency'],
    defaults: { statusId: 'N', payed: 'N', canceled: 'N', xmlId: '', comments: '' },
    operations: [
      { method: 'sale.order.add', kind: 'add', wrap: 'order', returns: 'record' },
      { method: 'sale.order.get', kind: 'get', wrap: 'order' },
      { method: 'sale.order.list', kind: 'list', wrap: 'orders' },
      { method: 'sale.order.update', kind: 'update', wrap: 'order', returns: 'record' },
      { method: 'sale.order.delete', kind: 'delete' },
    ],
  });
  const payments = makeGenericFamily({
    family: 'sale.payment',
    scope: 'sale',
    keys: 'camel',
    idParams: ['id'],
    fieldsIn: 'fields',
    required: ['orderId', 'paySystemId'],
    defaults: { paid: 'N', sum: 0, xmlId: '' },
    operations: [
      { method: 'sale.payment.add', kind: 'add', wrap: 'payment', returns: 'record' },
      { method: 'sale.payment.get', kind: 'get', wrap: 'payment' },
      { method: 'sale.payment.list', kind: 'list', wrap: 'payments' },
      { method: 'sale.payment.update', kind: 'update', wrap: 'payment', returns: 'record' },
      { method: 'sale.payment.delete', kind: 'delete' },
    ],
  });
  const shipments = makeGenericFamily({
    family: 'sale.shipment',
    scope: 'sale',
    keys: 'camel',
    idParams: ['id'],
    fieldsIn: 'fields',
    required: ['orderId', 'deliveryId'],
    defaults: { allowDelivery: 'N', deducted: 'N', statusId: 'DN', system: 'N', xmlId: '' },
    operations: [
      { method: 'sale.shipment.add', kind: 'add', wrap: 'shipment', returns: 'record' },
      { method: 'sale.shipment.get', kind: 'get', wrap: 'shipment' },
      { method: 'sale.shipment.list', kind: 'list', wrap: 'shipments' },
      { method: 'sale.shipment.update', kind: 'update', wrap: 'shipment', returns: 'record' },
      { method: 'sale.shipment.delete', kind: 'delete' },
    ],
  });
  const products = makeGenericFamily({
    family: 'catalog.product',
    scope: 'catalog',
    keys: 'camel',
    idParams: ['id'],
    fieldsIn: 'fields',
    required: ['iblockId', 'name'],
    defaults: { active: 'Y', xmlId: '' },
    operations: [
      { method: 'catalog.product.add', kind: 'add', wrap: 'element', returns: 'record' },
      { method: 'catalog.product.get', kind: 'get', wrap: 'product' },
      { method: 'catalog.product.list', kind: 'list', wrap: 'products' },
      { method: 'catalog.product.update', kind: 'update', wrap: 'element', returns: 'record' },
      { method: 'catalog.product.delete', kind: 'delete' },
    ],
  });
  const prices = makeGenericFamily({
    family: 'catalog.price',
    scope: 'catalog',
    keys: 'camel',
    idParams: ['id'],
    fieldsIn: 'fields',
    required: ['productId', 'catalogGroupId', 'price', 'currency'],
    operations: [
      { method: 'catalog.price.add', kind: 'add', wrap: 'price', returns: 'record' },
      { method: 'catalog.price.get', kind: 'get', wrap: 'price' },
      { method: 'catalog.price.list', kind: 'list', wrap: 'prices' },
      { method: 'catalog.price.update', kind: 'update', wrap: 'price', returns: 'record' },
      { method: 'catalog.price.delete', kind: 'delete' },
    ],
  });
  const typed = withTypedFields([...orders, ...payments, ...shipments, ...products, ...prices], ['price', 'sum', 'quantity', 'weight']);
  const checked = withChecks(typed, {
    'sale.order.add': checkOrderFields,
    'sale.order.update': checkOrderFields,
    'sale.payment.add': checkPayment,
    'sale.shipment.add': (call) => checkShipment(call, true),
    'sale.shipment.update': (call) => checkShipment(call, false),
    'catalog.product.list': checkProductList,
    'catalog.price.add': (call) => checkPrice(call, true),
    'catalog.price.update': (call) => checkPrice(call, false),
  });
  return [
    ...withEffects(checked, { 'sale.order.add': addSystemShipment, 'sale.payment.add': markOrderPaid, 'sale.payment.update': markOrderPaid }),
    { name: 'sale.delivery.getlist', scope: 'sale', kind: 'read', handler: listDeliveries },
  ];
}
