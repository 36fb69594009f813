/**
 * Everything one emulated portal holds: users, features, CRM and task records, event bindings and
 * the offline-event queue. The HTTP core relies only on the members marked "core".
 */
export interface EmulatedUser {
  ID: number;
  NAME: string;
  LAST_NAME: string;
  EMAIL: string;
  ACTIVE: boolean;
  ADMIN: boolean;
  UF_DEPARTMENT: number[];
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

  constructor(options: PortalStateOptions) {
    this.memberId = options.memberId;
    this.domain = options.domain;
    this.clearAll();
  }

  /** core: back to a new portal (one administrator, features on, no records). */
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
  }

  /** core */
  isAdmin(userId: number): boolean {
    return this.users.get(userId)?.ADMIN === true;
  }
}
