/**
 * The demo portal's records for the chain library's packs, so that every bundled chain has something to
 * work on under `chain run --emulator`: booking resources, catalog products with BASE prices, an order,
 * a BI connector, consent agreements, signed documents in the administrator's tail and the company safe.
 * Written straight into the tables the families serve (same shapes as their writes).
 */
import type { PortalState } from '../portal-state.ts';
import type { GenericRecord } from '../state/portal-records.ts';

function insert(portal: PortalState, family: string, rows: ReadonlyArray<Omit<GenericRecord, 'ID'>>): number[] {
  const table = portal.genericTable(family);
  return rows.map((row) => {
    const id = table.allocateId();
    table.insert(id, { ...row, ID: id });
    return id;
  });
}

export function loadLibrarySeed(portal: PortalState): void {
  insert(portal, 'booking.resource', [
    { name: 'Meeting room', description: 'Room for 8, 2nd floor', typeId: 1, isMain: 'Y' },
    { name: 'Consultant', description: null, typeId: 2, isMain: 'Y' },
  ]);
  const products = insert(portal, 'catalog.product', [
    { iblockId: 23, name: 'Standing desk', xmlId: 'SKU-100', active: 'Y' },
    { iblockId: 23, name: 'Office chair', xmlId: 'SKU-200', active: 'Y' },
    { iblockId: 23, name: 'Desk lamp', xmlId: 'SKU-300', active: 'Y' },
  ]);
  insert(
    portal,
    'catalog.price',
    products.slice(0, 2).map((productId, index) => ({ productId, catalogGroupId: 1, price: [450, 180][index], currency: 'USD' })),
  );
  insert(portal, 'biconnector.connector', [
    {
      title: 'Demo warehouse',
      description: 'Stock levels from the warehouse database',
      logo: '',
      sort: 100,
      urlCheck: 'https://connector.example.test/check',
      urlTableList: 'https://connector.example.test/tables',
      urlTableDescription: 'https://connector.example.test/describe',
      urlData: 'https://connector.example.test/data',
      settings: [{ name: 'API key', type: 'STRING', code: 'apiKey' }],
      dateCreate: '2026-01-05 09:00:00',
    },
  ]);
  insert(portal, 'userconsent.agreement', [
    {
      NAME: 'Personal data processing',
      ACTIVE: 'Y',
      LABEL: 'By clicking "%BUTTON_CAPTION%" I consent to the processing of my personal data.',
      TEXT: 'Consent to the processing of personal data by %COMPANY_NAME%, %COMPANY_ADDRESS%, for: %PURPOSES%. Contact: %EMAIL%.',
    },
    { NAME: 'Newsletter', ACTIVE: 'Y', LABEL: 'I want to receive the newsletter.', TEXT: 'Consent to receive e-mail from %COMPANY_NAME%.' },
  ]);
  insert(
    portal,
    'sign.personal',
    [1, 2, 3].map((day) => ({ USER_ID: 1, title: `Employment contract addendum ${day}`, signed_date: `2026-01-0${day}T10:00:00+00:00` })),
  );
  insert(
    portal,
    'sign.mysafe',
    [1, 2].map((day) => ({ title: `Company policy ${day}`, signed_date: `2026-01-0${day}T12:00:00+00:00` })),
  );
  const [orderId] = insert(portal, 'sale.order', [
    { lid: 's1', personTypeId: 1, currency: 'USD', userId: 1, statusId: 'N', payed: 'N', canceled: 'N', xmlId: 'DEMO-1', comments: '' },
  ]);
  insert(portal, 'sale.shipment', [
    { orderId, deliveryId: 1, deliveryName: 'No delivery', allowDelivery: 'N', deducted: 'N', statusId: 'DN', system: 'Y', xmlId: '' },
  ]);
}
