/** Methods registered only in tests, so the emulator's HTTP core is tested on its own. */
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { RestError, type MethodSpec } from '../../src/emulator/types.ts';

export function registerTestMethods(emulator: RunningEmulator): { added: Map<number, unknown> } {
  const added = new Map<number, unknown>();
  const specs: MethodSpec[] = [
    { name: 'test.echo', scope: 'basic', kind: 'read', handler: ({ params }) => ({ result: params }) },
    {
      name: 'test.add',
      scope: 'crm',
      kind: 'write',
      handler: ({ params }) => {
        const id = added.size + 1;
        added.set(id, params.fields);
        return { result: id };
      },
    },
    {
      name: 'test.list',
      scope: 'crm',
      kind: 'read',
      handler: ({ params }) => {
        const rows = Array.from({ length: Number(params.count ?? 120) }, (_, index) => ({ ID: String(index + 1) }));
        const start = Number(params.start ?? 0);
        if (start === -1) return { result: rows.slice(0, 50), total: 0 };
        const page = rows.slice(start, start + 50);
        const result: { result: unknown; total: number; next?: number } = { result: page, total: rows.length };
        if (start + page.length < rows.length) result.next = start + page.length;
        return result;
      },
    },
    {
      name: 'test.fail',
      scope: 'basic',
      kind: 'read',
      handler: ({ params }) => {
        throw new RestError(String(params.code ?? ''), String(params.text ?? 'Not found'), Number(params.status ?? 400));
      },
    },
    { name: 'test.apponly', scope: 'basic', kind: 'read', appOnly: true, handler: () => ({ result: true }) },
    {
      name: 'test.crash',
      scope: 'basic',
      kind: 'read',
      handler: () => {
        throw new Error('a bug in a handler');
      },
    },
  ];
  for (const spec of specs) emulator.core.methods.set(spec.name, spec);
  return { added };
}
