/**
 * The Bitrix24 permission scope a method needs (protocol.md §7, docs `api-reference/scopes/permissions.md`
 * and each method page's "Scope:" line). Used to report the scopes a chain needs and to stop a run whose
 * credentials lack one before its first write.
 */

/** Methods of the global `basic` scope: no permission to request. */
const basicMethods = new Set([
  'batch',
  'server.time',
  'scope',
  'methods',
  'method.get',
  'feature.get',
  'events',
  'profile',
  'app.info',
  'access.name',
  'user.access',
]);

/**
 * Method families and their scope; the longest matching prefix wins. A prefix ends with a dot, so
 * `im.` never matches `imbot.register`.
 */
const scopeByPrefix: ReadonlyArray<readonly [prefix: string, scope: string]> = [
  ['event.', 'basic'],
  ['app.', 'basic'],
  ['user.option.', 'basic'],
  ['crm.', 'crm'],
  ['tasks.', 'task'],
  ['task.', 'task'],
  ['user.userfield.', 'user.userfield'],
  ['user.', 'user'],
  ['department.', 'department'],
  ['im.', 'im'],
  ['imbot.', 'imbot'],
  ['imopenlines.', 'imopenlines'],
  // The connector methods themselves (imconnector.list, .register, .activate) need imopenlines.
  ['imconnector.', 'imopenlines'],
  ['messageservice.', 'messageservice'],
  ['mailservice.', 'mailservice'],
  ['telephony.', 'telephony'],
  ['voximplant.', 'telephony'],
  ['bizproc.', 'bizproc'],
  ['lists.', 'lists'],
  ['sonet_group.', 'sonet_group'],
  ['socialnetwork.', 'socialnetwork'],
  ['log.', 'log'],
  ['calendar.', 'calendar'],
  ['vote.', 'vote'],
  ['disk.', 'disk'],
  ['file.', 'disk'],
  ['files.', 'disk'],
  ['documentgenerator.', 'documentgenerator'],
  ['sale.', 'sale'],
  ['catalog.', 'catalog'],
  ['booking.', 'booking'],
  ['timeman.', 'timeman'],
  ['entity.', 'entity'],
  ['biconnector.', 'biconnector'],
  ['ai.', 'ai_admin'],
  ['landing.', 'landing'],
  ['userconsent.', 'userconsent'],
  ['sign.b2e.', 'sign.b2e'],
  ['sign.', 'sign.b2e'],
  ['placement.', 'placement'],
  ['pull.', 'pull'],
  ['rpa.', 'rpa'],
];

const prefixesLongestFirst = [...scopeByPrefix].sort(([left], [right]) => right.length - left.length);

/** The scope a method needs, or undefined when the method's family is not known. Case-insensitive. */
export function scopeForMethod(method: string): string | undefined {
  const name = method.trim().toLowerCase();
  if (basicMethods.has(name)) return 'basic';
  for (const [prefix, scope] of prefixesLongestFirst) {
    if (name.startsWith(prefix)) return scope;
  }
  return undefined;
}

/** The distinct scopes a set of methods needs, sorted; methods of unknown families are skipped. */
export function scopesForMethods(methods: Iterable<string>): string[] {
  const scopes = new Set<string>();
  for (const method of methods) {
    const scope = scopeForMethod(method);
    if (scope !== undefined) scopes.add(scope);
  }
  return [...scopes].sort();
}
