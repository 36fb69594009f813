/** Record shapes of the non-CRM families kept by a portal: tasks, chat messages, notifications, departments. */

/** A task: UPPER_CASE keys as tasks.task.add takes them; dates in ms, user lists as number arrays. */
export interface TaskRecord {
  ID: number;
  [field: string]: unknown;
}

export interface ChatMessage {
  ID: number;
  DIALOG_ID: string;
  AUTHOR_ID: number;
  MESSAGE: string;
  SYSTEM: 'Y' | 'N';
  DATE: number;
  ATTACH?: unknown;
  KEYBOARD?: unknown;
}

export interface Notification {
  ID: number;
  USER_ID: number;
  AUTHOR_ID: number;
  /** USER (personal) or SYSTEM. */
  TYPE: 'USER' | 'SYSTEM';
  MESSAGE: string;
  MESSAGE_OUT: string;
  TAG: string;
  SUB_TAG: string;
  DATE: number;
}

export interface Department {
  ID: number;
  NAME: string;
  SORT: number;
  PARENT: number | null;
  UF_HEAD: number | null;
}

/** A record of a generic catalog family (sale.order, disk.file, bizproc.robot...). */
export interface GenericRecord {
  ID: number;
  [field: string]: unknown;
}
