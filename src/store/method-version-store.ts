/**
 * The cached REST 3.0 method registry of each portal (migration 007): saved after a refresh from the
 * portal, read back while fresh (default one day), replaced as a whole on the next refresh.
 */
import type { StateDatabase } from './state-database.ts';

export type RegistrySource = 'rest.scope.list' | 'rest.documentation.openapi';

export const defaultRegistryMaxAgeMs = 24 * 60 * 60 * 1000;

export interface CachedRegistry {
  methods: string[];
  source: RegistrySource;
  refreshedAt: number;
}

export class MethodVersionStore {
  constructor(private readonly database: StateDatabase) {}

  /** The portal's cached v3 methods, or undefined when none were saved or they are older than `maxAgeMs`. */
  load(portal: string, nowMs: number, maxAgeMs = defaultRegistryMaxAgeMs): CachedRegistry | undefined {
    const rows = this.database
      .prepare('SELECT method, source, refreshed_at AS "refreshedAt" FROM v3_method_registry WHERE portal = ? ORDER BY method')
      .all(portal) as Array<{ method: string; source: RegistrySource; refreshedAt: number }>;
    const first = rows[0];
    if (first === undefined || nowMs - first.refreshedAt > maxAgeMs) return undefined;
    return { methods: rows.map((row) => row.method), source: first.source, refreshedAt: first.refreshedAt };
  }

  save(portal: string, methods: readonly string[], source: RegistrySource, nowMs: number): void {
    const insert = this.database.prepare(`INSERT INTO v3_method_registry (portal, method, source, refreshed_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (portal, method) DO UPDATE SET source = excluded.source, refreshed_at = excluded.refreshed_at`);
    this.database.transaction(() => {
      this.database.prepare('DELETE FROM v3_method_registry WHERE portal = ?').run(portal);
      for (const method of new Set(methods.map((name) => name.toLowerCase()))) insert.run(portal, method, source, nowMs);
    })();
  }
}
