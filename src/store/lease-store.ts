/**
 * Leases (DESIGN.md §11): at most one live owner per resource (`run:<id>`, `worker:<portal>:<queue>`).
 * Taking a lease is atomic (one IMMEDIATE transaction); every takeover grows the resource's fencing
 * token, and an owner checks its token inside each checkpoint transaction (`assertHeld`), so a process
 * that lost its lease stops before writing. The same SQL serves SQLite (one host) and PostgreSQL (a
 * fleet: transactions there are SERIALIZABLE, so two hosts never both take a lease).
 */
import type { StateDatabase } from './state-database.ts';
import { LeaseLostError } from '../errors/index.ts';
import { systemClock, type Clock } from '../util/index.ts';
import { isLeaseHolderAlive, isPidAlive, leaseStaleAfterMs, thisHost } from './lease-liveness.ts';
import { cachedStatement } from './cached-statement.ts';

export interface LeaseOwner {
  /** Unique per process and claim (a uuid). */
  ownerId: string;
  pid: number;
  host: string;
}

export interface Lease extends LeaseOwner {
  resource: string;
  startedAt: number;
  heartbeatAt: number;
  fencingToken: number;
}

export type LeaseAttempt = { acquired: true; lease: Lease; tookOverFrom?: Lease } | { acquired: false; holder: Lease };

export interface LeaseStore {
  /** Takes the lease when it is free, held by `owner` already, or its holder is dead; otherwise names the live holder. */
  acquire(resource: string, owner: LeaseOwner): LeaseAttempt;
  /** Records a heartbeat; false when the lease was taken over meanwhile. */
  renew(lease: Lease): boolean;
  /** Throws `LeaseLostError` unless `lease` still holds the resource (call inside the write's transaction). */
  assertHeld(lease: Lease): void;
  release(lease: Lease): void;
  /** The current live or dead holder, if the resource is held. */
  holder(resource: string): Lease | undefined;
  isAlive(lease: Lease): boolean;
}

export interface LeaseStoreOptions {
  clock?: Clock;
  host?: string;
  staleAfterMs?: number;
  pidAlive?: (pid: number) => boolean;
}

interface LeaseRow {
  resource: string;
  owner_id: string | null;
  pid: number;
  host: string;
  started_at: number;
  heartbeat_at: number;
  fencing_token: number;
}

function toLease(row: LeaseRow): Lease {
  return {
    resource: row.resource,
    ownerId: row.owner_id ?? '',
    pid: row.pid,
    host: row.host,
    startedAt: row.started_at,
    heartbeatAt: row.heartbeat_at,
    fencingToken: row.fencing_token,
  };
}

export class SqliteLeaseStore implements LeaseStore {
  private readonly clock: Clock;
  private readonly host: string;
  private readonly staleAfterMs: number;
  private readonly pidAlive: (pid: number) => boolean;

  constructor(
    private readonly database: StateDatabase,
    options: LeaseStoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.host = options.host ?? thisHost();
    this.staleAfterMs = options.staleAfterMs ?? leaseStaleAfterMs();
    this.pidAlive = options.pidAlive ?? isPidAlive;
  }

  private row(resource: string): LeaseRow | undefined {
    return cachedStatement(this.database, 'SELECT * FROM leases WHERE resource = ?').get(resource) as LeaseRow | undefined;
  }

  isAlive(lease: Lease): boolean {
    return isLeaseHolderAlive(lease, { now: this.clock.now(), host: this.host, staleAfterMs: this.staleAfterMs, pidAlive: this.pidAlive });
  }

  acquire(resource: string, owner: LeaseOwner): LeaseAttempt {
    const take = this.database.transaction((): LeaseAttempt => {
      const current = this.row(resource);
      const now = this.clock.now();
      const held = current !== undefined && current.owner_id !== null;
      if (held && current.owner_id === owner.ownerId) return { acquired: true, lease: toLease(current) };
      if (held && this.isAlive(toLease(current))) return { acquired: false, holder: toLease(current) };
      const fencingToken = (current?.fencing_token ?? 0) + 1;
      cachedStatement(
        this.database,
        `INSERT INTO leases (resource, owner_id, pid, host, started_at, heartbeat_at, fencing_token) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (resource) DO UPDATE SET owner_id = excluded.owner_id, pid = excluded.pid, host = excluded.host,
             started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, fencing_token = excluded.fencing_token`,
      ).run(resource, owner.ownerId, owner.pid, owner.host, now, now, fencingToken);
      const lease: Lease = { resource, ...owner, startedAt: now, heartbeatAt: now, fencingToken };
      return held ? { acquired: true, lease, tookOverFrom: toLease(current) } : { acquired: true, lease };
    });
    // Nested in a caller's transaction it is a savepoint of that (already immediate) transaction.
    return this.database.inTransaction ? take() : take.immediate();
  }

  renew(lease: Lease): boolean {
    const now = this.clock.now();
    const changed = cachedStatement(this.database, 'UPDATE leases SET heartbeat_at = ? WHERE resource = ? AND owner_id = ? AND fencing_token = ?').run(
      now,
      lease.resource,
      lease.ownerId,
      lease.fencingToken,
    ).changes;
    if (changed === 1) lease.heartbeatAt = now;
    return changed === 1;
  }

  assertHeld(lease: Lease): void {
    const current = this.row(lease.resource);
    if (current?.owner_id === lease.ownerId && current.fencing_token === lease.fencingToken) return;
    const by = current?.owner_id ? ` by pid ${current.pid} on ${current.host}` : '';
    throw new LeaseLostError(lease.resource, `${lease.resource}: this process (pid ${lease.pid}) no longer owns it; it was taken over${by} (LEASE_LOST).`);
  }

  release(lease: Lease): void {
    cachedStatement(this.database, 'UPDATE leases SET owner_id = NULL WHERE resource = ? AND owner_id = ? AND fencing_token = ?').run(
      lease.resource,
      lease.ownerId,
      lease.fencingToken,
    );
  }

  holder(resource: string): Lease | undefined {
    const current = this.row(resource);
    return current && current.owner_id !== null ? toLease(current) : undefined;
  }
}
