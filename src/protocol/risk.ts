/**
 * Risk classes (`packs.md`): every method is a read, a write or destructive. Writes need an explicit
 * write confirmation, destructive calls a separate destructive confirmation.
 * Order of rules: the catalog's class, else the verb rules; then parameter rules, which only raise.
 */
import { findCatalogEntry, type RiskClass } from './method-catalog.ts';
import { parseQuery } from './php-query.ts';

export type { RiskClass } from './method-catalog.ts';

const rank: Record<RiskClass, number> = { read: 0, write: 1, destructive: 2 };

/** The higher of two classes. */
export function highestRisk(left: RiskClass, right: RiskClass): RiskClass {
  return rank[right] > rank[left] ? right : left;
}

/** Whether `risk` needs at least the confirmation of `than` (destructive > write > read). */
export function riskAtLeast(risk: RiskClass, than: RiskClass): boolean {
  return rank[risk] >= rank[than];
}

/** Verbs that delete or detach; a segment that starts with one is destructive (`deletetree`). */
const destructiveVerbs = ['delete', 'remove', 'unregister', 'unbind', 'kill', 'terminate', 'clear', 'markdeleted', 'recyclebin'];

/** Verbs that change the portal; matched as whole words after the camelCase split. */
const writeVerbs = new Set([
  'add',
  'create',
  'update',
  'set',
  'register',
  'bind',
  'import',
  'complete',
  'start',
  'stop',
  'move',
  'moveto',
  'copyto',
  'upload',
  'uploadfile',
  'uploadversion',
  'addsubfolder',
  'send',
  'approve',
  'delegate',
  'renew',
  'defer',
  'open',
  'close',
  'pause',
  'answer',
  'finish',
  'attach',
  'restore',
  'leave',
  'join',
  'rate',
  'convert',
  'save',
  'edit',
  'rename',
  'share',
  'copy',
  'mark',
  'reset',
  'activate',
  'deactivate',
  'enable',
  'disable',
  'install',
  'uninstall',
  'execute',
  'run',
  'accept',
  'decline',
  'confirm',
  'cancel',
  'resume',
  'pin',
  'unpin',
  'like',
]);

/** Verbs that only read; they decide only when no write or destructive verb is present. */
const readVerbs = new Set([
  'get',
  'list',
  'getlist',
  'fields',
  'getfields',
  'current',
  'status',
  'search',
  'find',
  'count',
  'info',
  'version',
  'time',
  'tail',
  'text',
  'profile',
  'methods',
  'scope',
  'events',
]);

/** Lowercase segments that begin with a read verb (`getchildren`, `getforapp`, `findbycomm`). */
const readPrefixes = ['get', 'list', 'find', 'search'];

/** `kanban.deleteTask` → `[['kanban'], ['delete', 'task']]`; digits stay with their word. */
function splitWords(method: string): string[][] {
  return method
    .trim()
    .split('.')
    .filter((segment) => segment !== '')
    .map((segment) =>
      segment
        .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
        .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
        .split(/[\s_-]+/)
        .filter((word) => word !== '')
        .map((word) => word.toLowerCase()),
    );
}

/**
 * The verb rules alone, for a method that is not in the catalog: a destructive verb in any segment (or
 * at the start of one: `deletetree`) → destructive; a write verb in any segment → write; the last
 * segment starting with a read verb (`get`, `getStages`, `getchildren`) → read; anything else is an
 * unknown verb and counts as a write, never silently as a read.
 */
export function classifyByVerbs(method: string): RiskClass {
  const segments = splitWords(method);
  const lowerSegments = method.trim().toLowerCase().split('.');
  const words = segments.flat();
  const isDestructive =
    words.some((word) => destructiveVerbs.includes(word)) || lowerSegments.some((segment) => destructiveVerbs.some((verb) => segment.startsWith(verb)));
  if (isDestructive) return 'destructive';
  if (words.some((word) => writeVerbs.has(word))) return 'write';
  const actionWord = segments[segments.length - 1]?.[0];
  if (actionWord !== undefined && readVerbs.has(actionWord)) return 'read';
  const lastSegment = lowerSegments[lowerSegments.length - 1] ?? '';
  if (readPrefixes.some((prefix) => lastSegment.startsWith(prefix))) return 'read';
  return 'write';
}

/**
 * Whether the verb rules know the action of a method: a word of its last segment is a known read, write
 * or destructive verb, or the segment starts with one (`getchildren`, `deletetree`). False for
 * `crm.lead.ad`: such a method is classed as a write only by default.
 */
export function hasKnownVerb(method: string): boolean {
  const segments = splitWords(method);
  const words = segments[segments.length - 1] ?? [];
  const lastSegment = method.trim().toLowerCase().split('.').pop() ?? '';
  if (words.some((word) => destructiveVerbs.includes(word) || writeVerbs.has(word) || readVerbs.has(word))) return true;
  return [...destructiveVerbs, ...readPrefixes, ...writeVerbs].some((verb) => lastSegment.startsWith(verb));
}

/** The class of a method name alone: the catalog's class, else the verb rules. */
export function classifyMethodName(method: string): RiskClass {
  return findCatalogEntry(method)?.risk ?? classifyByVerbs(method);
}

function isZero(value: unknown): boolean {
  return value === 0 || value === '0' || value === false;
}

/** `event.offline.get` deletes the rows it returns unless `clear` is 0 (key case ignored, as PHP does). */
function offlineGetClears(params: Record<string, unknown> | undefined): boolean {
  const clearValues = Object.entries(params ?? {})
    .filter(([key]) => key.toLowerCase() === 'clear')
    .map(([, value]) => value);
  return clearValues.length === 0 || !clearValues.every(isZero);
}

/** One command of a `batch` call, as the portal reads it (protocol.md §4). */
export interface ParsedBatchCommand {
  /** The key in `cmd` (an index for an array). */
  name: string;
  /** The method as written, `''` when the command cannot be read (not a string, no method). */
  method: string;
  /** The command's parameters: its query parsed as PHP `parse_str` does. */
  params: Record<string, unknown>;
  /** True when the portal could not read it as `method?query`: refuse it before sending. */
  malformed: boolean;
}

/** `batch` (also `BATCH`, `batch.json`): the portal refuses a batch inside a batch. */
export function isBatchMethod(method: string): boolean {
  return /^\/?batch(\.json|\.xml)?$/i.test(method.trim());
}

function parseCommand(name: string, value: unknown): ParsedBatchCommand {
  if (typeof value !== 'string') return { name, method: '', params: {}, malformed: true };
  const withoutFragment = value.split('#')[0] ?? '';
  const questionMark = withoutFragment.indexOf('?');
  const path = questionMark === -1 ? withoutFragment : withoutFragment.slice(0, questionMark);
  const query = questionMark === -1 ? '' : withoutFragment.slice(questionMark + 1);
  const method = path.trim().replace(/^\/+/, '');
  return { name, method, params: parseQuery(query), malformed: method === '' };
}

/**
 * The commands of a `batch` call: `params.cmd` (any key case) as an object of named `method?query`
 * strings or an array of them. A `cmd` that is present but neither yields one malformed command.
 */
export function parseBatchCommands(params: Record<string, unknown>): ParsedBatchCommand[] {
  const commands: ParsedBatchCommand[] = [];
  for (const [key, cmd] of Object.entries(params)) {
    if (key.toLowerCase() !== 'cmd' || cmd === undefined || cmd === null) continue;
    if (Array.isArray(cmd)) {
      for (const [index, value] of cmd.entries()) commands.push(parseCommand(String(index), value));
    } else if (typeof cmd === 'object') for (const [name, value] of Object.entries(cmd)) commands.push(parseCommand(name, value));
    else commands.push(parseCommand(key, undefined));
  }
  return commands;
}

/** Every command's method (`''` for one that cannot be read), so callers can pack-check each one. */
export function batchCommandMethods(params: Record<string, unknown>): string[] {
  return parseBatchCommands(params).map((command) => command.method);
}

/** Whether a `batch` call carries a `batch` among its commands (refused by the portal and by us). */
export function hasNestedBatch(params: Record<string, unknown>): boolean {
  return parseBatchCommands(params).some((command) => isBatchMethod(command.method));
}

/** Deeper than this, a batch inside a batch is counted destructive without looking further. */
const maximumBatchDepth = 4;

function classifyAtDepth(method: string, params: Record<string, unknown> | undefined, depth: number): RiskClass {
  if (isBatchMethod(method)) {
    if (depth >= maximumBatchDepth) return 'destructive';
    let risk: RiskClass = 'read';
    for (const command of parseBatchCommands(params ?? {})) {
      risk = highestRisk(risk, classifyAtDepth(command.method, command.params, depth + 1));
    }
    return risk;
  }
  const base = classifyMethodName(method);
  if (method.trim().toLowerCase() === 'event.offline.get' && offlineGetClears(params)) return highestRisk(base, 'destructive');
  return base;
}

/**
 * The risk class of one call. `batch` takes the highest class of its commands (`params.cmd` as an
 * object or array of `method?query` strings), so a `crm.lead.delete` hidden in a batch is destructive.
 */
export function classifyMethodRisk(method: string, params?: Record<string, unknown>): RiskClass {
  return classifyAtDepth(method, params, 0);
}
