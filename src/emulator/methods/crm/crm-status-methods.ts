/**
 * `crm.status.list`: the reference lists of a new portal (lead stages `STATUS`, `SOURCE`, deal stages
 * `DEAL_STAGE`, contact and company types, industries, salutations), filtered, ordered (default SORT
 * ascending) and paged like any v2 list.
 */
import { buildFilter, type ResolveField } from '../../list/build-filter.ts';
import { parseOrder, readStart } from '../../list/parse-list-params.ts';
import { runListQuery } from '../../list/run-list-query.ts';
import { RecordTable } from '../../state/record-table.ts';
import type { MethodResult, MethodSpec } from '../../types.ts';
import { pickParam } from '../read-params.ts';

interface StatusRow {
  ID: number;
  ENTITY_ID: string;
  STATUS_ID: string;
  NAME: string;
  SORT: number;
  SEMANTICS: 'S' | 'F' | null;
  COLOR: string | null;
}

const LISTS: Record<string, Array<[string, string, ('S' | 'F')?]>> = {
  STATUS: [
    ['NEW', 'Unassigned'],
    ['IN_PROCESS', 'In Progress'],
    ['PROCESSED', 'Processed'],
    ['CONVERTED', 'Good lead', 'S'],
    ['JUNK', 'Junk lead', 'F'],
  ],
  SOURCE: [
    ['CALL', 'Call'],
    ['EMAIL', 'E-Mail'],
    ['WEB', 'Website'],
    ['ADVERTISING', 'Advertising'],
    ['PARTNER', 'Existing client'],
    ['RECOMMENDATION', 'By recommendation'],
    ['TRADE_SHOW', 'Show/Exhibition'],
    ['WEBFORM', 'CRM form'],
    ['CALLBACK', 'Callback'],
    ['RC_GENERATOR', 'Sales boost'],
    ['STORE', 'Online Store'],
    ['OTHER', 'Other'],
  ],
  DEAL_STAGE: [
    ['NEW', 'New'],
    ['PREPARATION', 'Document preparation'],
    ['PREPAYMENT_INVOICE', 'Invoice'],
    ['EXECUTING', 'In progress'],
    ['FINAL_INVOICE', 'Final invoice'],
    ['WON', 'Deal won', 'S'],
    ['LOSE', 'Deal lost', 'F'],
    ['APOLOGY', 'Analyze failure', 'F'],
  ],
  DEAL_TYPE: [
    ['SALE', 'Sales'],
    ['COMPLEX', 'Complex sale'],
    ['GOODS', 'Merchandise sales'],
    ['SERVICES', 'Service sales'],
    ['SERVICE', 'After-sales service'],
  ],
  CONTACT_TYPE: [
    ['CLIENT', 'Clients'],
    ['SUPPLIER', 'Suppliers'],
    ['PARTNER', 'Partners'],
    ['OTHER', 'Other'],
  ],
  COMPANY_TYPE: [
    ['CUSTOMER', 'Client'],
    ['SUPPLIER', 'Supplier'],
    ['COMPETITOR', 'Competitor'],
    ['PARTNER', 'Partner'],
    ['OTHER', 'Other'],
  ],
  INDUSTRY: [
    ['IT', 'Information Technology'],
    ['TELECOM', 'Telecommunication'],
    ['MANUFACTURING', 'Manufacturing'],
    ['BANKING', 'Banking Services'],
    ['CONSULTING', 'Consulting'],
    ['FINANCE', 'Finance'],
    ['GOVERNMENT', 'Government'],
    ['DELIVERY', 'Delivery'],
    ['ENTERTAINMENT', 'Entertainment'],
    ['NOTPROFIT', 'Non-profit'],
    ['OTHER', 'Other'],
  ],
  EMPLOYEES: [
    ['EMPLOYEES_1', 'fewer than 50'],
    ['EMPLOYEES_2', '50-250'],
    ['EMPLOYEES_3', '250-500'],
    ['EMPLOYEES_4', 'over 500'],
  ],
  HONORIFIC: [
    ['HNR_EN_1', 'Mr.'],
    ['HNR_EN_2', 'Mrs.'],
    ['HNR_EN_3', 'Ms.'],
    ['HNR_EN_4', 'Dr.'],
  ],
};

function buildStatusTable(): RecordTable<StatusRow> {
  const table = new RecordTable<StatusRow>();
  for (const [entityId, entries] of Object.entries(LISTS)) {
    entries.forEach(([statusId, name, semantics], index) => {
      const id = table.allocateId();
      table.insert(id, { ID: id, ENTITY_ID: entityId, STATUS_ID: statusId, NAME: name, SORT: (index + 1) * 10, SEMANTICS: semantics ?? null, COLOR: null });
    });
  }
  return table;
}

const STATUSES = buildStatusTable();
const COLUMNS = ['ID', 'ENTITY_ID', 'STATUS_ID', 'NAME', 'SORT', 'SEMANTICS', 'COLOR'] as const;

const resolve: ResolveField<StatusRow> = (name) => {
  const upper = name.toUpperCase() as (typeof COLUMNS)[number];
  if (!COLUMNS.includes(upper)) return undefined;
  return { key: upper, read: (row) => row[upper] };
};

function render(row: StatusRow): Record<string, unknown> {
  return {
    ID: String(row.ID),
    ENTITY_ID: row.ENTITY_ID,
    STATUS_ID: row.STATUS_ID,
    NAME: row.NAME,
    NAME_INIT: row.NAME,
    SORT: String(row.SORT),
    SYSTEM: 'Y',
    CATEGORY_ID: null,
    COLOR: row.COLOR,
    SEMANTICS: row.SEMANTICS,
    EXTRA: row.SEMANTICS === null ? { SEMANTICS: 'process', COLOR: row.COLOR } : { SEMANTICS: row.SEMANTICS === 'S' ? 'success' : 'failure', COLOR: row.COLOR },
  };
}

export function crmStatusMethods(): MethodSpec[] {
  return [
    {
      name: 'crm.status.list',
      scope: 'crm',
      kind: 'read',
      handler: (call): MethodResult => {
        const order = parseOrder(pickParam(call.params, 'order', 'ORDER'), resolve);
        const page = runListQuery(STATUSES, {
          filter: buildFilter(pickParam(call.params, 'filter', 'FILTER'), resolve),
          order: order.length > 0 ? order : parseOrder({ ENTITY_ID: 'ASC', SORT: 'ASC' }, resolve),
          start: readStart(pickParam(call.params, 'start', 'START')),
          idKey: 'ID',
          readId: (row) => row.ID,
        });
        const result: MethodResult = { result: page.rows.map(render), total: page.total };
        if (page.next !== undefined) result.next = page.next;
        return result;
      },
    },
  ];
}
