/**
 * The online receiver's SQLite state (DESIGN.md §8): the application token of each portal whose install
 * was verified (as a SHA-256 digest, by `member_id`; its OAuth tokens live in the receiver's token file,
 * never here), and the inbox where every accepted event is stored before
 * the receiver answers 200, so a crash after the answer loses nothing. The `auth` block (tokens) is
 * never stored: only the event name, its data, `ts`, `member_id` and `domain`.
 */
import type { StateDatabase, StateStatement } from './state-database.ts';
import { systemClock, type Clock } from '../util/index.ts';
import { cachedStatement } from './cached-statement.ts';
import { rowMapper } from './map-row.ts';

export interface InstalledPortal {
  memberId: string;
  domain: string;
  tokenDigest: string;
  installedAt: number;
}

export type InboxStatus = 'pending' | 'done' | 'dead';

export interface InboxEvent {
  id: number;
  memberId: string;
  domain: string;
  eventName: string;
  data: unknown;
  ts: string;
  receivedAt: number;
  status: InboxStatus;
  attempts: number;
  lastError: string | null;
}

interface InboxRow {
  id: number;
  member_id: string;
  domain: string;
  event_name: string;
  data_json: string;
  event_ts: string;
  received_at: number;
  status: InboxStatus;
  attempts: number;
  last_error: string | null;
}

const toEvent = rowMapper<InboxRow, InboxEvent>({
  id: 'id',
  memberId: 'member_id',
  domain: 'domain',
  eventName: 'event_name',
  data: { json: 'data_json' },
  ts: 'event_ts',
  receivedAt: 'received_at',
  status: 'status',
  attempts: 'attempts',
  lastError: 'last_error',
});

interface PortalRow {
  member_id: string;
  domain: string;
  token_sha256: string;
  installed_at: number;
}

const toPortal = rowMapper<PortalRow, InstalledPortal>({ memberId: 'member_id', domain: 'domain', tokenDigest: 'token_sha256', installedAt: 'installed_at' });

export class InboxStore {
  constructor(
    private readonly database: StateDatabase,
    private readonly clock: Pick<Clock, 'now'> = systemClock,
  ) {}

  private statement(sql: string): StateStatement {
    return cachedStatement(this.database, sql);
  }

  portal(memberId: string): InstalledPortal | undefined {
    const row = this.statement('SELECT * FROM event_portals WHERE member_id = ?').get(memberId) as PortalRow | undefined;
    return row ? toPortal(row) : undefined;
  }

  /** Binds a portal to a verified install's token digest, replacing the one kept before (a proven re-install). */
  bindPortal(memberId: string, domain: string, tokenDigest: string): void {
    this.statement(
      'INSERT INTO event_portals (member_id, domain, token_sha256, installed_at) VALUES (?, ?, ?, ?) ON CONFLICT (member_id) DO UPDATE SET domain = excluded.domain, token_sha256 = excluded.token_sha256, installed_at = excluded.installed_at',
    ).run(memberId, domain, tokenDigest, this.clock.now());
  }

  add(event: { memberId: string; domain: string; eventName: string; data: unknown; ts: string }): number {
    const now = this.clock.now();
    const result = this.statement(
      `INSERT INTO event_inbox (member_id, domain, event_name, data_json, event_ts, received_at, status, attempts, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?) RETURNING id`,
    ).get(event.memberId, event.domain, event.eventName, JSON.stringify(event.data ?? null), event.ts, now, now);
    return Number((result as { id: number }).id);
  }

  /** Pending events, oldest first; those that failed before wait `retryDelayMs` after their last try. */
  pending(limit: number, retryDelayMs = 0): InboxEvent[] {
    const rows = this.statement(`SELECT * FROM event_inbox WHERE status = 'pending' AND (attempts = 0 OR updated_at <= ?) ORDER BY id LIMIT ?`).all(
      this.clock.now() - retryDelayMs,
      limit,
    ) as InboxRow[];
    return rows.map(toEvent);
  }

  get(id: number): InboxEvent | undefined {
    const row = this.statement('SELECT * FROM event_inbox WHERE id = ?').get(id) as InboxRow | undefined;
    return row ? toEvent(row) : undefined;
  }

  setStatus(id: number, status: InboxStatus, update: { attempts?: number; error?: string } = {}): void {
    this.statement(
      'UPDATE event_inbox SET status = ?, attempts = COALESCE(?, attempts), last_error = COALESCE(?, last_error), updated_at = ? WHERE id = ?',
    ).run(status, update.attempts ?? null, update.error ?? null, this.clock.now(), id);
  }

  /** Runs `action` in one transaction (a dead letter and the inbox row it comes from). */
  atomically(action: () => void): void {
    this.database.transaction(action)();
  }

  counts(): Record<InboxStatus, number> {
    const counts: Record<InboxStatus, number> = { pending: 0, done: 0, dead: 0 };
    for (const row of this.statement('SELECT status, COUNT(*) AS count FROM event_inbox GROUP BY status').all() as Array<{
      status: InboxStatus;
      count: number;
    }>) {
      counts[row.status] = row.count;
    }
    return counts;
  }
}
