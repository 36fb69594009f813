/**
 * Method packs (`packs.md`): named sets of Bitrix24 methods a chain or a call may use. A method outside
 * the selected packs is refused before any request is sent. `core` is the default; `none` allows nothing.
 */
import { RefusalError } from '../errors/index.ts';
import { packNames, type PackName } from './method-catalog.ts';
import { scopesForMethods } from './scopes.ts';

export { packNames, type PackName } from './method-catalog.ts';

export interface PackInfo {
  name: PackName;
  /** Method patterns: `crm.*` matches every method under `crm.`; a pattern without `*` is exact. */
  patterns: string[];
  /** Words people use for what the pack covers (`chain` maps them to the pack). */
  vocabulary: string[];
  /** The Bitrix24 permission scopes the pack's methods need. */
  scopes: string[];
  description: string;
}

/** The pack that allows nothing: for a session that must not call the portal at all. */
export const noPack = 'none';
export const defaultPacks: readonly PackName[] = ['core'];

interface PackDefinition {
  patterns: readonly string[];
  vocabulary: readonly string[];
  description: string;
}

const definitions: Record<PackName, PackDefinition> = {
  core: {
    patterns: ['batch', 'user.*', 'department.*', 'crm.*', 'tasks.task.*', 'task.*', 'event.*'],
    vocabulary: ['CRM', 'leads', 'deals', 'contacts', 'companies', 'tasks', 'users', 'departments', 'events'],
    description: 'CRM, tasks.task, users, departments, events, batch',
  },
  comms: {
    patterns: ['im.*', 'imbot.*', 'imopenlines.*', 'imconnector.*', 'messageservice.*', 'mailservice.*', 'telephony.*'],
    vocabulary: ['chats', 'messages', 'bots', 'chat bots', 'notifications', 'telephony', 'calls', 'open lines', 'contact-center connectors', 'SMS'],
    description: 'chats, bots, notifications, open lines, telephony',
  },
  automation: {
    patterns: ['bizproc.*', 'crm.automation.*', 'lists.*'],
    vocabulary: ['business processes', 'bizproc', 'workflows', 'workflow templates', 'robots', 'triggers', 'lists'],
    description: 'business processes, robots, workflow templates, lists',
  },
  collab: {
    patterns: ['sonet_group.*', 'socialnetwork.*', 'log.*', 'calendar.*', 'vote.*'],
    vocabulary: ['collabs', 'workgroups', 'groups', 'projects', 'social network groups', 'feed', 'live feed', 'news feed', 'blog posts', 'votes'],
    description: 'workgroups and projects, social feed',
  },
  content: {
    patterns: ['disk.*', 'file.*', 'files.*', 'documentgenerator.*'],
    vocabulary: ['disk', 'drive', 'files', 'folders', 'documents', 'document generator'],
    description: 'disk, files, document generator',
  },
  boards: {
    patterns: ['tasks.api.scrum.*', 'tasks.scrum.*'],
    vocabulary: ['scrum', 'sprints', 'kanban', 'backlog', 'epics'],
    description: 'scrum: sprints, kanban, backlog, epics',
  },
  commerce: {
    patterns: ['sale.*', 'catalog.*'],
    vocabulary: ['orders', 'payments', 'deliveries', 'catalog', 'products', 'prices', 'online store'],
    description: 'orders, payments, deliveries, catalog',
  },
  services: {
    patterns: ['booking.*', 'calendar.*', 'timeman.*'],
    vocabulary: ['booking', 'calendar', 'work time', 'time tracking', 'timeman'],
    description: 'booking, calendar, time tracking',
  },
  platform: {
    patterns: ['entity.*', 'biconnector.*', 'ai.*'],
    vocabulary: ['AI', 'Copilot', 'CoPilot', 'BitrixGPT', 'AI prompts', 'entity storage', 'data storage', 'BI connector', 'biconnector'],
    description: 'AI engines, entity storage, BI connector',
  },
  sites: {
    patterns: ['landing.*'],
    vocabulary: ['sites', 'landing pages', 'landings', 'websites'],
    description: 'sites and landing pages',
  },
  compliance: {
    patterns: ['userconsent.*', 'sign.*'],
    vocabulary: ['consents', 'user consent', 'agreements', 'e-signature', 'sign'],
    description: 'user consent, e-signature (sign.b2e tails)',
  },
  diagnostics: {
    patterns: ['method.get', 'methods', 'events', 'feature.get', 'scope', 'server.time'],
    vocabulary: ['diagnostics', 'method checks', 'scope checks', 'feature checks'],
    description: 'method, scope, feature and event checks (exact names only)',
  },
};

function patternToExpression(pattern: string): RegExp {
  const escaped = pattern
    .trim()
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`, 'i');
}

const compiledPatterns = new Map<string, RegExp>();

/** Whether a method matches a pattern (`crm.*`, `crm.lead.add`, `*`), case-insensitively. */
export function methodMatchesPattern(method: string, pattern: string): boolean {
  let expression = compiledPatterns.get(pattern);
  if (expression === undefined) {
    expression = patternToExpression(pattern);
    compiledPatterns.set(pattern, expression);
  }
  return expression.test(method.trim());
}

/** Whether a method matches any of the patterns (an allowlist such as `crm.lead.*,user.get`). */
export function methodMatchesAnyPattern(method: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => methodMatchesPattern(method, pattern));
}

function isPackName(name: string): name is PackName {
  return (packNames as readonly string[]).includes(name);
}

/** Whether the selected packs allow a method. Unknown pack names and `none` allow nothing. */
export function methodAllowedByPacks(method: string, packs: readonly string[]): boolean {
  if (method.trim() === '') return false;
  return packs.some((pack) => {
    const name = pack.trim().toLowerCase();
    return isPackName(name) && methodMatchesAnyPattern(method, definitions[name].patterns);
  });
}

/** Every pack that allows a method (e.g. `calendar.event.add` → collab and services). */
export function packsForMethod(method: string): PackName[] {
  return packNames.filter((pack) => methodMatchesAnyPattern(method, definitions[pack].patterns));
}

/** A representative method name for a pattern, to find the scope its methods need. */
function sampleMethod(pattern: string): string {
  return pattern.replace(/\*/g, 'x');
}

export function listPacks(): PackInfo[] {
  return packNames.map((name) => {
    const definition = definitions[name];
    return {
      name,
      patterns: [...definition.patterns],
      vocabulary: [...definition.vocabulary],
      scopes: scopesForMethods(definition.patterns.map(sampleMethod)),
      description: definition.description,
    };
  });
}

/** Lowercase, letters and digits only, one trailing plural `s` dropped: "Live-Feed" → "livefeed". */
function normalizeWord(word: string): string {
  return word
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/s$/, '');
}

const packByWord = new Map<string, PackName>();
for (const name of packNames) {
  for (const word of definitions[name].vocabulary) packByWord.set(normalizeWord(word), name);
}

/** The pack a vocabulary word or pack name means (`workgroups` → collab), or undefined. */
export function packForWord(word: string): PackName | undefined {
  const lower = word.trim().toLowerCase();
  if (isPackName(lower)) return lower;
  return packByWord.get(normalizeWord(word));
}

/**
 * Turns `--packs` / `B24_PACKS` text (a comma list of pack names or the words people use for them)
 * into pack names, deduplicated in order. `none` stands alone. Throws a `RefusalError` naming every
 * word it does not know.
 */
export function resolvePackNames(input: string): string[] {
  const words = input
    .split(',')
    .map((word) => word.trim())
    .filter((word) => word !== '');
  const known = packNames.join(', ');
  if (words.length === 0) {
    throw new RefusalError('packs: the pack list is empty (PACK_LIST_EMPTY).', {
      code: 'PACK_LIST_EMPTY',
      hint: `Name one or more of: ${known}; or "none" to allow no method.`,
      subject: 'packs',
    });
  }
  if (words.some((word) => word.toLowerCase() === noPack)) {
    if (words.length > 1) {
      throw new RefusalError(`packs: "none" cannot be combined with other packs ("${input.trim()}") (PACK_NONE_COMBINED).`, {
        code: 'PACK_NONE_COMBINED',
        hint: 'Use "none" alone to allow no method, or list the packs to allow.',
        subject: 'packs',
      });
    }
    return [noPack];
  }
  const resolved: string[] = [];
  const unknown: string[] = [];
  for (const word of words) {
    const pack = packForWord(word);
    if (pack === undefined) unknown.push(word);
    else if (!resolved.includes(pack)) resolved.push(pack);
  }
  if (unknown.length > 0) {
    const quoted = unknown.map((word) => `"${word}"`).join(', ');
    throw new RefusalError(`packs: unknown pack ${quoted} (PACK_UNKNOWN).`, {
      code: 'PACK_UNKNOWN',
      hint: `Use one of: ${known}; or "none". \`chain packs\` lists them with the words that map to each.`,
      subject: 'packs',
      details: { unknown, known: [...packNames] },
    });
  }
  return resolved;
}
