/**
 * The demo portal behind `chain emulator --seed demo` and `chain run --emulator`: five users (one
 * administrator) in four departments, 40 leads across NEW / IN_PROCESS / PROCESSED / JUNK, 5 companies,
 * 10 contacts, 10 deals across the pipeline and 10 tasks. Deterministic: the same portal every time.
 * Records go through the same writers as the REST methods, so they look exactly like created ones.
 */
import { applyLegacyFields } from '../methods/crm/crm-apply-input.ts';
import { legacyEntityType } from '../methods/crm/crm-entity-types.ts';
import { createCrmRecord, type WriteContext } from '../methods/crm/crm-record-writes.ts';
import { storeTaskFields } from '../methods/tasks/task-fields.ts';
import type { PortalState } from '../portal-state.ts';
import type { TaskRecord } from '../state/portal-records.ts';
import { COMPANY_NAMES, DEAL_STAGES, FIRST_NAMES, LAST_NAMES, LEAD_SOURCES, LEAD_STATUSES, SEED_EPOCH_MS } from './demo-names.ts';
import { seededRandom } from './seeded-random.ts';
import { loadLibrarySeed } from './load-library-seed.ts';

const DEPARTMENTS = [
  { ID: 1, NAME: 'Company', SORT: 500, PARENT: null, UF_HEAD: 1 },
  { ID: 2, NAME: 'Sales', SORT: 500, PARENT: 1, UF_HEAD: 2 },
  { ID: 3, NAME: 'Marketing', SORT: 500, PARENT: 1, UF_HEAD: 4 },
  { ID: 4, NAME: 'Support', SORT: 500, PARENT: 1, UF_HEAD: 5 },
];

const USERS = [
  {
    ID: 1,
    NAME: 'Admin',
    LAST_NAME: 'Emulator',
    EMAIL: 'admin@example.test',
    ADMIN: true,
    UF_DEPARTMENT: [1],
    WORK_POSITION: 'Administrator',
    PERSONAL_GENDER: 'M' as const,
  },
  {
    ID: 2,
    NAME: 'Maria',
    LAST_NAME: 'Lopez',
    EMAIL: 'maria.lopez@example.test',
    ADMIN: false,
    UF_DEPARTMENT: [2],
    WORK_POSITION: 'Head of Sales',
    PERSONAL_GENDER: 'F' as const,
  },
  {
    ID: 3,
    NAME: 'Peter',
    LAST_NAME: 'Novak',
    EMAIL: 'peter.novak@example.test',
    ADMIN: false,
    UF_DEPARTMENT: [2],
    WORK_POSITION: 'Sales Manager',
    PERSONAL_GENDER: 'M' as const,
  },
  {
    ID: 4,
    NAME: 'Aisha',
    LAST_NAME: 'Khan',
    EMAIL: 'aisha.khan@example.test',
    ADMIN: false,
    UF_DEPARTMENT: [3],
    WORK_POSITION: 'Marketing Lead',
    PERSONAL_GENDER: 'F' as const,
  },
  {
    ID: 5,
    NAME: 'Tom',
    LAST_NAME: 'Berg',
    EMAIL: 'tom.berg@example.test',
    ADMIN: false,
    UF_DEPARTMENT: [4],
    WORK_POSITION: 'Support Engineer',
    PERSONAL_GENDER: 'M' as const,
  },
];

const TASK_TITLES = [
  'Call back about the quote',
  'Prepare the contract',
  'Send the product catalog',
  'Schedule a demo',
  'Check the payment',
  'Update the price list',
  'Collect requirements',
  'Follow up after the trade show',
  'Review the support ticket',
  'Plan the Q2 campaign',
];

function phone(index: number): Array<Record<string, string>> {
  return [{ VALUE: `+1555${String(1000000 + index * 7919).slice(-7)}`, VALUE_TYPE: index % 3 === 0 ? 'MOBILE' : 'WORK' }];
}

function email(name: string, lastName: string, index: number): Array<Record<string, string>> {
  return [{ VALUE: `${name}.${lastName}${index}@example.test`.toLowerCase(), VALUE_TYPE: 'WORK' }];
}

export function loadDemoSeed(portal: PortalState): void {
  const random = seededRandom(2026);
  for (const department of DEPARTMENTS) portal.departments.set(department.ID, { ...department });
  for (const user of USERS) {
    const registered = SEED_EPOCH_MS - 86_400_000 * 30;
    const lastLogin = SEED_EPOCH_MS - 3_600_000 * user.ID;
    portal.users.set(user.ID, {
      ...user,
      ACTIVE: true,
      DATE_REGISTER: registered,
      TIMESTAMP_X: registered + 3_600_000,
      LAST_LOGIN: lastLogin,
      LAST_ACTIVITY_DATE: lastLogin + 60_000,
    });
  }
  const salesPeople = [2, 3];
  let clock = SEED_EPOCH_MS;
  const context = (userId: number): WriteContext => {
    clock += 60_000;
    return { portal, userId, nowMs: clock, authConnector: '' };
  };
  const create = (code: string, userId: number, fields: Record<string, unknown>): number => {
    const type = legacyEntityType(code);
    return createCrmRecord(context(userId), type, (draft) => applyLegacyFields(type, draft, fields, () => portal.crm.nextMultifieldId())).ID;
  };

  const companyIds = COMPANY_NAMES.slice(0, 5).map((title, index) =>
    create('company', 2, {
      TITLE: title,
      COMPANY_TYPE: 'CUSTOMER',
      INDUSTRY: ['IT', 'MANUFACTURING', 'DELIVERY', 'CONSULTING', 'FINANCE'][index],
      PHONE: phone(100 + index),
      ASSIGNED_BY_ID: random.pick(salesPeople),
    }),
  );
  const contactIds = Array.from({ length: 10 }, (_, index) => {
    const name = FIRST_NAMES[index] as string;
    const lastName = LAST_NAMES[index] as string;
    return create('contact', 2, {
      NAME: name,
      LAST_NAME: lastName,
      POST: index % 2 === 0 ? 'Purchasing Manager' : 'CEO',
      COMPANY_ID: companyIds[index % companyIds.length],
      PHONE: phone(200 + index),
      EMAIL: email(name, lastName, index),
      SOURCE_ID: random.pick(LEAD_SOURCES),
      ASSIGNED_BY_ID: random.pick(salesPeople),
    });
  });
  for (let index = 0; index < 40; index += 1) {
    const name = random.pick(FIRST_NAMES);
    const lastName = random.pick(LAST_NAMES);
    create('lead', random.pick([1, 2, 3]), {
      TITLE: `${random.pick(COMPANY_NAMES)}: inquiry from ${name} ${lastName}`,
      NAME: name,
      LAST_NAME: lastName,
      STATUS_ID: LEAD_STATUSES[index % LEAD_STATUSES.length],
      SOURCE_ID: random.pick(LEAD_SOURCES),
      OPPORTUNITY: (5 + random.below(95)) * 100,
      CURRENCY_ID: 'USD',
      ASSIGNED_BY_ID: random.pick(salesPeople),
      PHONE: phone(index),
      EMAIL: email(name, lastName, index),
      COMMENTS: index % 4 === 0 ? 'Asked for a call in the morning.' : '',
    });
  }
  for (let index = 0; index < 10; index += 1) {
    create('deal', random.pick(salesPeople), {
      TITLE: `${COMPANY_NAMES[index % COMPANY_NAMES.length]}: order #${1000 + index}`,
      STAGE_ID: DEAL_STAGES[index % DEAL_STAGES.length],
      OPPORTUNITY: (10 + random.below(490)) * 100,
      CURRENCY_ID: 'USD',
      COMPANY_ID: companyIds[index % companyIds.length],
      CONTACT_ID: contactIds[index],
      ASSIGNED_BY_ID: random.pick(salesPeople),
      TYPE_ID: 'SALE',
      SOURCE_ID: random.pick(LEAD_SOURCES),
    });
  }
  TASK_TITLES.forEach((title, index) => {
    const id = portal.tasks.allocateId();
    const created = SEED_EPOCH_MS + index * 3_600_000;
    const task: TaskRecord = {
      ID: id,
      STATUS: index < 7 ? 2 : 5,
      PRIORITY: index % 3 === 0 ? 2 : 1,
      CREATED_DATE: created,
      CHANGED_DATE: created,
      CHANGED_BY: 1,
      ACTIVITY_DATE: created,
      GROUP_ID: 0,
      STAGE_ID: 0,
      DESCRIPTION_IN_BBCODE: 'Y',
      SITE_ID: 's1',
      ACCOMPLICES: [],
      AUDITORS: [],
      TAGS: [],
      GUID: `{00000000-0000-4000-8000-${String(id).padStart(12, '0')}}`,
    };
    storeTaskFields(task, {
      TITLE: title,
      RESPONSIBLE_ID: USERS[1 + (index % 4)]?.ID ?? 1,
      CREATED_BY: 1,
      DESCRIPTION: `${title}.`,
      DEADLINE: new Date(created + 86_400_000 * (3 + index)).toISOString(),
      UF_CRM_TASK: [`D_${1 + (index % 10)}`],
    });
    if (task.STATUS === 5) {
      task.CLOSED_BY = 1;
      task.CLOSED_DATE = created + 86_400_000;
    }
    portal.tasks.insert(id, task);
  });
  loadLibrarySeed(portal);
}
