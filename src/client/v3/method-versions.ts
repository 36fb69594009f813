/**
 * Which methods exist on REST 3.0, and which version a call uses. The registry starts from a built-in
 * list (protocol.md §6) and can be refreshed from the portal (`rest.scope.list`, else the paths of
 * `rest.documentation.openapi`). `auto` (the default) picks v3 for a method the registry knows when
 * the parameters are in the v3 form, and v2 otherwise: v2-shaped parameters (a filter object, `start`,
 * UPPER_CASE field names, `taskId`) keep a v2 recipe on v2 (DESIGN: "prefer v3 where compatible").
 */
export type ApiVersion = 2 | 3;
export type ApiVersionChoice = 'auto' | ApiVersion;

/** Methods on REST 3.0 (docs api-reference/rest-v3, 2026); no CRM yet. */
export const BUILT_IN_V3_METHODS: readonly string[] = [
  'tasks.task.add',
  'tasks.task.get',
  'tasks.task.update',
  'tasks.task.delete',
  'tasks.task.list',
  'tasks.task.field.list',
  'tasks.task.field.get',
  'tasks.task.access.get',
  'tasks.task.chat.message.send',
  'tasks.task.file.attach',
  'tasks.task.result.add',
  'tasks.task.result.addfromchatmessage',
  'tasks.task.result.update',
  'tasks.task.result.delete',
  'tasks.task.result.list',
  'main.eventlog.list',
  'main.eventlog.get',
  'main.eventlog.tail',
  'main.eventlog.field.list',
  'main.eventlog.field.get',
  'timeman.record.list',
  'timeman.record.field.list',
  'timeman.record.field.get',
  'mail.mailbox.list',
  'mail.mailbox.get',
  'mail.message.list',
  'mail.message.get',
  'mail.message.send',
  'humanresources.node.list',
  'humanresources.node.get',
  'humanresources.node.add',
  'humanresources.employee.search',
  'note.collection.list',
  'note.collection.add',
  'note.document.list',
  'note.document.add',
  'note.document.get',
  'call.followup.field.list',
  'rest.scope.list',
  'rest.documentation.openapi',
  'documentation',
];

/** Methods that exist only on v3 (no v2 fallback). */
const V3_ONLY = /^(main\.eventlog\.|rest\.scope\.list$|rest\.documentation\.openapi$|documentation$|note\.|humanresources\.(node|employee)\b)/;

export class MethodVersions {
  private methods: Set<string>;
  /** Where the list came from: `built-in`, or `portal` after a refresh. */
  source: 'built-in' | 'portal';

  constructor(methods: Iterable<string> = BUILT_IN_V3_METHODS, source: 'built-in' | 'portal' = 'built-in') {
    this.methods = new Set([...methods].map((method) => method.toLowerCase()));
    this.source = source;
  }

  hasV3(method: string): boolean {
    return this.methods.has(method.toLowerCase());
  }

  list(): string[] {
    return [...this.methods].sort();
  }

  replace(methods: Iterable<string>, source: 'built-in' | 'portal'): void {
    this.methods = new Set([...methods].map((method) => method.toLowerCase()));
    this.source = source;
  }
}

/** The v3 method names in an answer of `rest.scope.list` (items or a map) or `rest.documentation.openapi` (paths). */
export function methodsFromPortalAnswer(result: unknown): string[] {
  if (result === null || typeof result !== 'object') return [];
  const record = result as Record<string, unknown>;
  if (Array.isArray(record.items)) {
    return record.items.flatMap((item) =>
      item !== null && typeof item === 'object' && typeof (item as { method?: unknown }).method === 'string' ? [(item as { method: string }).method] : [],
    );
  }
  if (record.paths !== null && typeof record.paths === 'object') return Object.keys(record.paths as object).map((path) => path.replace(/^\//, ''));
  const map = (record.item ?? record) as Record<string, unknown>;
  return Object.keys(map).filter((key) => key.includes('.'));
}

export function isV3OnlyMethod(method: string): boolean {
  return V3_ONLY.test(method.toLowerCase());
}

const UPPER_NAME = /^[A-Z][A-Z0-9_]*$/;

function hasUpperKeys(value: unknown): boolean {
  return (
    value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).some((key) => UPPER_NAME.test(key.replace(/^[<>=!@%]+/, '')))
  );
}

/** True when the parameters are in a v2-only form. */
export function looksLikeV2Params(params: Record<string, unknown>): boolean {
  if ('start' in params || 'taskId' in params || 'TASKID' in params) return true;
  if (params.filter !== undefined && !Array.isArray(params.filter)) return true;
  if (hasUpperKeys(params.fields) || hasUpperKeys(params.order) || hasUpperKeys(params)) return true;
  return Array.isArray(params.select) && params.select.some((name) => typeof name === 'string' && UPPER_NAME.test(name) && name !== 'ID');
}

export function chooseApiVersion(
  method: string,
  params: Record<string, unknown>,
  requested: ApiVersionChoice | undefined,
  versions: MethodVersions,
): ApiVersion {
  if (requested === 2 || requested === 3) return requested;
  if (!versions.hasV3(method)) return 2;
  if (isV3OnlyMethod(method)) return 3;
  return looksLikeV2Params(params) ? 2 : 3;
}

export function parseApiVersionChoice(value: unknown): ApiVersionChoice | undefined {
  if (value === 'auto') return 'auto';
  if (value === 2 || value === '2') return 2;
  if (value === 3 || value === '3') return 3;
  return undefined;
}
