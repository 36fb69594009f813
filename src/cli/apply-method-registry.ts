/**
 * The REST 3.0 method registry a CLI client uses (issue 13): the portal's list cached in the state
 * database (migration 007) while fresh, else the built-in list. `B24_V3_REGISTRY=refresh` asks the
 * portal (`rest.scope.list`, else `rest.documentation.openapi`: one request) when the cache is stale
 * and saves the answer; the default never sends a request for it.
 */
import type { Database } from '../store/index.ts';
import type { B24Client } from '../client/index.ts';
import { ConnectionConfigError } from '../errors/index.ts';
import { MethodVersionStore } from '../store/index.ts';

export async function applyMethodRegistry(
  client: B24Client,
  database: Database,
  env: Readonly<Record<string, string | undefined>>,
  nowMs: number,
): Promise<void> {
  const mode = env.B24_V3_REGISTRY ?? 'cached';
  if (mode !== 'cached' && mode !== 'refresh') {
    throw new ConnectionConfigError({
      setting: 'B24_V3_REGISTRY',
      code: 'INVALID_SETTING',
      detail: `"${mode}" is not cached or refresh`,
      hint: 'Set B24_V3_REGISTRY=cached (default) or refresh.',
    });
  }
  const store = new MethodVersionStore(database);
  const portal = client.connection.portalKey;
  const cached = store.load(portal, nowMs);
  if (cached !== undefined) {
    client.methodVersions.replace(cached.methods, 'portal');
    return;
  }
  if (mode !== 'refresh') return;
  const source = await client.refreshMethodVersions();
  if (source !== 'built-in') store.save(portal, client.methodVersions.list(), source, nowMs);
}
