import type { StateDatabase } from '../state-database.ts';

/** One step of the state database's schema. Applied once, in version order, inside a transaction. */
export interface StateMigration {
  /** 1, 2, 3…: the list must be exactly 1..n in order; the database records the last one applied. */
  version: number;
  /** What it adds, for error messages: `guarded call: plans, idempotency, audit`. */
  name: string;
  /** Runs inside the migration transaction; throw to roll the whole upgrade back. */
  up(database: StateDatabase): void;
}
