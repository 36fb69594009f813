/**
 * A fleet's portals are named profiles: of `--portals-file F` (YAML or JSON, the credentials file's
 * shape `{version: 1, portals: {NAME: {domain, authMode, webhookUserId, webhookCode, ...}}}`), else of
 * the credentials file (`B24_CREDENTIALS`, as for `--portal NAME`). The connection variables of the
 * environment (`B24_DOMAIN`, `B24_WEBHOOK_CODE`, ...) are ignored for a fleet, so a profile missing its
 * domain is refused instead of silently pointing at the environment's portal. Nothing here sends a request.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'yaml';
import { assertPrivateFile, resolveConnection, type Connection, type OpenPortalClientOptions, type PortalProfile } from '../client/index.ts';
import { ConnectionConfigError } from '../errors/index.ts';
import { FleetRefusedError } from './fleet-errors.ts';

export interface PortalsFile {
  path: string;
  /** JSON files take refreshed OAuth tokens back, like the credentials file; YAML ones leave them to the tokens file. */
  json: boolean;
  portals: Record<string, PortalProfile>;
}

export interface FleetPortalSources {
  portalsFile?: PortalsFile | undefined;
  /** `B24_CREDENTIALS`. */
  credentialsFile?: string | undefined;
}

const CONNECTION_VARIABLES = [
  'B24_DOMAIN',
  'B24_AUTH_MODE',
  'B24_WEBHOOK_USER_ID',
  'B24_WEBHOOK_CODE',
  'B24_ACCESS_TOKEN',
  'B24_REFRESH_TOKEN',
  'B24_CLIENT_ID',
  'B24_CLIENT_SECRET',
];

/** The environment without the variables that name one portal's connection. */
export function fleetEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !CONNECTION_VARIABLES.includes(name)));
}

function invalid(path: string, detail: string): FleetRefusedError {
  return new FleetRefusedError(`${path}: ${detail} (PORTALS_FILE_INVALID).`, {
    code: 'PORTALS_FILE_INVALID',
    hint: 'The file holds {portals: {NAME: {domain: ..., authMode: webhook, webhookUserId: ..., webhookCode: ...}}} in YAML or JSON, mode 0600.',
    subject: path,
  });
}

/** Reads and checks a portals file (mode 0600: it holds secrets). */
export function readPortalsFile(path: string): PortalsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw invalid(path, 'the portals file cannot be read');
  }
  assertPrivateFile(path, 'portals file');
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch {
    throw invalid(path, 'the portals file is neither YAML nor JSON');
  }
  const portals = (parsed as { portals?: unknown } | null)?.portals;
  if (portals === null || typeof portals !== 'object' || Array.isArray(portals)) throw invalid(path, 'the portals file has no "portals" mapping');
  for (const [name, profile] of Object.entries(portals)) {
    if (profile === null || typeof profile !== 'object' || Array.isArray(profile)) throw invalid(path, `portal "${name}" is not a mapping of settings`);
  }
  const json = extname(path).toLowerCase() === '.json' || text.trimStart().startsWith('{');
  return { path, json, portals: portals as Record<string, PortalProfile> };
}

const PORTAL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** `--portals a,b,c` → the names, each usable in a job id, none twice. */
export function parsePortalNames(values: readonly string[]): string[] {
  const names = values.flatMap((value) => value.split(',')).map((name) => name.trim());
  const bad = names.find((name) => !PORTAL_NAME.test(name));
  if (bad !== undefined || names.length === 0) {
    throw new FleetRefusedError(`--portals: ${JSON.stringify(bad ?? '')} is not a portal name (PORTAL_NAME_INVALID).`, {
      code: 'PORTAL_NAME_INVALID',
      hint: 'Give profile names separated by commas, e.g. --portals prod-1,prod-2 (letters, digits, _, -, .).',
      subject: '--portals',
    });
  }
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) {
    throw new FleetRefusedError(`--portals: "${repeated}" is named twice (PORTAL_NAME_INVALID).`, {
      code: 'PORTAL_NAME_INVALID',
      hint: 'Name each portal once; a fleet runs the chain once per portal.',
      subject: '--portals',
    });
  }
  return names;
}

/** How `openPortalClient` opens the named portal of a fleet (no request sent). */
export function fleetClientOptions(
  name: string,
  sources: FleetPortalSources,
  env: Readonly<Record<string, string | undefined>>,
): OpenPortalClientOptions & { env: Record<string, string | undefined> } {
  const fleetEnv = fleetEnvironment(env);
  const fromFile = sources.portalsFile?.portals[name];
  if (fromFile !== undefined && sources.portalsFile !== undefined) {
    if (sources.portalsFile.json) return { env: fleetEnv, profile: name, credentialsFile: sources.portalsFile.path };
    return { env: fleetEnv, connection: fromFile, tokenKey: `fleet|${name}` };
  }
  if (sources.credentialsFile !== undefined) return { env: fleetEnv, profile: name, credentialsFile: sources.credentialsFile };
  const where = sources.portalsFile ? `${sources.portalsFile.path}` : 'no credentials file (B24_CREDENTIALS) and no --portals-file';
  throw new ConnectionConfigError({
    setting: `profile "${name}"`,
    code: 'UNKNOWN_PROFILE',
    detail: `is not in ${where}`,
    hint: 'Add it under "portals" in the portals file (--portals-file) or the credentials file (B24_CREDENTIALS).',
  });
}

/** Resolves the named portal's connection as a worker will, or throws what is wrong with it; sends nothing. */
export function checkFleetPortal(name: string, sources: FleetPortalSources, env: Readonly<Record<string, string | undefined>>): Connection {
  const options = fleetClientOptions(name, sources, env);
  if (options.credentialsFile !== undefined) assertPrivateFile(options.credentialsFile);
  return resolveConnection({
    env: options.env,
    ...(options.connection === undefined ? {} : { options: options.connection }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.credentialsFile === undefined ? {} : { credentialsFile: options.credentialsFile }),
  });
}
