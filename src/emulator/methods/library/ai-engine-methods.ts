/**
 * AI engines (docs `api-reference/ai/`): `ai.engine.register` by `code` (a second register with the
 * same code updates it), `ai.engine.list`, `ai.engine.unregister`; administrators only.
 */
import type { GenericRecord } from '../../state/portal-records.ts';
import { RestError, type MethodCall, type MethodSpec } from '../../types.ts';
import { isPlainObject, pickParam, textOf } from '../read-params.ts';

const CATEGORIES = ['text', 'image', 'audio', 'call', 'vision', 'classify'];

/** Registering and unregistering engines is for administrators (docs). */
function requireAdmin(call: MethodCall): void {
  if (!call.portal.isAdmin(call.auth.userId)) throw new RestError('ACCESS_DENIED', 'Access denied: administrator rights are required', 403);
}

function renderEngine(row: GenericRecord): Record<string, unknown> {
  return {
    id: row.ID,
    app_code: row.app_code,
    name: row.name,
    code: row.code,
    category: row.category,
    completions_url: row.completions_url,
    settings: row.settings,
  };
}

export function aiEngineMethods(): MethodSpec[] {
  const engines = (call: MethodCall) => call.portal.genericTable('ai.engine');
  const byCode = (call: MethodCall, code: string) => [...engines(call).values()].find((row) => row.code === code);
  return [
    { name: 'ai.engine.list', scope: 'ai_admin', kind: 'read', handler: (call) => ({ result: [...engines(call).values()].map(renderEngine) }) },
    {
      name: 'ai.engine.register',
      scope: 'ai_admin',
      kind: 'write',
      handler: (call) => {
        requireAdmin(call);
        const read = (name: string): string => textOf(pickParam(call.params, name)).trim();
        for (const name of ['name', 'code', 'category', 'completions_url'])
          if (read(name) === '') throw new RestError('ERROR_ARGUMENT', `Parameter '${name}' is required`, 400, { argument: name });
        if (!CATEGORIES.includes(read('category')))
          throw new RestError('ERROR_ARGUMENT', `Unknown category '${read('category')}'; expected one of ${CATEGORIES.join(', ')}`, 400, {
            argument: 'category',
          });
        if (!/^https:\/\//.test(read('completions_url')))
          throw new RestError('ERROR_ARGUMENT', "Parameter 'completions_url' must be an https URL", 400, { argument: 'completions_url' });
        const current = byCode(call, read('code'));
        const id = current?.ID ?? engines(call).allocateId();
        const settings = pickParam(call.params, 'settings');
        engines(call).insert(id, {
          ID: id,
          app_code: call.auth.appId ?? '',
          name: read('name'),
          code: read('code'),
          category: read('category'),
          completions_url: read('completions_url'),
          settings: isPlainObject(settings) ? settings : {},
        });
        return { result: id };
      },
    },
    {
      name: 'ai.engine.unregister',
      scope: 'ai_admin',
      kind: 'write',
      handler: (call) => {
        requireAdmin(call);
        const engine = byCode(call, textOf(pickParam(call.params, 'code')).trim());
        if (!engine) throw new RestError('ENGINE_NOT_FOUND', 'Engine not found', 400);
        engines(call).delete(engine.ID);
        return { result: true };
      },
    },
  ];
}
