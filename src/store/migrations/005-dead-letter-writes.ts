import type { StateMigration } from './migration.ts';

/**
 * Dead letters remember the writes whose outcome was unknown when the row was given up on (method,
 * step and whether a natural key or a safe re-send can tell if it happened), so `chain worker dlq
 * retry` can refuse a retry that may apply an effect twice (DESIGN.md §8). NULL when nothing is known.
 */
export const deadLetterWritesMigration: StateMigration = {
  version: 5,
  name: 'dead letters: the writes whose outcome is unknown',
  up: (database) => database.exec('ALTER TABLE event_dead_letters ADD COLUMN unknown_writes_json TEXT;'),
};
