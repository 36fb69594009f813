/**
 * The CRM records of one portal: one table per entity type (lead 1, deal 2, contact 3, company 4,
 * smart processes and other item types by their entityTypeId), activities and timeline comments.
 * Records hold only the values that were set; absent fields read as their defaults. Multifield entries
 * (PHONE, EMAIL, WEB, IM, LINK) share one id sequence per portal, as on a real portal.
 */
import { RecordTable } from './record-table.ts';

/** A stored CRM record: legacy UPPER_CASE keys, typed values (numbers, 'Y'/'N', ms for dates). */
export interface CrmRecord {
  ID: number;
  [field: string]: unknown;
}

export interface MultifieldEntry {
  ID: number;
  TYPE_ID: string;
  VALUE_TYPE: string;
  VALUE: string;
}

export interface ActivityRecord {
  ID: number;
  [field: string]: unknown;
}

export interface TimelineCommentRecord {
  ID: number;
  ENTITY_ID: number;
  ENTITY_TYPE: string;
  COMMENT: string;
  AUTHOR_ID: number;
  CREATED: number;
}

/** A smart process type (crm.type.*): its items live in `table(ENTITY_TYPE_ID)`. */
export interface SmartProcessType {
  ID: number;
  ENTITY_TYPE_ID: number;
  TITLE: string;
  CODE: string;
  CREATED_BY: number;
  UPDATED_BY: number;
  CREATED_TIME: number;
  UPDATED_TIME: number;
  /** `isCategoriesEnabled`, `isStagesEnabled`...: 'Y' | 'N'. */
  flags: Record<string, 'Y' | 'N'>;
}

export class CrmState {
  private readonly tables = new Map<number, RecordTable<CrmRecord>>();
  /** Smart processes exist only once created with crm.type.add. */
  readonly smartTypes = new RecordTable<SmartProcessType>();
  readonly activities = new RecordTable<ActivityRecord>();
  readonly comments = new RecordTable<TimelineCommentRecord>();
  private lastMultifieldId = 0;

  /** The smart process type of an entityTypeId, when one was created. */
  smartType(entityTypeId: number): SmartProcessType | undefined {
    for (const type of this.smartTypes.values()) if (type.ENTITY_TYPE_ID === entityTypeId) return type;
    return undefined;
  }

  /** The table of an entity type, created on first use. */
  table(entityTypeId: number): RecordTable<CrmRecord> {
    let table = this.tables.get(entityTypeId);
    if (!table) {
      table = new RecordTable<CrmRecord>();
      this.tables.set(entityTypeId, table);
    }
    return table;
  }

  nextMultifieldId(): number {
    this.lastMultifieldId += 1;
    return this.lastMultifieldId;
  }

  clear(): void {
    this.tables.clear();
    this.smartTypes.clear();
    this.activities.clear();
    this.comments.clear();
    this.lastMultifieldId = 0;
  }
}
