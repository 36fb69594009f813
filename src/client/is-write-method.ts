/**
 * Whether a method changes the portal, when the caller does not say. Unknown verbs count as writes:
 * a write is never re-sent blindly, so guessing "write" only costs a retry, guessing "read" could
 * duplicate a record. `event.offline.get` deletes or reserves what it returns: a write.
 */
const READ_VERBS = new Set([
  'get',
  'list',
  'fields',
  'getlist',
  'getfields',
  'search',
  'current',
  'count',
  'info',
  'tail',
  'getbyid',
  'userfield.list',
  'version',
  'access',
  'types',
]);

const READ_METHODS = new Set([
  'server.time',
  'scope',
  'methods',
  'method.get',
  'profile',
  'app.info',
  'feature.get',
  'events',
  'user.get',
  'department.get',
  'event.get',
  'event.offline.list',
]);

const WRITE_METHODS = new Set(['event.offline.get']);

export function isWriteMethod(method: string): boolean {
  const lower = method.toLowerCase();
  if (WRITE_METHODS.has(lower)) return true;
  if (READ_METHODS.has(lower)) return false;
  const verb = lower.slice(lower.lastIndexOf('.') + 1);
  if (READ_VERBS.has(verb)) return false;
  return !/^(get|list)[a-z]*$/.test(verb);
}
