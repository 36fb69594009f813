/**
 * The portal's self-description (scope `basic`): `server.time`, `scope`, `methods`, `method.get`
 * (`{isExisting, isAvailable}` against the method table and the caller's scopes), `feature.get`
 * (`{value: 'Y'|'N'}`), `events` (event names of the caller's scopes, or all with FULL) and `app.info`
 * (app-info-method.ts).
 */
import { phpIsoDate } from '../../envelope.ts';
import { RestError, type AuthContext, type MethodSpec } from '../../types.ts';
import { pickParamAnyCase, textOf } from '../read-params.ts';
import { toFlag } from '../crm/crm-values.ts';
import { EVENTS_BY_SCOPE } from '../events/event-catalog.ts';
import { appInfoMethod } from './app-info-method.ts';

const USER_SCOPES = ['user', 'user_brief', 'user_basic'];

/** Whether the caller's scopes grant `scope` (as the core checks it). */
export function grantsScope(auth: AuthContext, scope: string): boolean {
  if (scope === 'basic') return true;
  if (scope === 'user') return USER_SCOPES.some((candidate) => auth.scopes.has(candidate));
  return auth.scopes.has(scope);
}

function isFlagSet(value: unknown): boolean {
  return value !== undefined && toFlag(value) === 'Y';
}

export function systemMethods(table: ReadonlyMap<string, MethodSpec>): MethodSpec[] {
  const exists = (name: string): boolean => name === 'batch' || table.has(name);
  const available = (auth: AuthContext, name: string): boolean => {
    if (name === 'batch') return true;
    const spec = table.get(name);
    return spec !== undefined && grantsScope(auth, spec.scope) && !(spec.appOnly === true && auth.type === 'webhook');
  };
  return [
    appInfoMethod(),
    { name: 'server.time', scope: 'basic', kind: 'read', handler: ({ nowMs }) => ({ result: phpIsoDate(nowMs) }) },
    {
      name: 'scope',
      scope: 'basic',
      kind: 'read',
      handler: ({ auth, params }) => {
        if (isFlagSet(pickParamAnyCase(params, 'full'))) {
          return { result: [...new Set(Array.from(table.values(), (spec) => spec.scope).filter((scope) => scope !== 'basic'))].sort() };
        }
        return { result: Array.from(auth.scopes) };
      },
    },
    {
      name: 'methods',
      scope: 'basic',
      kind: 'read',
      handler: ({ auth, params }) => {
        const scope = textOf(pickParamAnyCase(params, 'scope'));
        const full = isFlagSet(pickParamAnyCase(params, 'full'));
        const wanted = (spec: MethodSpec): boolean => (scope !== '' ? spec.scope === scope : full || available(auth, spec.name));
        const names = Array.from(table.values())
          .filter(wanted)
          .map((spec) => spec.name);
        return { result: scope === '' || scope === 'basic' ? ['batch', ...names] : names };
      },
    },
    {
      name: 'method.get',
      scope: 'basic',
      kind: 'read',
      handler: ({ auth, params }) => {
        const name = textOf(pickParamAnyCase(params, 'name'));
        return { result: { isExisting: exists(name), isAvailable: exists(name) && available(auth, name) } };
      },
    },
    {
      name: 'feature.get',
      scope: 'basic',
      kind: 'read',
      handler: ({ portal, params }) => {
        const code = textOf(pickParamAnyCase(params, 'CODE')).trim();
        if (code === '' || code === '0') throw new RestError('CODE_EMPTY', "CODE can't be empty");
        return { result: { value: portal.features.get(code) === true ? 'Y' : 'N' } };
      },
    },
    {
      name: 'events',
      scope: 'basic',
      kind: 'read',
      appOnly: true,
      handler: ({ auth, params }) => {
        const scope = pickParamAnyCase(params, 'SCOPE');
        const full = isFlagSet(pickParamAnyCase(params, 'FULL'));
        let scopes: string[];
        if (scope !== undefined) scopes = textOf(scope) === '' ? ['basic'] : [textOf(scope)];
        else if (full) scopes = Object.keys(EVENTS_BY_SCOPE);
        else scopes = ['basic', ...Object.keys(EVENTS_BY_SCOPE).filter((candidate) => candidate !== 'basic' && grantsScope(auth, candidate))];
        return { result: scopes.flatMap((candidate) => EVENTS_BY_SCOPE[candidate] ?? []) };
      },
    },
  ];
}
