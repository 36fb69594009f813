/**
 * The `cmd` of a batch request in the order it was sent. PHP arrays keep insertion order whatever the
 * keys, so a portal runs `{"lead": ..., "0": "...$result[lead]..."}` lead first; a JavaScript object
 * would put "0" first. Read from the raw request (JSON body, form body or query string, the body
 * winning as in `decodeRequestParams`); undefined when the request carries no `cmd` array.
 */
import { parseOrderedJson, toPlainJson, type OrderedJson } from './parse-ordered-json.ts';
import type { Params } from './types.ts';

export type BatchCommandEntries = Array<[string, unknown]>;

function isCmdKey(key: string): boolean {
  return key.toLowerCase() === 'cmd';
}

function fromJson(body: string): BatchCommandEntries | undefined {
  let parsed;
  try {
    parsed = parseOrderedJson(body);
  } catch {
    return undefined;
  }
  if (!(parsed instanceof Map)) return undefined;
  let commands: OrderedJson | undefined;
  for (const [key, value] of parsed) if (isCmdKey(key)) commands = value;
  if (commands === undefined) return undefined;
  if (commands instanceof Map) return [...commands].map(([key, value]) => [key, toPlainJson(value)]);
  if (Array.isArray(commands)) return commands.map((value, index) => [String(index), toPlainJson(value)]);
  return [];
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** `cmd[key]=value` pairs in order; `cmd[]` takes the next integer key, as PHP's `parse_str` does. */
function fromQuery(text: string): BatchCommandEntries | undefined {
  const commands = new Map<string, unknown>();
  let nextIndex = 0;
  for (const pair of (text.startsWith('?') ? text.slice(1) : text).split('&')) {
    const equals = pair.indexOf('=');
    const key = decode(equals === -1 ? pair : pair.slice(0, equals));
    const match = /^cmd\[([^\]]*)\](.*)$/i.exec(key);
    if (!match) continue;
    if (match[2] !== '') return undefined; // nested command arrays: leave them to the generic decoder
    let name = match[1] as string;
    if (name === '') name = String(nextIndex);
    if (/^(0|[1-9]\d*)$/.test(name)) nextIndex = Math.max(nextIndex, Number(name) + 1);
    commands.set(name, equals === -1 ? '' : decode(pair.slice(equals + 1)));
  }
  return commands.size === 0 ? undefined : [...commands];
}

export function readBatchCommands(query: string, contentType: string | undefined, body: string): BatchCommandEntries | undefined {
  const type = (contentType ?? '').toLowerCase();
  if (body.length > 0 && type.includes('application/json')) return fromJson(body) ?? fromQuery(query);
  if (body.length > 0 && !type.includes('multipart/form-data')) return fromQuery(body) ?? fromQuery(query);
  return fromQuery(query);
}

/** The commands of already decoded parameters (order as JavaScript keeps it): the fallback. */
export function commandsOfParams(params: Params): BatchCommandEntries {
  let raw: unknown;
  for (const [key, value] of Object.entries(params)) if (isCmdKey(key)) raw = value;
  if (raw === null || typeof raw !== 'object') return [];
  return Array.isArray(raw) ? raw.map((command, index) => [String(index), command]) : Object.entries(raw);
}
