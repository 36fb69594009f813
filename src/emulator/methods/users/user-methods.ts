/**
 * `user.current`, `user.get`, `profile` and `department.get` (protocol.md §5, §9): bare arrays with
 * total/next sorted by ID, `FILTER` with prefixes (or filter fields passed at the top level), and the
 * `NAME_SEARCH`, `USER_TYPE`, `UF_DEPARTMENT` filters of user.get.
 */
import { phpIsoDate } from '../../envelope.ts';
import { buildFilter, type ResolveField } from '../../list/build-filter.ts';
import { parseOrder, readStart } from '../../list/parse-list-params.ts';
import { runListQuery } from '../../list/run-list-query.ts';
import type { EmulatedUser, PortalState } from '../../portal-state.ts';
import type { Department } from '../../state/portal-records.ts';
import { RecordTable } from '../../state/record-table.ts';
import { RestError, type MethodCall, type MethodResult, type MethodSpec, type Params } from '../../types.ts';
import { isPlainObject, pickParamAnyCase, textOf } from '../read-params.ts';

const LIST_PARAMS = new Set(['sort', 'order', 'start', 'admin_mode', 'filter', 'auth_connector']);

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** `Y-m-d H:i:s` (UTC), as LAST_ACTIVITY_DATE comes. */
function sqlDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** The site's date-time format (`d.m.Y H:i:s`), as TIMESTAMP_X comes. */
function siteDateTime(ms: number): string {
  const date = new Date(ms);
  return `${pad(date.getUTCDate())}.${pad(date.getUTCMonth() + 1)}.${date.getUTCFullYear()} ${sqlDateTime(ms).slice(11)}`;
}

/**
 * A user as user.get / user.current answer it. The date fields do not share one format: LAST_LOGIN and
 * DATE_REGISTER are ISO-8601, TIMESTAMP_X the site's format ("24.08.2023 13:19:39") and
 * LAST_ACTIVITY_DATE "Y-m-d H:i:s" ("2024-08-29 10:30:11"), or `{}` for a user never active
 * (docs settings/how-to-call-rest-api/batch.md, user-current.md, user-get.md).
 */
export function renderUser(user: EmulatedUser): Record<string, unknown> {
  const registeredMs = user.DATE_REGISTER ?? 0;
  const registered = phpIsoDate(registeredMs);
  return {
    ID: String(user.ID),
    XML_ID: null,
    ACTIVE: user.ACTIVE,
    NAME: user.NAME,
    LAST_NAME: user.LAST_NAME,
    SECOND_NAME: user.SECOND_NAME ?? '',
    EMAIL: user.EMAIL,
    LAST_LOGIN: phpIsoDate(user.LAST_LOGIN ?? registeredMs),
    DATE_REGISTER: registered,
    TIME_ZONE: user.TIME_ZONE ?? '',
    IS_ONLINE: 'N',
    TIME_ZONE_OFFSET: '0',
    TIMESTAMP_X: siteDateTime(user.TIMESTAMP_X ?? registeredMs),
    LAST_ACTIVITY_DATE: user.LAST_ACTIVITY_DATE === undefined ? {} : sqlDateTime(user.LAST_ACTIVITY_DATE),
    PERSONAL_GENDER: user.PERSONAL_GENDER ?? '',
    PERSONAL_BIRTHDAY: '',
    WORK_POSITION: user.WORK_POSITION ?? '',
    UF_EMPLOYMENT_DATE: '',
    UF_DEPARTMENT: user.UF_DEPARTMENT,
    USER_TYPE: 'employee',
  };
}

function tableOf<Row extends { ID: number }>(rows: Iterable<Row>): RecordTable<Row> {
  const table = new RecordTable<Row>();
  for (const row of rows) table.insert(row.ID, row);
  return table;
}

const resolveUserField: ResolveField<EmulatedUser> = (name) => {
  const upper = name.toUpperCase();
  if (upper === 'NAME_SEARCH') {
    return { key: upper, read: (user) => `${user.NAME} ${user.LAST_NAME} ${user.EMAIL}` };
  }
  if (upper === 'USER_TYPE') return { key: upper, read: () => 'employee' };
  if (upper === 'ID') return { key: 'ID', read: (user) => user.ID };
  const known: Array<keyof EmulatedUser> = [
    'NAME',
    'LAST_NAME',
    'SECOND_NAME',
    'EMAIL',
    'ACTIVE',
    'UF_DEPARTMENT',
    'WORK_POSITION',
    'PERSONAL_GENDER',
    'DATE_REGISTER',
  ];
  const field = known.find((candidate) => candidate === upper);
  return field === undefined ? undefined : { key: field, read: (user) => user[field] ?? null };
};

function userFilter(params: Params): Record<string, unknown> {
  const explicit = pickParamAnyCase(params, 'FILTER');
  const base = isPlainObject(explicit) ? explicit : Object.fromEntries(Object.entries(params).filter(([key]) => !LIST_PARAMS.has(key.toLowerCase())));
  // NAME_SEARCH is a substring search over the name and e-mail, whatever prefix it carries.
  return Object.fromEntries(Object.entries(base).map(([key, value]) => (/^\W*NAME_SEARCH$/i.test(key) ? ['%NAME_SEARCH', value] : [key, value])));
}

function listUsers(call: MethodCall): MethodResult {
  const sort = textOf(pickParamAnyCase(call.params, 'sort'));
  const direction = textOf(pickParamAnyCase(call.params, 'order')) || 'ASC';
  const page = runListQuery(tableOf(call.portal.users.values()), {
    filter: buildFilter(userFilter(call.params), resolveUserField),
    order: sort === '' ? [] : parseOrder({ [sort]: direction }, resolveUserField),
    start: readStart(pickParamAnyCase(call.params, 'start')),
    idKey: 'ID',
    readId: (user) => user.ID,
  });
  const result: MethodResult = { result: page.rows.map(renderUser), total: page.total };
  if (page.next !== undefined) result.next = page.next;
  return result;
}

function currentUser(call: MethodCall): EmulatedUser {
  const user = call.portal.users.get(call.auth.userId);
  if (!user) throw new RestError('authorization_error', 'Unable to authorize user', 401);
  return user;
}

function renderDepartment(department: Department): Record<string, unknown> {
  const output: Record<string, unknown> = { ID: String(department.ID), NAME: department.NAME, SORT: department.SORT };
  if (department.PARENT !== null) output.PARENT = String(department.PARENT);
  if (department.UF_HEAD !== null) output.UF_HEAD = String(department.UF_HEAD);
  return output;
}

const resolveDepartmentField: ResolveField<Department> = (name) => {
  const upper = name.toUpperCase() as keyof Department;
  return ['ID', 'NAME', 'SORT', 'PARENT', 'UF_HEAD'].includes(upper) ? { key: upper, read: (row) => row[upper] } : undefined;
};

function listDepartments(portal: PortalState, params: Params): MethodResult {
  const sort = textOf(pickParamAnyCase(params, 'sort'));
  const page = runListQuery(tableOf(portal.departments.values()), {
    filter: buildFilter(Object.fromEntries(Object.entries(params).filter(([key]) => !LIST_PARAMS.has(key.toLowerCase()))), resolveDepartmentField),
    order: sort === '' ? [] : parseOrder({ [sort]: textOf(pickParamAnyCase(params, 'order')) || 'ASC' }, resolveDepartmentField),
    start: readStart(pickParamAnyCase(params, 'start')),
    idKey: 'ID',
    readId: (row) => row.ID,
  });
  const result: MethodResult = { result: page.rows.map(renderDepartment), total: page.total };
  if (page.next !== undefined) result.next = page.next;
  return result;
}

export function userMethods(): MethodSpec[] {
  return [
    { name: 'user.current', scope: 'user', kind: 'read', handler: (call) => ({ result: renderUser(currentUser(call)) }) },
    { name: 'user.get', scope: 'user', kind: 'read', handler: listUsers },
    {
      name: 'profile',
      scope: 'basic',
      kind: 'read',
      handler: (call) => {
        const user = currentUser(call);
        return {
          result: {
            ID: String(user.ID),
            ADMIN: user.ADMIN,
            NAME: user.NAME,
            LAST_NAME: user.LAST_NAME,
            PERSONAL_GENDER: user.PERSONAL_GENDER ?? '',
            TIME_ZONE: user.TIME_ZONE ?? '',
            TIME_ZONE_OFFSET: 0,
          },
        };
      },
    },
    { name: 'department.get', scope: 'department', kind: 'read', handler: (call) => listDepartments(call.portal, call.params) },
  ];
}
