/**
 * Everything one emulated portal holds: users, features, CRM and task records, event bindings and
 * the offline-event queue. The HTTP core relies only on the members marked "core". Every table lives
 * on the instance, so several portals never share a record.
 */
import { CrmState } from './state/crm-state.ts';
import { EventState, type EventSource } from './state/event-state.ts';
import { RecordTable } from './state/record-table.ts';
import type { ChatMessage, Department, GenericRecord, Notification, TaskRecord } from './state/portal-records.ts';

export interface EmulatedUser {
  ID: number;
  NAME: string;
  LAST_NAME: string;
  EMAIL: string;
  ACTIVE: boolean;
  ADMIN: boolean;
  UF_DEPARTMENT: number[];
  SECOND_NAME?: string;
  WORK_POSITION?: string;
  PERSONAL_GENDER?: 'M' | 'F' | '';
  /** Milliseconds. */
  DATE_REGISTER?: number;
  /** Milliseconds; the registration time when absent. */
  LAST_LOGIN?: number;
  /** Milliseconds of the last change of the user record; the registration time when absent. */
  TIMESTAMP_X?: number;
  /** Milliseconds; absent for a user never active (answered as `{}`). */
  LAST_ACTIVITY_DATE?: number;
  TIME_ZONE?: string;
}

export interface PortalStateOptions {
  memberId: string;
  domain: string;
}

export class PortalState {
  /** core */
  readonly memberId: string;
  /** core */
  readonly domain: string;
  /** core: feature codes (`rest_offline_extended`, `rest_auth_connector`) and whether they are on. */
  readonly features = new Map<string, boolean>();
  /** core */
  readonly users = new Map<number, EmulatedUser>();
  readonly departments = new Map<number, Department>();
  readonly crm = new CrmState();
  readonly tasks = new RecordTable<TaskRecord>();
  readonly messages = new RecordTable<ChatMessage>();
  readonly notifications = new RecordTable<Notification>();
  /** Records of the generic catalog families, by family name (`sale.order`). */
  readonly generic = new Map<string, RecordTable<GenericRecord>>();
  /** Event bindings and the offline queue. */
  readonly events = new EventState();

  constructor(options: PortalStateOptions) {
    this.memberId = options.memberId;
    this.domain = options.domain;
    this.clearAll();
  }

  /** core: back to a new portal (one administrator in one department, features on, no records). */
  clearAll(): void {
    this.features.clear();
    this.features.set('rest_offline_extended', true);
    this.features.set('rest_auth_connector', true);
    this.users.clear();
    this.users.set(1, {
      ID: 1,
      NAME: 'Admin',
      LAST_NAME: 'Emulator',
      EMAIL: 'admin@example.test',
      ACTIVE: true,
      ADMIN: true,
      UF_DEPARTMENT: [1],
    });
    this.departments.clear();
    this.departments.set(1, { ID: 1, NAME: 'Company', SORT: 500, PARENT: null, UF_HEAD: 1 });
    this.crm.clear();
    this.tasks.clear();
    this.messages.clear();
    this.notifications.clear();
    this.generic.clear();
    this.events.clear();
  }

  /** core */
  isAdmin(userId: number): boolean {
    return this.users.get(userId)?.ADMIN === true;
  }

  /** The table of a generic family, created on first use. */
  genericTable(family: string): RecordTable<GenericRecord> {
    let table = this.generic.get(family);
    if (!table) {
      table = new RecordTable<GenericRecord>();
      this.generic.set(family, table);
    }
    return table;
  }

  /** Offers a change (e.g. ONCRMLEADUPDATE with `{FIELDS: {ID}}`) to the offline bindings of its event. */
  emitEvent(eventName: string, eventData: unknown, source: EventSource): void {
    this.events.emit(eventName, eventData, source);
  }

  /** Rows waiting in an application's offline queue (reserved or not). */
  offlineQueueSize(appId: string): number {
    return this.events.queue.countFor(appId);
  }
}
