/** `rest.scope.list` (method → scope, v3 only) and `rest.documentation.openapi` (alias `documentation`). */
import type { V3MethodSpec } from './v3-method.ts';

export function v3SystemMethods(table: () => ReadonlyMap<string, V3MethodSpec>): V3MethodSpec[] {
  const scopes = (): Record<string, string> => Object.fromEntries([...table().values()].map((spec) => [spec.name, spec.scope]));
  const openapi = (): Record<string, unknown> => ({
    openapi: '3.0.0',
    info: { title: 'Bitrix24 REST API 3.0 (emulator)', version: '3.0.0' },
    paths: Object.fromEntries([...table().values()].map((spec) => [`/${spec.name}`, { post: { tags: [spec.scope], 'x-kind': spec.kind } }])),
  });
  return [
    {
      name: 'rest.scope.list',
      scope: 'basic',
      kind: 'read',
      handler: () => ({ items: Object.entries(scopes()).map(([method, scope]) => ({ method, scope })) }),
    },
    { name: 'rest.documentation.openapi', scope: 'basic', kind: 'read', handler: openapi },
    { name: 'documentation', scope: 'basic', kind: 'read', handler: openapi },
  ];
}
