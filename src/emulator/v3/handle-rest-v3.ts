/**
 * One `/rest/api/...` request (REST 3.0, protocol.md §6): `/rest/api/{userId}/{code}/{method}` for
 * webhooks, `/rest/api/{method}` with `auth` in the JSON body for applications. JSON bodies only (the
 * query string is ignored), `{result: {item|items|result}, time}` or `{error: {code, message,
 * validation?}}` with 4xx, the v3 batch, and `Idempotency-Key` replays for writes. Faults, the leaky
 * bucket and the statistics are the same as on v2.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorCore } from '../emulator-core.ts';
import { buildTimeInfo } from '../envelope.ts';
import { applyTransportFault, pause } from '../apply-transport-fault.ts';
import { readBodyOr413, sendJson, sendJsonText } from '../http-io.ts';
import { resolveAuth, withoutAuthParams, type RestPath } from '../resolve-auth.ts';
import { countInto, countRequest, type EmulatorStats } from '../stats.ts';
import type { PortalSite } from '../portal-site.ts';
import type { AuthContext, MethodSpec } from '../types.ts';
import { simulatedSeconds } from '../execute-command.ts';
import { checkIdempotencyKey, IdempotencyRecords } from './idempotency-records.ts';
import { readV3BatchCommands, runV3Batch } from './run-v3-batch.ts';
import { V3Error } from './v3-error.ts';
import { isRecord, type V3MethodSpec } from './v3-method.ts';
import { buildV3MethodTable } from './v3-method-table.ts';

interface V3State {
  table: Map<string, V3MethodSpec>;
  idempotency: IdempotencyRecords;
}

const states = new WeakMap<EmulatorCore, V3State>();

function stateOf(core: EmulatorCore): V3State {
  let state = states.get(core);
  if (state === undefined) {
    state = { table: buildV3MethodTable(), idempotency: new IdempotencyRecords() };
    states.set(core, state);
  }
  return state;
}

/** Forgets stored idempotency answers (the emulator's reset). */
export function resetV3State(core: EmulatorCore): void {
  states.get(core)?.idempotency.clear();
}

/** The REST 3.0 method names the emulator serves (the v2 path answers 404 for the v3-only ones). */
export function v3MethodNames(core: EmulatorCore): string[] {
  return [...stateOf(core).table.keys()];
}

function parseApiPath(pathname: string): RestPath | undefined {
  const parts = pathname
    .replace(/^\/rest\/api\/?/, '')
    .split('/')
    .filter((part) => part !== '')
    .map(decodeURIComponent);
  const method = (parts[parts.length - 1] ?? '').toLowerCase().replace(/\.json$/, '');
  if (parts.length === 1) return { method };
  if (parts.length === 3) return { method, webhook: { userId: parts[0] as string, code: parts[1] as string } };
  return undefined;
}

function answerError(stats: EmulatorStats, response: ServerResponse, error: V3Error, headers: Record<string, string> = {}): void {
  countInto(stats.statuses, String(error.status));
  countInto(stats.refusals, error.code);
  sendJson(response, error.status, error.body(), headers);
}

function hasScope(auth: AuthContext, scope: string): boolean {
  return scope === 'basic' || auth.scopes.has(scope);
}

function timingSpec(spec: V3MethodSpec): MethodSpec {
  return { name: spec.name, scope: spec.scope, kind: spec.kind, handler: () => ({ result: null }) };
}

/** `url` is the path inside the portal (`site`'s prefix removed); credentials of another portal are refused as wrong ones. */
export async function handleRestV3(
  core: EmulatorCore,
  site: PortalSite,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  plainHttp: boolean,
): Promise<void> {
  const { options } = core;
  const { stats } = site;
  const state = stateOf(core);
  const startMs = options.clock.now();
  countRequest(stats, startMs);
  stats.v3.requests += 1;
  const bodyText = await readBodyOr413(request, response, stats.statuses);
  if (bodyText === undefined) return;
  const path = parseApiPath(url.pathname);
  const spec = path === undefined ? undefined : state.table.get(path.method);
  if (path === undefined || (spec === undefined && path.method !== 'batch')) {
    const error = new V3Error('METHODNOTFOUNDEXCEPTION', 'Method not found!', 404);
    answerError(stats, response, error);
    return;
  }
  const fault = await applyTransportFault(core, stats, request, response, path.method);
  if (fault === undefined) return;

  let body: unknown = {};
  if (bodyText.trim() !== '') {
    try {
      body = JSON.parse(bodyText);
    } catch {
      answerError(stats, response, new V3Error('INVALIDJSONEXCEPTION', 'The request body is not valid JSON'));
      return;
    }
  } else if (request.method === 'POST' && request.headers['content-length'] !== '0' && request.headers['content-length'] !== undefined) {
    answerError(stats, response, new V3Error('INVALIDJSONEXCEPTION', 'The request body is not valid JSON'));
    return;
  }
  const authParams = isRecord(body) ? body : {};
  const resolution = resolveAuth(
    core.registry,
    path,
    authParams,
    request.headers.authorization,
    startMs,
    plainHttp,
    options.requireHttpsForWebhooks,
    (portal) => core.siteOf(portal) === site,
  );
  if ('error' in resolution) {
    countInto(stats.statuses, String(resolution.error.status));
    countInto(stats.refusals, resolution.error.code);
    sendJson(response, resolution.error.status, { error: { code: resolution.error.code, message: resolution.error.description } });
    return;
  }
  const { auth } = resolution;
  if (!core.bucketFor(auth.portal).admit(options.clock.now())) {
    answerError(stats, response, new V3Error('QUERY_LIMIT_EXCEEDED', 'Too many requests', 503));
    return;
  }

  const execute = (method: string, methodSpec: V3MethodSpec | undefined, query: Record<string, unknown>): Record<string, unknown> => {
    if (methodSpec === undefined) throw new V3Error('METHODNOTFOUNDEXCEPTION', `Method \`${method}\` not found`, 404);
    if (!hasScope(auth, methodSpec.scope)) throw new V3Error('INSUFFICIENTSCOPEEXCEPTION', `The method needs the \`${methodSpec.scope}\` scope`, 403);
    stats.commands += 1;
    countInto(stats.v3.methods, method);
    countInto(stats.methods, method);
    seconds += simulatedSeconds(options, timingSpec(methodSpec));
    return methodSpec.handler({ method, query: withoutAuthParams(query), auth, nowMs: options.clock.now() });
  };
  let seconds = 0;
  const headers: Record<string, string> = { 'X-Bitrix-Rest-Time': '0' };
  try {
    const batchCommands = path.method === 'batch' ? readV3BatchCommands(Array.isArray(body) ? body : isRecord(body) && 'cmd' in body ? null : body) : undefined;
    const isWrite = batchCommands === undefined ? spec?.kind === 'write' : batchCommands.some((command) => state.table.get(command.method)?.kind === 'write');
    const key = isWrite ? checkIdempotencyKey(request.headers['idempotency-key']) : undefined;
    const lookup = key === undefined ? undefined : state.idempotency.lookup(auth, path.method, key, JSON.stringify(body), startMs);
    if (key !== undefined) headers['Idempotency-Key'] = key;
    if (lookup?.kind === 'replay') {
      stats.v3.replays += 1;
      countInto(stats.statuses, String(lookup.status));
      sendJsonText(response, lookup.status, lookup.payload, { ...headers, 'Idempotent-Replayed': 'true' });
      return;
    }
    if (batchCommands !== undefined) {
      countInto(stats.v3.methods, 'batch');
      countInto(stats.methods, 'batch');
    }
    const result =
      batchCommands === undefined
        ? execute(path.method, spec, isRecord(body) ? body : {})
        : runV3Batch(batchCommands, auth, (commandSpec, method, query) => execute(method, commandSpec, query), state.table);
    const time = buildTimeInfo(startMs, startMs + seconds * 1000, seconds);
    const payload = JSON.stringify({ result, time });
    headers['X-Bitrix-Rest-Time'] = String(seconds);
    await pause(seconds * 1000);
    // The portal stores the answer once the method finished: a second request with the same key that
    // arrives while the first still runs is not deduplicated (protocol.md §6); it runs too.
    if (lookup?.kind === 'new') lookup.save(200, payload);
    if (fault.drop === 'after') {
      stats.droppedConnections += 1;
      request.socket.destroy();
      return;
    }
    countInto(stats.statuses, '200');
    sendJsonText(response, 200, payload, headers);
  } catch (error) {
    if (error instanceof V3Error) {
      answerError(stats, response, error, headers);
      return;
    }
    throw error;
  }
}
